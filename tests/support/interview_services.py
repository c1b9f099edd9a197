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


def demo_interviews(app, slug: str, email: str) -> list[int]:
    """On the demo firm (until the demo data has its own): for the candidate with `email`, a
    proposed interview, a set one, one they asked to reschedule (on needs-attention) and a
    cancelled one: every interview email is sent."""
    from datetime import UTC, timedelta

    from sqlalchemy import select

    from portal.models import Candidate, Firm, Role, Stage, utcnow
    from portal.services import interview_choices
    from portal.tenancy import all_firms

    with app.app_context():
        with all_firms():
            firm = db.session.scalar(select(Firm).where(Firm.slug == slug))
        with firm_context(app, firm):
            me = db.session.scalar(select(Candidate).where(Candidate.email == email))
            cy = db.session.scalar(
                select(Candidacy)
                .where(Candidacy.candidate_id == me.id, Candidacy.stage.not_in([Stage.IDENTIFIED, Stage.CLOSED]))
                .order_by(Candidacy.id)
            )
            actor = db.session.scalar(select(User).where(User.role == Role.RECRUITER).order_by(User.id))
            base = utcnow().astimezone(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
            proposed = interviews.schedule(
                firm, actor, cy, details(), slots=[base + timedelta(days=3), base + timedelta(days=4, hours=2)]
            )
            fixed = interviews.schedule(firm, actor, cy, details(round=2), starts_at=base + timedelta(days=8))
            moving = interviews.schedule(
                firm, actor, cy, details(kind=InterviewKind.ASSESSMENT), starts_at=base + timedelta(days=9)
            )
            interview_choices.ask_to_reschedule(firm, me, moving, "I am travelling that week", "The week after", 0)
            dropped = interviews.schedule(firm, actor, cy, details(round=3), starts_at=base + timedelta(days=10))
            interviews.cancel(firm, actor, dropped)
            return [proposed.id, fixed.id, moving.id, dropped.id]
