"""Internal notes: recruiter-only text about a candidate (optionally on one candidacy).

Kept apart from feedback on purpose: nothing candidate-facing (pages, emails, exports)
imports this module or reads the `notes` table."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import Candidacy, Candidate, Firm, Note, User
from portal.services import DomainError
from portal.services.text import clean_text

MAX_NOTE = 10_000


def add_note(firm: Firm, actor: User, candidate: Candidate, body_md: str, candidacy: Candidacy | None = None) -> Note:
    if not actor.is_staff:
        raise DomainError(_("Only the firm's recruiters write internal notes."))
    body = clean_text(body_md, _("Note"), MAX_NOTE, required=True)
    if candidacy is not None and candidacy.candidate_id != candidate.id:
        raise DomainError(_("That candidacy belongs to another candidate."))
    note = Note(
        firm_id=firm.id,
        candidate_id=candidate.id,
        candidacy_id=candidacy.id if candidacy is not None else None,
        author_id=actor.id,
        body_md=body,
        body_html=render_markdown(body),
    )
    db.session.add(note)
    db.session.flush()
    return note


def for_candidate(candidate: Candidate, limit: int = 200) -> list[Note]:
    return list(
        db.session.scalars(
            select(Note)
            .where(Note.candidate_id == candidate.id)
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(limit)
        )
    )


def for_candidacy(candidacy: Candidacy, limit: int = 200) -> list[Note]:
    return list(
        db.session.scalars(
            select(Note)
            .where(Note.candidacy_id == candidacy.id)
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(limit)
        )
    )
