"""Twelve simulated weeks for a firm with lazy recruiters (time-machine), with the planner
ticking every 4 hours (PLAN_TICK_MINUTES=240: each tick looks 4 h 10 min ahead, as an
hourly tick looks 70 min ahead) and recruiters acting rarely between ticks:
- no active candidate goes longer than the cadence without a message (promise 1);
- every closed candidacy got exactly one close-the-loop message (promise 2);
- no optional message reached a candidate after they unsubscribed (promise 4);
- nothing was sent twice (promise 6)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    CandidateSkill,
    CloseReason,
    Firm,
    Message,
    MessageState,
    Search,
    SearchSkill,
    SearchState,
    Skill,
    Stage,
    User,
)
from portal.services import cadence, pipeline
from tests.factories import firm_context, make_candidate
from tests.support.worker import make_search, sink_counts
from worker import jobs

START = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)  # a Monday; summer time starts on 30 March
TICK = timedelta(hours=4)
WEEKS = 12
SKILLS = ["Python", "SQL", "Go", "Design", "Sales"]


def _skills(s, firm_id, owner, names, search=False):
    for name in names:
        skill = s.scalar(select(Skill).where(Skill.key == name.lower()))
        if skill is None:
            skill = Skill(firm_id=firm_id, name=name, key=name.lower())
            s.add(skill)
            s.flush()
        if search:
            s.add(SearchSkill(firm_id=firm_id, search_id=owner.id, skill_id=skill.id, required=True))
        else:
            s.add(CandidateSkill(firm_id=firm_id, candidate_id=owner.id, skill_id=skill.id))


def _overdue(firm_id, now):
    """Active candidates (at a stage they know, in an open or on-hold search) whose last
    candidate-facing update (not undone) is older than the cadence."""
    last = (
        select(Message.candidate_id, func.max(Message.created_at).label("at"))
        .where(
            Message.firm_id == firm_id,
            Message.audience == Audience.CANDIDATE,
            Message.stream.is_(None),
            Message.state != MessageState.CANCELLED,
        )
        .group_by(Message.candidate_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Candidacy.candidate_id, func.min(Candidacy.created_at), func.max(last.c.at))
        .join(Search, Search.id == Candidacy.search_id)
        .outerjoin(last, last.c.candidate_id == Candidacy.candidate_id)
        .where(
            Candidacy.firm_id == firm_id,
            Candidacy.stage.in_(cadence.CHECKIN_STAGES),
            Search.state.in_(cadence.ACTIVE_SEARCH_STATES),
        )
        .group_by(Candidacy.candidate_id)
    ).all()
    return [(cid, heard) for cid, since, heard in rows if now - max(heard or since, since) > timedelta(days=7)]


def _events(rng, people, passive):
    """What lazy recruiters (and a few candidates) do over the twelve weeks: rarely anything."""
    out = []
    for day in range(WEEKS * 7):
        base = START + timedelta(days=day)
        if base.weekday() >= 5:
            continue
        at = lambda base=base: base + timedelta(hours=rng.randint(8, 17), minutes=rng.randint(0, 59))  # noqa: E731
        if rng.random() < 0.6:
            out.append((at(), "add", rng.choice(people)))
        if rng.random() < 0.3:
            out.append((at(), "move", None))
        if rng.random() < 0.15:
            out.append((at(), "close", None))
        if day % 14 == 3:
            out.append((at(), "role", None))
        if day in (22, 44, 59):
            out.append((at(), "unsubscribe", rng.choice(people + passive)))
    out.append((START + timedelta(weeks=3, hours=10), "hold", None))
    out.append((START + timedelta(weeks=6, hours=10), "fill", None))
    out.append((START + timedelta(weeks=8, hours=10), "reopen", None))
    return sorted(out, key=lambda e: e[0])


def test_twelve_weeks_with_lazy_recruiters(app, firms, smtp_sink):
    app.config.update(GRACE_SECONDS=300, OPTIONAL_MESSAGES_PER_WEEK=2, PLAN_TICK_MINUTES=240)
    rng = random.Random(20250303)
    a = firms.a
    firm_id = a.firm.id
    with firm_context(app, a.firm) as s:
        f = s.get(Firm, firm_id)
        f.timezone, f.checkin_weekday, f.checkin_hour, f.cadence_days = "Europe/Berlin", 4, 14, 7
        f.availability_prompt_weeks = 4

    with time_machine.travel(START - timedelta(days=1), tick=False):
        searches = [make_search(app, a.firm, title=f"Role {n}", owner=a.recruiter if n % 2 else None) for n in range(4)]
        people = [make_candidate(app, a.firm, owner=a.recruiter) for _ in range(12)]
        passive = [make_candidate(app, a.firm) for _ in range(5)]
        with firm_context(app, a.firm) as s:
            for search in searches:
                _skills(s, firm_id, search, rng.sample(SKILLS, 2), search=True)
            for c in people + passive:
                _skills(s, firm_id, c, rng.sample(SKILLS, 2))
        with firm_context(app, a.firm) as s:
            firm, actor = s.get(Firm, firm_id), s.get(User, a.recruiter.id)
            for n, c in enumerate(people[:8]):
                pipeline.add_to_search(
                    firm, actor, s.get(Search, searches[n % 4].id), s.get(Candidate, c.id), Stage.CONTACTED
                )

    unsubscribed_at: dict[int, datetime] = {}
    closed_by_us: set[int] = set()
    skipped_at_send: list[int] = []
    violations = []

    def act(now, what, who):
        with firm_context(app, a.firm) as s:
            firm, actor = s.get(Firm, firm_id), s.get(User, a.recruiter.id)
            known = list(
                s.scalars(
                    select(Candidacy)
                    .join(Search, Search.id == Candidacy.search_id)
                    .where(Candidacy.stage.in_(cadence.CHECKIN_STAGES), Search.state == SearchState.OPEN)
                )
            )
            if what == "add":
                open_ids = list(s.scalars(select(Search.id).where(Search.state == SearchState.OPEN)))
                search, cand = s.get(Search, rng.choice(open_ids)), s.get(Candidate, who.id)
                if not s.scalar(
                    select(Candidacy.id).where(Candidacy.search_id == search.id, Candidacy.candidate_id == cand.id)
                ):
                    pipeline.add_to_search(firm, actor, search, cand, rng.choice([Stage.CONTACTED, Stage.SCREENING]))
            elif what == "move" and known:
                cy = rng.choice(known)
                was = cy.stage
                pipeline.move(firm, actor, cy, Stage.SCREENING if was == Stage.CONTACTED else Stage.CONTACTED)
                if rng.random() < 0.4:  # a change of mind inside the grace window: one email
                    pipeline.move(firm, actor, cy, was)
            elif what == "close" and known:
                cy = rng.choice(known)
                pipeline.close(firm, actor, cy, rng.choice(list(CloseReason)), "We went another way.")
                closed_by_us.add(cy.id)
            elif what == "role":
                search = Search(
                    firm_id=firm_id,
                    client_id=s.get(Search, searches[0].id).client_id,
                    title=f"New role {now:%d %b}",
                    owner_id=actor.id,
                )
                s.add(search)
                s.flush()
                _skills(s, firm_id, search, rng.sample(SKILLS, 2), search=True)
            elif what == "unsubscribe":
                s.get(Candidate, who.id).unsubscribed_all = True
                unsubscribed_at.setdefault(who.id, now)
            elif what == "hold":
                s.get(Search, searches[1].id).state = SearchState.ON_HOLD
            elif what == "reopen":
                s.get(Search, searches[1].id).state = SearchState.OPEN
            elif what == "fill":
                closed_by_us.update(
                    s.scalars(
                        select(Candidacy.id).where(
                            Candidacy.search_id == searches[2].id, Candidacy.stage.in_(cadence.CHECKIN_STAGES)
                        )
                    )
                )
                pipeline.close_search(firm, actor, s.get(Search, searches[2].id), SearchState.FILLED)

    def unsubscribe_someone_with_a_pending_nurture(now):
        """A candidate unsubscribes after the nurture email was written, before it is sent."""
        with firm_context(app, a.firm) as s:
            msg = s.scalar(
                select(Message).where(Message.stream == "nurture", Message.state == MessageState.PENDING).limit(1)
            )
            if msg is not None:
                s.get(Candidate, msg.candidate_id).unsubscribed_all = True
                unsubscribed_at.setdefault(msg.candidate_id, now)
                skipped_at_send.append(msg.id)

    def deliver(now):
        with app.app_context():
            ids = list(
                db.session.scalars(
                    select(Message.id)
                    .where(Message.state == MessageState.PENDING, Message.due_at <= now)
                    .order_by(Message.id)
                    .execution_options(all_firms=True)
                )
            )
            db.session.remove()
        for mid in ids:
            jobs.deliver_message(mid)

    events = _events(rng, people, passive)
    with time_machine.travel(START, tick=False) as traveller:
        now = START
        while now < START + timedelta(weeks=WEEKS):
            now += TICK
            while events and events[0][0] <= now:
                when, what, who = events.pop(0)
                traveller.move_to(when)
                act(when, what, who)
            traveller.move_to(now)
            with firm_context(app, a.firm):
                violations += [(now, *v) for v in _overdue(firm_id, now)]  # before the tick runs
            out = jobs.plan_firm(firm_id)
            if out.get("nurture") and not skipped_at_send:
                unsubscribe_someone_with_a_pending_nurture(now)
            deliver(now)

    assert violations == [], violations[:5]
    with firm_context(app, a.firm) as s:
        closed = set(s.scalars(select(Candidacy.id).where(Candidacy.stage == Stage.CLOSED)))
        assert closed == closed_by_us and len(closed) >= 5
        close_msgs = Counter(
            s.scalars(
                select(Message.candidacy_id).where(
                    Message.kind == "candidacy_closed", Message.state != MessageState.CANCELLED
                )
            )
        )
        assert {cid: close_msgs[cid] for cid in closed} == {cid: 1 for cid in closed}
        assert set(s.scalars(select(Message.state).where(Message.kind == "candidacy_closed"))) == {MessageState.SENT}
        optional = s.execute(
            select(Message.candidate_id, Message.sent_at, Message.stream).where(
                Message.stream.is_not(None), Message.state == MessageState.SENT
            )
        ).all()
        assert {o.stream for o in optional} == {"nurture", "availability", "survey"}
        # The experience survey: at most one per candidate in any 30 days (services/surveys.py).
        surveyed: dict[int, list] = {}
        for o in sorted((o for o in optional if o.stream == "survey"), key=lambda o: o.sent_at):
            surveyed.setdefault(o.candidate_id, []).append(o.sent_at)
        assert all(
            b - a >= timedelta(days=30) for times in surveyed.values() for a, b in zip(times, times[1:], strict=False)
        )
        late = [
            o for o in optional if o.candidate_id in unsubscribed_at and o.sent_at >= unsubscribed_at[o.candidate_id]
        ]
        assert late == [] and len(unsubscribed_at) >= 3, (late, unsubscribed_at)
        assert skipped_at_send and s.get(Message, skipped_at_send[0]).state == MessageState.SKIPPED
        checkins = s.scalar(select(func.count()).where(Message.kind == "checkin"))
        merged = s.scalar(select(func.count(func.distinct(Message.sent_at))).where(Message.kind == "stage_changed"))
        stage_msgs = s.scalar(select(func.count()).where(Message.kind == "stage_changed"))
        digests = s.scalar(
            select(func.count()).where(Message.kind == "recruiter_digest", Message.recipient_user_id == a.recruiter.id)
        )
        stuck = s.scalar(
            select(func.count()).where(
                Message.state.in_([MessageState.PENDING, MessageState.SENDING]), Message.stream.is_(None)
            )
        )
    assert checkins >= 60 and digests >= 10 and stuck == 0
    assert merged < stage_msgs, "changes inside a grace window went out as one email"
    counts = sink_counts(smtp_sink)
    assert counts and max(counts.values()) == 1, "nothing sent twice"
