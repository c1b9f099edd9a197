"""Promise 7 over six simulated weeks (time-machine), across the change to summer time (30 March
2025, Europe/Berlin): interviews are scheduled and held on weekdays; the recruiter writes feedback
for some on time, for some late, for some never; one candidacy is closed with an explanation and
one without; one interview did not take place. The follow-up job runs every four hours.

At every tick (after the job has run), for every held interview still owed feedback:
- inside its window it is listed "due" for the recruiter;
- after its window it is listed "overdue" (needs-attention, most overdue first, and the digest),
  and the candidate has been told, once, that the firm is still waiting for the client;
and nothing is owed for an interview with feedback, closed with an explanation, or that did not
take place. Each held interview of a candidate with a login gets exactly one debrief request; every
message is delivered."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidacy,
    CloseReason,
    Firm,
    Interview,
    InterviewOutcome,
    Message,
    MessageState,
    Search,
    Stage,
    User,
    utcnow,
)
from portal.services import cadence_digest, dashboard, debriefs, interview_feedback, pipeline
from tests.factories import firm_context, make_candidate
from tests.support.interviews import make_interview
from tests.support.worker import make_search
from worker import interview_jobs, jobs

START = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)  # a Monday; summer time starts on 30 March
WEEKS = 6
TICK = timedelta(hours=4)


def _plan(rng: random.Random, n_candidates: int):
    """(starts_at, candidate index, what the recruiter does): 'on_time' (within the window),
    'late' (a few business days after it), 'never', 'close_explained', 'close_silent', 'no_show'."""
    out = []
    for day in range(WEEKS * 7 - 9):
        base = START + timedelta(days=day)
        if base.weekday() >= 5 or rng.random() < 0.3:
            continue
        hour = rng.choice([8, 10, 13, 15, 16])  # UTC: 09:00-17:00 Berlin in winter
        what = rng.choice(["on_time", "on_time", "late", "late", "never"])
        out.append((base + timedelta(hours=hour, minutes=rng.choice([0, 30])), rng.randrange(n_candidates), what))
    # The special cases, on a Friday afternoon (the window spans a weekend and, for the first,
    # the change to summer time).
    out.append((datetime(2025, 3, 28, 15, 0, tzinfo=UTC), n_candidates, "close_explained"))
    out.append((datetime(2025, 3, 28, 15, 0, tzinfo=UTC), n_candidates + 1, "close_silent"))
    out.append((datetime(2025, 4, 4, 14, 0, tzinfo=UTC), 0, "no_show"))
    return sorted(out)


def test_six_weeks_of_interviews_keep_the_feedback_promise(app, firms, smtp_sink):
    app.config.update(GRACE_SECONDS=60)
    rng = random.Random(7)
    f = firms.a
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        firm.timezone, firm.feedback_window_days = "Europe/Berlin", 2
    with time_machine.travel(START - timedelta(days=3), tick=False):
        search = make_search(app, f.firm, title="Platform Engineer", owner=f.recruiter)
        people = [make_candidate(app, f.firm, owner=f.recruiter) for _ in range(8)]
        people.append(make_candidate(app, f.firm, owner=f.recruiter, with_login=False))  # email only
        people += [make_candidate(app, f.firm, owner=f.recruiter) for _ in range(2)]  # closed later
        with firm_context(app, f.firm) as s:
            firm, actor = s.get(Firm, f.firm.id), s.get(User, f.recruiter.id)
            candidacies = [
                pipeline.add_to_search(firm, actor, s.get(Search, search.id), s.get(type(p), p.id), Stage.SCREENING).id
                for p in people
            ]
    plan = _plan(rng, 9)
    interviews: dict[int, str] = {}  # interview id -> what the recruiter does
    acts: list[tuple[datetime, str, int]] = []  # (when, action, interview id)
    with time_machine.travel(START - timedelta(days=2), tick=False):
        for starts, who, what in plan:
            cy = Candidacy(id=candidacies[who])
            iv = make_interview(app, f, cy, starts, duration=rng.choice([30, 60, 90]))
            interviews[iv.id] = what
            ends = starts + timedelta(minutes=iv.duration_minutes)
            if what == "on_time":
                acts.append((ends + timedelta(hours=rng.choice([1, 5, 20, 30])), "feedback", iv.id))
            elif what == "late":
                acts.append((ends + timedelta(days=rng.choice([5, 7, 9])), "feedback", iv.id))
            elif what == "close_explained":
                acts.append((ends + timedelta(days=1), "close_explained", iv.id))
            elif what == "close_silent":
                acts.append((ends + timedelta(days=1), "close_silent", iv.id))
            elif what == "no_show":
                acts.append((ends + timedelta(hours=3), "no_show", iv.id))
    acts.sort()
    assert len(interviews) >= 15 and Counter(interviews.values())["never"] >= 2

    def act(what, interview_id):
        with firm_context(app, f.firm) as s:
            firm, actor = s.get(Firm, f.firm.id), s.get(User, f.recruiter.id)
            iv = s.get(Interview, interview_id)
            if what == "feedback":
                interview_feedback.write_feedback(firm, actor, iv, "Honest feedback: the client liked your *design*.")
            elif what == "no_show":
                interview_feedback.record_outcome(firm, actor, iv, InterviewOutcome.DID_NOT_TAKE_PLACE)
            else:
                text = "The client chose someone with more Go experience." if what == "close_explained" else ""
                pipeline.close(firm, actor, iv.candidacy, CloseReason.CLIENT_DECLINED, text)

    def deliver(now):
        with app.app_context():
            ids = list(
                db.session.scalars(
                    select(Message.id)
                    .where(Message.state == MessageState.PENDING, Message.due_at <= now)
                    .execution_options(all_firms=True)
                )
            )
            db.session.remove()
        for mid in ids:
            jobs.deliver_message(mid)

    violations: list[tuple] = []
    checked = Counter()

    def check(now):
        with firm_context(app, f.firm) as s:
            firm, user = s.get(Firm, f.firm.id), s.get(User, f.recruiter.id)
            listed = dashboard.needs_attention(firm, user, "firm", "interview_feedback").interview_feedback.rows
            digest = cadence_digest.digest_items(firm, now)["interview_feedback"]
            deadlines = [row.deadline for row in listed]
            if deadlines != sorted(deadlines):
                violations.append((now, "not most overdue first"))
            if [d["candidate"] for d in digest] != [row.candidate_name for row in listed]:
                violations.append((now, "digest differs from needs-attention"))
            by_id = {row.interview.id: row for row in listed}
            notices = Counter(
                s.scalars(select(Message.interview_id).where(Message.kind == interview_feedback.WAITING_KIND))
            )
            for iv in s.scalars(select(Interview)):
                if iv.ends_at > now:
                    continue
                cy = s.get(Candidacy, iv.candidacy_id)
                owed = interview_feedback.owes_feedback(iv, cy, now)
                end = interview_feedback.window_end(firm, iv.ends_at)
                if notices[iv.id] > 1:
                    violations.append((now, iv.id, "told twice"))
                if not owed:
                    if iv.id in by_id:
                        violations.append((now, iv.id, "listed without owing feedback"))
                    if notices[iv.id] and (iv.feedback_at or cy.close_explanation) and iv.waiting_notice_at is None:
                        violations.append((now, iv.id, "notice without record"))
                    continue
                row = by_id.get(iv.id)
                if row is None:
                    violations.append((now, iv.id, "owed but not listed"))
                    continue
                if now >= end:
                    checked["overdue"] += 1
                    if not row.overdue:
                        violations.append((now, iv.id, "past the window but not overdue"))
                    if notices[iv.id] != 1 or iv.waiting_notice_at is None:
                        violations.append((now, iv.id, "past the window and the candidate was not told"))
                else:
                    checked["due"] += 1
                    if row.overdue or notices[iv.id]:
                        violations.append((now, iv.id, "inside the window but overdue or told"))

    with time_machine.travel(START, tick=False) as traveller:
        now = START
        while now < START + timedelta(weeks=WEEKS):
            now += TICK
            while acts and acts[0][0] <= now:
                when, what, interview_id = acts.pop(0)
                traveller.move_to(when)
                act(what, interview_id)
            traveller.move_to(now)
            interview_jobs.interview_followups()
            deliver(now)
            check(now)

    assert violations == [], violations[:10]
    assert checked["overdue"] > 50 and checked["due"] > 50, checked
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        ivs = {iv.id: iv for iv in s.scalars(select(Interview))}
        told = Counter(s.scalars(select(Message.interview_id).where(Message.kind == interview_feedback.WAITING_KIND)))
        # Who was told: every interview never answered and every late one; never those on time,
        # closed with an explanation, or that did not take place.
        for iid, what in interviews.items():
            expected = 1 if what in ("never", "late", "close_silent") else 0
            assert told[iid] == expected, (iid, what, told[iid])
        # Still overdue at the end: exactly the ones never answered (and the silent close).
        owed_now = {o.interview.id for o in interview_feedback.owed(firm, utcnow())}
        assert owed_now == {i for i, w in interviews.items() if w in ("never", "close_silent")}
        # The debrief request: once per held interview of a candidate with a login.
        asked = Counter(s.scalars(select(Message.interview_id).where(Message.kind == debriefs.REQUEST_KIND)))
        email_only = {iid for iid, iv in ivs.items() if iv.candidate.user_id is None}
        for iid, what in interviews.items():
            assert asked[iid] == (0 if iid in email_only else 1), (iid, what)
        sent = set(
            s.scalars(
                select(Message.state).where(Message.kind.in_([interview_feedback.WAITING_KIND, debriefs.REQUEST_KIND]))
            )
        )
        assert sent == {MessageState.SENT}
    subjects = [str(m.email["Subject"]) for m in list(smtp_sink.messages)]
    assert any("still waiting for the client's view" in subject for subject in subjects), subjects[:5]
    assert any("How did your interview go?" in subject for subject in subjects)
