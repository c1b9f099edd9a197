"""Interviews for the follow-up tests, written straight to the tables (scheduling is another
feature's service): held, upcoming or proposed, in a candidacy of firm `f`."""

from __future__ import annotations

from datetime import datetime

from portal.extensions import db
from portal.models import Candidacy, Interview, InterviewFormat, InterviewKind, InterviewSlot, InterviewState


def make_interview(
    app,
    f,
    candidacy: Candidacy,
    starts_at: datetime | None,
    *,
    kind: InterviewKind = InterviewKind.CLIENT,
    state: InterviewState = InterviewState.SCHEDULED,
    duration: int = 60,
    recruiter=None,
    slots: list[datetime] | None = None,
    **kw,
) -> Interview:
    from tests.factories import firm_context

    with firm_context(app, f.firm):
        cy = db.session.get(Candidacy, candidacy.id)
        iv = Interview(
            firm_id=f.firm.id,
            candidacy_id=kw.pop("candidacy_id", cy.id),
            candidate_id=cy.candidate_id,
            recruiter_id=(recruiter or f.recruiter).id,
            kind=kind,
            format=kw.pop("format", InterviewFormat.VIDEO),
            location=kw.pop("location", "https://meet.example/abc"),
            duration_minutes=duration,
            timezone=kw.pop("timezone", "Europe/Berlin"),
            starts_at=starts_at,
            state=state,
            attendees=kw.pop("attendees", [{"name": "Ada Lovelace", "title": "CTO"}]),
            internal_notes=kw.pop("internal_notes", "INTERNAL-INTERVIEW-NOTE do not show"),
            **kw,
        )
        db.session.add(iv)
        db.session.flush()
        for at in slots or []:
            db.session.add(InterviewSlot(firm_id=f.firm.id, interview_id=iv.id, starts_at=at))
    return iv
