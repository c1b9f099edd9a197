"""Interview reminders (issue 17, part 5): the firm's two leads (Firm.reminder_first_hours and
reminder_second_hours, 0 = off) before every scheduled interview, worded in the candidate's time
zone and sent through the outbox.

The planner (`plan_reminders`, a periodic job every few minutes) writes a reminder a little
ahead of its instant (LOOKAHEAD), due exactly at starts_at - N hours: a UTC instant, so a
daylight-saving change between now and then cannot shift it. Its dedupe key holds the
interview, its sequence and N: a second run writes nothing twice, and a moved interview (a new
sequence) gets fresh reminders. Whatever stopped being true before the send (cancelled,
declined, moved, or too late: less than half its lead left) cancels the reminder: the planner
cancels what it finds, and the worker asks `refusal` once more at send time.
Never sends anything itself; never reads internal notes (the words are interview_words')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select, update

from portal import i18n
from portal.extensions import db
from portal.models import Audience, Firm, Message, MessageState
from portal.models.interview import Interview, InterviewKind, InterviewState
from portal.outbox import enqueue_after_commit, insert_ignoring_duplicates, links
from portal.services import interview_words
from portal.web.templating import render_email

KIND = "interview_reminder"
LOOKAHEAD = timedelta(minutes=30)  # written this far ahead of their instant (the job runs more often)
PLAN_EVERY_SECONDS = 300
_PREFIX = "interview-reminder"


@dataclass(frozen=True)
class Key:
    interview_id: int
    sequence: int
    hours: int

    def __str__(self) -> str:
        return f"{_PREFIX}:{self.interview_id}:{self.sequence}:{self.hours}h"

    @classmethod
    def parse(cls, text: str | None) -> Key | None:
        parts = (text or "").split(":")
        if len(parts) != 4 or parts[0] != _PREFIX or not parts[3].endswith("h"):
            return None
        try:
            return cls(int(parts[1]), int(parts[2]), int(parts[3][:-1]))
        except ValueError:
            return None


def leads(firm: Firm) -> list[int]:
    """The firm's reminder leads in hours, longest first (0 = that reminder is off)."""
    return sorted({h for h in (firm.reminder_first_hours, firm.reminder_second_hours) if h and h > 0}, reverse=True)


def too_late(starts_at: datetime, hours: int, now: datetime) -> bool:
    """A reminder is not worth sending once less than half its lead is left (the 24-hour one for
    an interview two hours away): the next reminder, or the invitation itself, says it better."""
    return starts_at - now < timedelta(hours=hours) / 2


def _why_not(interview: Interview | None, key: Key | None, now: datetime) -> str | None:
    if interview is None or key is None or key.interview_id != interview.id:
        return "the interview no longer exists"
    if interview.state != InterviewState.SCHEDULED:
        return f"the interview is no longer scheduled ({interview.state.value})"
    if interview.sequence != key.sequence:
        return "the interview was moved or changed; a fresh reminder replaces this one"
    if interview.starts_at is None or too_late(interview.starts_at, key.hours, now):
        return "too late for this reminder"
    return None


def refusal(kind: str, interview_id: int | None, dedupe_key: str, now: datetime) -> str | None:
    """Why a reminder must not go out now (the worker's check at send time), or None. Any other
    kind of message: None."""
    if kind != KIND:
        return None
    interview = db.session.get(Interview, interview_id) if interview_id is not None else None
    return _why_not(interview, Key.parse(dedupe_key), now)


def cancel_outdated(firm: Firm, now: datetime) -> int:
    """Cancel the pending reminders of this firm that stopped being true (see `_why_not`)."""
    pending = db.session.execute(
        select(Message.id, Message.dedupe_key, Message.interview_id).where(
            Message.firm_id == firm.id, Message.kind == KIND, Message.state == MessageState.PENDING
        )
    ).all()
    if not pending:
        return 0
    ids = {r.interview_id for r in pending if r.interview_id is not None}
    interviews = {i.id: i for i in db.session.scalars(select(Interview).where(Interview.id.in_(ids)))} if ids else {}
    stale: dict[int, str] = {}
    for row in pending:
        reason = _why_not(interviews.get(row.interview_id), Key.parse(row.dedupe_key), now)
        if reason:
            stale[row.id] = reason
    for message_id, reason in stale.items():
        db.session.execute(
            update(Message)
            .where(Message.id == message_id, Message.state == MessageState.PENDING)
            .values(state=MessageState.CANCELLED, last_error=reason)
            .execution_options(synchronize_session=False)
        )
    return len(stale)


def _due_soon(firm: Firm, hours: list[int], now: datetime) -> list[Interview]:
    horizon = now + timedelta(hours=max(hours)) + LOOKAHEAD
    ids = db.session.scalars(
        select(Interview.id).where(
            Interview.firm_id == firm.id,
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at > now,
            Interview.starts_at <= horizon,
        )
    ).all()
    return interview_words.load(ids)


def _row(firm: Firm, interview: Interview, hours: int, key: Key, told: set[int], names: dict, now: datetime) -> dict:
    assert interview.starts_at is not None  # only scheduled interviews are reminded
    candidate = interview.candidate
    office_hours = interview.kind == InterviewKind.OFFICE_HOURS
    recruiter = names.get(interview.recruiter_id) if interview.recruiter_id is not None else None
    with force_locale(i18n.email_language(firm, candidate.language)):  # the candidate's, like outbox.record
        subject, text, html = render_email(
            firm,
            KIND,
            to_name=candidate.name,
            candidate=candidate,
            title=interview_words.title_words(interview, told, recruiter),
            starts_at=interview.starts_at,  # said in the candidate's zone and language (email/interview_reminder.*)
            join=interview_words.join_words(interview, told),
            hours=hours,
            duration=interview.duration_minutes,
            recruiter=recruiter,
            link=links.office_hours(firm) if office_hours else links.interview(firm, interview.id),
            office_hours=office_hours,
        )
    due = max(interview.starts_at - timedelta(hours=hours), now)
    return {
        "firm_id": firm.id,
        "kind": KIND,
        "audience": Audience.CANDIDATE,
        "stream": None,
        "recipient_user_id": candidate.user_id,
        "candidate_id": candidate.id,
        "candidacy_id": interview.candidacy_id,
        "interview_id": interview.id,
        "to_email": candidate.email,
        "to_name": candidate.name,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "dedupe_key": str(key),
        "coalesce_key": None,
        "state": MessageState.PENDING,
        "attempts": 0,
        "due_at": due,
        # A reminder due now goes at once; a later one is enqueued by the relay when it is due.
        "enqueued_at": now if due <= now else None,
        "created_at": now,
        # An email to prepare for: the portal shows the interview itself (and a reminder written
        # ahead of its instant must not sit in the inbox before it is due).
        "show_in_portal": False,
    }


def plan_reminders(firm: Firm, now: datetime) -> int:
    """Write the reminders due within LOOKAHEAD (and any missed one not yet too late); cancel
    those that stopped being true. Idempotent: returns how many reminders were written."""
    cancel_outdated(firm, now)
    hours = leads(firm)
    if not hours:
        return 0
    wanted: list[tuple[Interview, int, Key]] = []
    interviews = _due_soon(firm, hours, now)
    for interview in interviews:
        assert interview.starts_at is not None
        for h in hours:
            if interview.starts_at - timedelta(hours=h) > now + LOOKAHEAD or too_late(interview.starts_at, h, now):
                continue
            wanted.append((interview, h, Key(interview.id, interview.sequence, h)))
    if not wanted:
        return 0
    existing = set(
        db.session.scalars(
            select(Message.dedupe_key).where(
                Message.firm_id == firm.id, Message.dedupe_key.in_([str(k) for *_, k in wanted])
            )
        )
    )
    todo = [(i, h, k) for i, h, k in wanted if str(k) not in existing]
    if not todo:
        return 0
    told = interview_words.told([i for i, _, _ in todo])
    names = interview_words.recruiter_names([i for i, _, _ in todo])
    values = [_row(firm, i, h, k, told, names, now) for i, h, k in todo]
    table = Message.__table__
    stmt = insert_ignoring_duplicates(table).returning(table.c.id, table.c.dedupe_key)
    returned = db.session.execute(stmt, values).all()
    now_keys = {v["dedupe_key"] for v in values if v["enqueued_at"] is not None}
    enqueue_after_commit([r.id for r in returned if r.dedupe_key in now_keys])
    return len(returned)
