"""The careers pages as last built, per process: an anonymous visitor's page is the same bytes
for everyone who reads it in the same language (no session, no cookie), so a web process keeps
what it built and answers the next visitor in that language without a statement.

What is kept, per firm: the site's version (`careers.site_version`; the pages' ETag is it and
the page's language) and the pages built under that version, keyed by host, path, query string
and language (portal/careers/public.py: a German visitor never gets the English page kept). All the firm's pages
share that one version, so they change together: a filled search disappears from every
listing, job page and feed of this process at once.

How long a kept page may be served:
- a change committed by *this* process to what the pages show (searches, their skills,
  clients, skills, the firm and its domains) empties every process cache at once (`after_commit`);
- a change committed by *another* process (a second web server, the worker, the CLI), or a job
  whose advertising end has passed, shows within `CAREERS_CACHE_SECONDS`
  (PORTAL_CAREERS_CACHE_SECONDS, default 5 s): after that the next request computes the
  version again (one aggregate statement); the kept pages stay only if it has not changed.
A page not yet kept is built exactly as without the cache (the version, then the page's
statements). `CAREERS_CACHE_SECONDS=0` turns the cache off."""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.models import Client, Firm, FirmDomain, ReportSnapshot, Search, SearchSkill, Skill, SkillAlias

SHOWN = (Search, SearchSkill, Client, Skill, SkillAlias, Firm, FirmDomain, ReportSnapshot)  # snapshots: public figures
_CHANGED = "careers_pages_changed"
MAX_PAGES = 512  # per firm: query strings are the visitor's, so the kept pages are bounded
MAX_FIRMS = 1024
MAX_BYTES = 64 * 1024 * 1024  # per process, all firms: bytes added since the last full clear; past it, all go


@dataclass
class Page:
    status: int
    body: bytes
    headers: list[tuple[str, str]]


@dataclass
class _Firm:
    version: str
    checked: float  # when the version was last read from the database (monotonic)
    pages: dict[tuple, Page] = field(default_factory=dict)


class PageCache:
    _all: weakref.WeakSet[PageCache] = weakref.WeakSet()

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._firms: dict[int, _Firm] = {}
        self._bytes = 0
        PageCache._all.add(self)

    def get(self, firm_id: int, key: tuple) -> tuple[str, Page | None] | None:
        """(version, the kept page or None) while the firm's version is fresh; None when the
        version must be read again."""
        entry = self._firms.get(firm_id)
        if entry is None or entry.checked + self.ttl <= time.monotonic():
            return None
        return entry.version, entry.pages.get(key)

    def put(self, firm_id: int, version: str, key: tuple, page: Page | None, checked: float) -> None:
        """Keep `page` under `version` (read at `checked`); a new version drops the old pages."""
        with self._lock:
            entry = self._firms.get(firm_id)
            if entry is None or entry.version != version:
                if len(self._firms) >= MAX_FIRMS:
                    self._firms.clear()
                entry = self._firms[firm_id] = _Firm(version, checked)
            else:
                entry.checked = max(entry.checked, checked)
            if page is not None:
                if len(entry.pages) >= MAX_PAGES:
                    entry.pages.clear()
                self._bytes += len(page.body)
                if self._bytes > MAX_BYTES:
                    self._firms.clear()
                    self._firms[firm_id] = entry = _Firm(version, entry.checked)
                    self._bytes = len(page.body)
                entry.pages[key] = page

    def clear(self) -> None:
        with self._lock:
            self._firms.clear()
            self._bytes = 0

    @classmethod
    def clear_all(cls) -> None:
        for cache in list(cls._all):
            cache.clear()


# ------------------------------------------------------- a commit that changes what is shown


def _shown(objects) -> bool:
    return any(isinstance(o, SHOWN) for o in objects)


def _before_flush(session: Session, flush_context, instances) -> None:
    if _shown(chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


def _on_execute(state) -> None:
    """UPDATE/DELETE statements through the session (bulk changes, no objects flushed)."""
    if (state.is_update or state.is_delete) and (
        any(m.class_ in SHOWN for m in state.all_mappers)
        or getattr(getattr(state.statement, "table", None), "name", None) in _TABLES
    ):
        state.session.info[_CHANGED] = True


_TABLES = frozenset(cls.__table__.name for cls in SHOWN)  # type: ignore[attr-defined]


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        PageCache.clear_all()


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)


def install_hooks() -> None:
    """Watch every ORM session for changes to what the careers pages show (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
