"""Test data for interviews, made through the real services (services/interviews.py), and the
two independent readings of an invitation (icalendar and vobject)."""

from __future__ import annotations

from datetime import datetime

from portal.extensions import db
from portal.models import Candidacy, Message, User
from portal.models.interview import Interview, InterviewFormat, InterviewKind
from portal.services import interviews
from tests.factories import firm_context


def details(**kw) -> interviews.Details:
    values = {
        "kind": InterviewKind.CLIENT,
        "format": InterviewFormat.VIDEO,
        "timezone": "Europe/Berlin",
        "round": 1,
        "duration_minutes": 60,
        "location": "https://meet.example.com/abc-defg",
        "attendees": [{"name": "Dana Scully", "title": "Head of Engineering"}],
        "candidate_notes_md": "Bring **examples** of your system design work.",
        "internal_notes": "INTERNAL-IV-SECRET they pay 10% below market",
    }
    values.update(kw)
    return interviews.Details(**values)


def schedule(app, f, candidacy_id: int, *, at: datetime | None = None, slots=None, actor: User | None = None, **kw):
    """An interview on the candidacy at `at` (wall clock of the details' zone) or with `slots`."""
    with firm_context(app, f.firm):
        cy = db.session.get(Candidacy, candidacy_id)
        iv = interviews.schedule(
            f.firm, db.session.merge(actor or f.recruiter), cy, details(**kw), starts_at=at, slots=slots
        )
        return iv.id


def get(app, f, interview_id: int) -> Interview:
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, interview_id)
        db.session.expunge(iv)
        return iv


def messages(app, f, interview_id: int) -> list[Message]:
    with firm_context(app, f.firm):
        rows = db.session.scalars(
            db.select(Message).where(Message.interview_id == interview_id).order_by(Message.id)
        ).all()
        for r in rows:
            db.session.expunge(r)
        return list(rows)


def parse_both(ics: str):
    """The single VEVENT and METHOD as icalendar and vobject each read them."""
    import icalendar
    import vobject

    cal = icalendar.Calendar.from_ical(ics)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    other = vobject.readOne(ics)
    return cal, events[0], other
