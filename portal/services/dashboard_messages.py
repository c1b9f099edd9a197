"""Needs attention, first section: candidates waiting for an answer to their message (promise
8), oldest first, with how long they have waited and whether the firm's reply window has passed.
Read-only; one statement, capped (portal/services/dashboard.py puts it on the page)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Load

from portal.extensions import db
from portal.models import Author, Candidacy, Candidate, ConversationMessage, Search, User
from portal.services.dashboard_rows import WaitingMessageRow


def waited(now: datetime, since: datetime) -> str:
    """How long a candidate has waited, in words: "3 days", "5 hours", "a few minutes"."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds >= 86400:
        return ngettext("%(num)d day", "%(num)d days", int(seconds // 86400))
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", int(seconds // 3600))
    return _("a few minutes")


def waiting_messages(user: User, mine: bool, now: datetime, limit: int) -> tuple[list[WaitingMessageRow], bool]:
    """Candidate messages with no answer yet (promise 8), oldest first: an index walk of the
    open ones (author, answered_at) that stops after `limit`. "Mine": my candidates, or
    messages about a search of mine."""
    q = (
        select(ConversationMessage, Candidate)
        .join(Candidate, Candidate.id == ConversationMessage.candidate_id)
        .options(
            Load(ConversationMessage).load_only(
                ConversationMessage.body,
                ConversationMessage.created_at,
                ConversationMessage.reply_due_at,
                ConversationMessage.candidate_id,
                ConversationMessage.candidacy_id,
                ConversationMessage.source,
                raiseload=True,
            ),
            Load(Candidate).load_only(Candidate.name, Candidate.owner_id, raiseload=True),
        )
        .where(
            ConversationMessage.author == Author.CANDIDATE,
            ConversationMessage.answered_at.is_(None),
            Candidate.deleted_at.is_(None),
        )
        .order_by(ConversationMessage.created_at, ConversationMessage.id)
        .limit(limit + 1)
    )
    if mine:
        about_my_searches = (
            select(Candidacy.id).join(Search, Search.id == Candidacy.search_id).where(Search.owner_id == user.id)
        )
        q = q.where(
            or_(
                (ConversationMessage.candidate_id + 0).in_(select(Candidate.id).where(Candidate.owner_id == user.id)),
                (ConversationMessage.candidacy_id + 0).in_(about_my_searches),
            )
        )
    rows = [
        WaitingMessageRow(
            post, candidate, waited(now, post.created_at), post.reply_due_at is not None and post.reply_due_at < now
        )
        for post, candidate in db.session.execute(q)
    ]
    return rows[:limit], len(rows) > limit
