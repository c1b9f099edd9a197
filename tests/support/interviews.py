"""Interview rows for tests, written straight through the model (scheduling itself is another
feature's): make_interview, change_interview, and office hours."""

from __future__ import annotations

from portal.models.interview import Interview, InterviewFormat, InterviewKind, InterviewState, OfficeHours
from tests.factories import firm_context


def make_interview(app, ns, starts_at, *, candidacy=None, candidate_id=None, **kw) -> int:
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
