"""Activity history per candidate, per search and per candidacy, merged newest first (one query
per kind of event). Staff only: it includes internal notes, so no candidate page ever uses it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.markdown import stored_html
from portal.models import (
    Candidacy,
    Candidate,
    CandidateUpdate,
    Consent,
    ConsentState,
    ContactRecord,
    Feedback,
    Interest,
    Message,
    Note,
    Search,
    StageChange,
    User,
)

LIMIT = 200

# A candidate's update by kind (CandidateUpdate.kind), as the history names it.
UPDATE_TITLES = {
    "availability": _l("Sent an update (availability)"),
    "referral": _l("Sent an update (referral)"),
    "update": _l("Sent an update (update)"),
}


@dataclass
class Event:
    at: datetime
    kind: str  # stage, closed, feedback, note, consent, message, interest, update, contact
    title: str
    actor: str | None = None
    candidacy: Candidacy | None = None
    body: Markup | str | None = None
    state: str | None = None  # a message's delivery state, a consent's answer
    detail: str | None = None
    undone: bool = False


def _names(ids: set[int | None]) -> dict[int | None, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _candidacies(where) -> dict[int, Candidacy]:
    return {
        c.id: c
        for c in db.session.scalars(
            select(Candidacy)
            .where(where)
            .options(joinedload(Candidacy.search).joinedload(Search.client), joinedload(Candidacy.candidate))
        ).unique()
    }


def _collect(candidacies: dict[int, Candidacy], candidate_ids: set[int] | None) -> list[Event]:
    ids = list(candidacies)
    events: list[Event] = []
    changes = (
        list(
            db.session.scalars(
                select(StageChange)
                .where(StageChange.candidacy_id.in_(ids))
                .order_by(StageChange.id.desc())
                .limit(LIMIT)
            )
        )
        if ids
        else []
    )
    feedback = (
        list(
            db.session.scalars(
                select(Feedback).where(Feedback.candidacy_id.in_(ids)).order_by(Feedback.id.desc()).limit(LIMIT)
            )
        )
        if ids
        else []
    )
    consents = (
        list(
            db.session.scalars(
                select(Consent).where(Consent.candidacy_id.in_(ids)).order_by(Consent.id.desc()).limit(LIMIT)
            )
        )
        if ids
        else []
    )
    if candidate_ids is not None:
        note_where = Note.candidate_id.in_(candidate_ids)
        msg_where = Message.candidate_id.in_(candidate_ids)
    else:
        note_where = Note.candidacy_id.in_(ids)
        msg_where = Message.candidacy_id.in_(ids)
    notes = list(db.session.scalars(select(Note).where(note_where).order_by(Note.id.desc()).limit(LIMIT)))
    messages = list(db.session.scalars(select(Message).where(msg_where).order_by(Message.id.desc()).limit(LIMIT)))
    interests: list[Interest] = []
    updates: list[CandidateUpdate] = []
    contacts: list[ContactRecord] = []
    if candidate_ids is not None:
        contacts = list(
            db.session.scalars(
                select(ContactRecord)
                .where(ContactRecord.candidate_id.in_(candidate_ids))
                .order_by(ContactRecord.id.desc())
                .limit(LIMIT)
            )
        )
        interests = list(
            db.session.scalars(
                select(Interest)
                .where(Interest.candidate_id.in_(candidate_ids))
                .options(joinedload(Interest.search))
                .order_by(Interest.id.desc())
                .limit(LIMIT)
            ).unique()
        )
        updates = list(
            db.session.scalars(
                select(CandidateUpdate)
                .where(CandidateUpdate.candidate_id.in_(candidate_ids))
                .order_by(CandidateUpdate.id.desc())
                .limit(LIMIT)
            )
        )
    names = _names(
        {c.actor_id for c in changes}
        | {f.author_id for f in feedback}
        | {n.author_id for n in notes}
        | {c.requested_by_id for c in consents}
        | {c.author_id for c in contacts}
    )

    def where(cy: Candidacy | None) -> str:
        return f"{cy.candidate.name} · {cy.search.title}" if cy is not None else ""

    for ch in changes:
        cy = candidacies.get(ch.candidacy_id)
        if ch.from_stage is None:
            title = _("Added at “%(stage)s”", stage=ch.to_stage.label)
        elif ch.close_reason is not None:
            title = _(
                "Closed from “%(stage)s”: %(reason)s", stage=ch.from_stage.label, reason=ch.close_reason.internal_label
            )
        else:
            title = _(
                "Moved from “%(from_stage)s” to “%(to_stage)s”",
                from_stage=ch.from_stage.label,
                to_stage=ch.to_stage.label,
            )
        events.append(
            Event(
                ch.created_at,
                "closed" if ch.close_reason else "stage",
                title,
                names.get(ch.actor_id),
                cy,
                ch.explanation,
                detail=where(cy),
                undone=ch.undone_at is not None,
            )
        )
    for fb in feedback:
        cy = candidacies.get(fb.candidacy_id)
        events.append(
            Event(
                fb.created_at,
                "feedback",
                _("Feedback to the candidate"),
                names.get(fb.author_id),
                cy,
                stored_html(fb.body_html),
                detail=where(cy),
            )
        )
    for n in notes:
        cy = candidacies.get(n.candidacy_id) if n.candidacy_id else None
        events.append(
            Event(
                n.created_at,
                "note",
                _("Internal note"),
                names.get(n.author_id),
                cy,
                stored_html(n.body_html),
                detail=where(cy),
            )
        )
    for c in consents:
        cy = candidacies.get(c.candidacy_id)
        events.append(
            Event(
                c.requested_at,
                "consent",
                _("Consent requested to present to %(client)s", client=c.client_name),
                names.get(c.requested_by_id),
                cy,
                detail=where(cy),
                state="requested",
            )
        )
        if c.answered_at is not None:
            if c.state == ConsentState.APPROVED:
                answer = _("The candidate approved presentation to %(client)s", client=c.client_name)
            elif c.state == ConsentState.DECLINED:
                answer = _("The candidate declined presentation to %(client)s", client=c.client_name)
            else:
                answer = _("The candidate withdrew presentation to %(client)s", client=c.client_name)
            events.append(
                Event(c.answered_at, "consent", answer, None, cy, c.comment, detail=where(cy), state=c.state.value)
            )
        if c.cv_sent_at is not None:
            events.append(
                Event(
                    c.cv_sent_at,
                    "consent",
                    _("CV sent to %(client)s", client=c.client_name),
                    None,
                    cy,
                    detail=where(cy),
                    state="cv_sent",
                )
            )
    for m in messages:
        cy = candidacies.get(m.candidacy_id) if m.candidacy_id else None
        if m.audience.value == "candidate":
            title = _("Message to the candidate: %(subject)s", subject=m.subject)
        else:
            title = _("Message to the recruiter: %(subject)s", subject=m.subject)
        events.append(
            Event(m.created_at, "message", title, None, cy, m.last_error, state=m.state.value, detail=where(cy))
        )
    for i in interests:
        events.append(
            Event(
                i.created_at,
                "interest",
                _("Said “I'm interested” in %(title)s", title=i.search.title),
                state="handled" if i.handled_at else "open",
            )
        )
    for rec in contacts:
        events.append(
            Event(
                rec.occurred_at,
                "contact",
                _("Contact recorded: %(kind)s", kind=rec.kind.label),
                names.get(rec.author_id),
                body=rec.note,
                state="contact",
            )
        )
    for u in updates:
        events.append(
            Event(
                u.created_at,
                "update",
                str(UPDATE_TITLES[u.kind.value]),
                body=u.body,
                state="handled" if u.handled_at else "open",
            )
        )
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:LIMIT]


def for_candidate(candidate: Candidate) -> list[Event]:
    return _collect(_candidacies(Candidacy.candidate_id == candidate.id), {candidate.id})


def for_search(search: Search) -> list[Event]:
    return _collect(_candidacies(Candidacy.search_id == search.id), None)


def for_candidacy(candidacy: Candidacy) -> list[Event]:
    return _collect(_candidacies(Candidacy.id == candidacy.id), None)
