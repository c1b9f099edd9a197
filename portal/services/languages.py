"""A person's language: chosen with the switcher or in their settings, first taken from the
browser when they sign in or apply. A candidate's account and talent-pool record carry the same
language, so their pages and the emails the worker sends them agree (portal/i18n.py)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy as _l
from portal.i18n import offered, shipped
from portal.models import Candidate, Firm, User
from portal.services import DomainError

NOT_OFFERED = _l("Please choose one of the languages offered.")


def choose(firm: Firm, user: User | None, code: str) -> str:
    """Record `user`'s choice of language (None: a visitor, nothing is stored). Returns the code."""
    lang = shipped(code)
    if lang is None or lang not in offered(firm):
        raise DomainError(str(NOT_OFFERED))
    if user is not None:
        _set(user, lang)
    return lang


def remember_first(firm: Firm, user: User, language: str | None) -> None:
    """At a first sign-in: the page's language (the browser's or the switcher's) becomes theirs."""
    if user.language is None and shipped(language) in offered(firm):
        _set(user, shipped(language))


def _set(user: User, lang: str | None) -> None:
    user.language = lang
    candidate = db.session.scalar(select(Candidate).where(Candidate.user_id == user.id))
    if candidate is not None:
        candidate.language = lang
