"""Interview rows for tests, written straight to the tables (scheduling is a service of its own):
`make_interview` in a candidacy of firm `f` (held, upcoming or proposed); `make_interview_at` for
any candidate of `ns` (returns the id; office-hours bookings), `change_interview`, office hours."""

from __future__ import annotations

from datetime import datetime

from portal.extensions import db
from portal.models import (
    Candidacy,
    Interview,
    InterviewFormat,
    InterviewKind,
    InterviewSlot,
    InterviewState,
    OfficeHours,
)
from tests.factories import firm_context


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


def make_interview_at(app, ns, starts_at, *, candidacy=None, candidate_id=None, **kw) -> int:
    with firm_context(app, ns.firm) as s:
        iv = Interview(
            firm_id=ns.firm.id,
            candidate_id=candidate_id or ns.candidate.id,
            candidacy_id=candidacy.id if candidacy else None,
            recruiter_id=kw.pop("recruiter_id", ns.recruiter.id),
            kind=kw.pop("kind", InterviewKind.CLIENT),
            format=kw.pop("format", InterviewFormat.VIDEO),
            location=kw.pop("location", "https://meet.example/abc"),
            timezone=kw.pop("timezone", "Europe/Berlin"),
            starts_at=starts_at,
            state=kw.pop("state", InterviewState.SCHEDULED),
            **kw,
        )
        s.add(iv)
        s.flush()
        return iv.id


def change_interview(app, firm, interview_id, **values) -> None:
    with firm_context(app, firm) as s:
        iv = s.get(Interview, interview_id)
        for k, v in values.items():
            setattr(iv, k, v)


def make_office_hours(app, ns, *, recruiter=None, **kw) -> int:
    with firm_context(app, ns.firm) as s:
        hours = OfficeHours(
            firm_id=ns.firm.id,
            recruiter_id=(recruiter or ns.recruiter).id,
            weekday=kw.pop("weekday", 1),
            start_minute=kw.pop("start_minute", 10 * 60),
            end_minute=kw.pop("end_minute", 12 * 60),
            slot_minutes=kw.pop("slot_minutes", 30),
            timezone=kw.pop("timezone", "Europe/Berlin"),
            format=kw.pop("format", InterviewFormat.VIDEO),
            location=kw.pop("location", "https://meet.example/office"),
            **kw,
        )
        s.add(hours)
        s.flush()
        return hours.id
