"""Needs attention, first section: candidates waiting for an answer to their message (promise
8), oldest first, with how long they have waited and whether the firm's reply window has passed.
Read-only; one capped walk (portal/services/dashboard_query.py runs it with the other lists,
portal/services/dashboard.py puts it on the page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Author, Candidacy, Candidate, ConversationMessage, Search
from portal.services.dashboard_query import ASC, Found, Walk
from portal.services.dashboard_rows import WaitingMessageRow


def waited(now: datetime, since: datetime) -> str:
    """How long a candidate has waited, in words: "3 days", "5 hours", "a few minutes"."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds >= 86400:
        return ngettext("%(num)d day", "%(num)d days", int(seconds // 86400))
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", int(seconds // 3600))
    return _("a few minutes")


def waiting_walk(me, mine: bool, limit: int) -> Walk:
    """Candidate messages with no answer yet (promise 8), oldest first: an index walk of the
    open ones (author, answered_at) that stops after `limit`. "Mine" (`me`: the recruiter's
    id, a bound parameter): my candidates, or messages about a search of mine."""
    q = (
        select(ConversationMessage.id.label("item_id"), Candidate.id.label("candidate_id"))
        .join(Candidate, Candidate.id == ConversationMessage.candidate_id)
        .where(
            ConversationMessage.author == Author.CANDIDATE,
            ConversationMessage.answered_at.is_(None),
            Candidate.deleted_at.is_(None),
        )
    )
    if mine:
        about_my_searches = (
            select(Candidacy.id).join(Search, Search.id == Candidacy.search_id).where(Search.owner_id == me)
        )
        q = q.where(
            or_(
                (ConversationMessage.candidate_id + 0).in_(select(Candidate.id).where(Candidate.owner_id == me)),
                (ConversationMessage.candidacy_id + 0).in_(about_my_searches),
            )
        )
    return Walk("messages", q, ((ConversationMessage.created_at, ASC), (ConversationMessage.id, ASC)), limit)


def waiting_rows(found: list[Found], now: datetime) -> list[WaitingMessageRow]:
    """The walk's rows (portal.services.dashboard_query loaded them), with how long each waited."""
    return [
        WaitingMessageRow(
            f.item,
            f.candidate,
            waited(now, f.item.created_at),
            f.item.reply_due_at is not None and f.item.reply_due_at < now,
        )
        for f in found
    ]
