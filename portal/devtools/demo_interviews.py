"""Demo interviews for `portal demo`, so the follow-up is alive at first login: for Alex Morgan
(candidate@demo.example) an upcoming client interview, a past one with its feedback and an open
self-scheduling request with three slots; for others a past interview without feedback (overdue),
one just held with the candidate's debrief (feedback due), a screen with feedback whose debrief is still to write (Tomás García,
candidate11), and an upcoming one at Globex.

Interviews are written as rows (scheduling has its own service); the feedback goes through the
real feedback service. Never in production paths; commits nothing itself."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    Debrief,
    Firm,
    Interview,
    InterviewFormat,
    InterviewKind,
    InterviewSlot,
    InterviewState,
    Search,
    Stage,
    User,
    utcnow,
)
from portal.services import interview_feedback


def _at(firm: Firm, days: int, hour: int) -> datetime:
    """`days` from today at `hour`:00 in the firm's zone, moved off weekends, as UTC."""
    day = (utcnow().astimezone(firm.zone) + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1 if days >= 0 else -1)
    return datetime.combine(day, time(hour), tzinfo=firm.zone).astimezone(UTC)


def _interview(firm: Firm, rec: User, cy: Candidacy, starts_at: datetime | None, **kw) -> Interview:
    iv = Interview(
        firm_id=firm.id,
        candidacy_id=cy.id,
        candidate_id=cy.candidate_id,
        recruiter_id=rec.id,
        created_by_id=rec.id,
        kind=kw.pop("kind", InterviewKind.CLIENT),
        format=kw.pop("format", InterviewFormat.VIDEO),
        location=kw.pop("location", "https://meet.example/northwind-demo"),
        duration_minutes=kw.pop("duration", 60),
        timezone=firm.timezone or "UTC",
        starts_at=starts_at,
        state=kw.pop("state", InterviewState.SCHEDULED),
        attendees=kw.pop("attendees", [{"name": "Jordan Lee", "title": "VP Engineering"}]),
        candidate_notes_md=kw.pop("notes", ""),
        internal_notes=kw.pop("internal", ""),
        **kw,
    )
    db.session.add(iv)
    db.session.flush()
    return iv


def _candidacy(name: str, title: str) -> Candidacy | None:
    return db.session.scalar(
        select(Candidacy)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .join(Search, Search.id == Candidacy.search_id)
        .where(Candidate.name == name, Search.title == title)
    )


def _by_stage(name: str, stage: Stage) -> Candidacy | None:
    return db.session.scalar(
        select(Candidacy)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Candidate.name == name, Candidacy.stage == stage)
        .order_by(Candidacy.id)
        .limit(1)
    )


def load_interviews(firm: Firm, rec: User, rec2: User | None = None) -> None:
    """The demo firm's interviews (see the module docstring); a smaller firm gets one upcoming."""
    rec2 = rec2 or rec
    alex = _by_stage("Alex Morgan", Stage.INTERVIEWING)
    if alex is None:  # the small firm: whoever is interviewing has an interview coming up
        cy = db.session.scalar(select(Candidacy).where(Candidacy.stage == Stage.INTERVIEWING).limit(1))
        if cy is not None:
            _interview(
                firm, rec, cy, _at(firm, 3, 15), location="1 Globex Way, Springfield", format=InterviewFormat.ON_SITE
            )
        return
    # Alex: a past round with its feedback, the next round coming up, and slots to pick elsewhere.
    past = _interview(firm, rec2, alex, _at(firm, -6, 10), notes="Round one: a conversation about your platform work.")
    interview_feedback.write_feedback(
        firm,
        rec2,
        past,
        "Thank you for round one. Vandelay liked how you explained **rolling upgrades**; next is a "
        "two-hour pairing session with two of their engineers.",
    )
    db.session.add(  # Alex told us how round one went (their to-do list is clear at first login)
        Debrief(
            firm_id=firm.id,
            interview_id=past.id,
            candidate_id=alex.candidate_id,
            how_it_went="Friendly panel; the rolling-upgrades question went well.",
            interest=5,
            questions="",
            seen_at=past.starts_at,
        )
    )
    _interview(
        firm,
        rec2,
        alex,
        _at(firm, 2, 10),
        round=2,
        duration=120,
        kind=InterviewKind.ASSESSMENT,
        attendees=[{"name": "Kai Novak", "title": "Staff Engineer"}, {"name": "Ruth Adeyemi", "title": "Engineer"}],
        notes="A pairing session: bring a laptop with your usual editor. No trick questions.",
        internal="Client wants to test PostgreSQL depth.",
    )
    screen = _by_stage("Alex Morgan", Stage.SCREENING)
    if screen is not None:
        proposed = _interview(
            firm,
            rec,
            screen,
            None,
            kind=InterviewKind.RECRUITER_SCREEN,
            state=InterviewState.PROPOSED,
            duration=30,
            format=InterviewFormat.PHONE,
            location="We call you on your mobile.",
        )
        for days, hour in ((3, 9), (4, 14), (5, 11)):
            db.session.add(InterviewSlot(firm_id=firm.id, interview_id=proposed.id, starts_at=_at(firm, days, hour)))
    # Jonas: a client interview a week ago with no feedback yet (overdue for the recruiter).
    jonas = _candidacy("Jonas Weber", "Senior Backend Engineer") or _by_stage("Jonas Weber", Stage.INTERVIEWING)
    if jonas is not None:
        _interview(firm, rec, jonas, _at(firm, -7, 11))
    # Tomás: a recruiter screen two days ago, its feedback written, his debrief still to write.
    tomas = _by_stage("Tomás García", Stage.SCREENING)
    if tomas is not None:
        screen_held = _interview(
            firm, rec, tomas, _at(firm, -2, 11), kind=InterviewKind.RECRUITER_SCREEN, format=InterviewFormat.PHONE
        )
        interview_feedback.write_feedback(
            firm, rec, screen_held, "Thank you for the call. Your payments work is a strong match; next, the client."
        )
    # Mei: interviewed yesterday and sent her debrief (feedback due, debrief unseen).
    mei = _by_stage("Mei Chen", Stage.INTERVIEWING)
    if mei is not None:
        held = _interview(
            firm, rec2, mei, _at(firm, -1, 9), attendees=[{"name": "Noor Malik", "title": "Head of Design"}]
        )
        db.session.add(
            Debrief(
                firm_id=firm.id,
                interview_id=held.id,
                candidate_id=mei.candidate_id,
                how_it_went="Good conversation about design systems; the portfolio review ran short.",
                interest=4,
                questions="Is the role hybrid or fully remote?",
            )
        )
    db.session.flush()
