"""Promise 8 over two simulated weeks (time-machine): candidates write on weekdays and weekends;
recruiters answer some within the window, some late, mark some "no reply needed" and never answer
the rest. At every tick, every candidate message is answered, or marked, or listed on needs
attention (oldest first), flagged overdue exactly when its reply window has passed, until it is."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.models import Candidate, ConversationMessage, Firm, User, utcnow
from portal.services import conversations, dashboard
from tests.factories import firm_context, make_candidate
from tests.support import conversations as conv

START = datetime(2025, 3, 24, 6, 0, tzinfo=UTC)  # a Monday; summer time starts on 30 March (Berlin)
TICK = timedelta(hours=6)
DAYS = 14


def test_two_weeks_of_messages_keep_the_reply_promise(app, firms):
    rng = random.Random(21)
    f = firms.a
    with firm_context(app, f.firm) as s:
        s.get(Firm, f.firm.id).timezone = "Europe/Berlin"
    with time_machine.travel(START - timedelta(days=1), tick=False):
        people = [make_candidate(app, f.firm, owner=f.recruiter) for _ in range(5)]
    # (written at, who, fate, how long after writing the recruiter acts)
    plan = []
    for day in range(DAYS - 3):
        for _ in range(rng.randint(0, 3)):
            at = START + timedelta(days=day, hours=rng.randint(1, 14))
            fate = rng.choice(["reply", "reply", "late", "mark", "never"])
            delay = {
                "reply": timedelta(hours=rng.randint(1, 20)),
                "late": timedelta(days=rng.randint(3, 6)),
                "mark": timedelta(hours=rng.randint(1, 30)),
                "never": None,
            }[fate]
            plan.append((at, rng.randrange(len(people)), fate, delay))
    plan.sort(key=lambda p: p[0])
    written: list[tuple[int, str, datetime | None]] = []  # (post id, fate, when to act)
    now = START
    seen_overdue = 0
    while now < START + timedelta(days=DAYS):
        with time_machine.travel(now, tick=False):
            while plan and plan[0][0] <= now:
                at, who, fate, delay = plan.pop(0)
                post = conv.write(app, f.firm, people[who], f"Question at {at:%d %H}h", at=at)
                written.append((post.id, fate, at + delay if delay else None))
            for post_id, fate, act_at in written:
                if act_at is None or act_at > now:
                    continue
                with firm_context(app, f.firm) as s:
                    post = s.get(ConversationMessage, post_id)
                    if post.answered_at is not None:
                        continue
                    firm, actor = s.get(Firm, f.firm.id), s.get(User, f.recruiter.id)
                    cand = s.get(Candidate, post.candidate_id)
                    if fate == "mark":
                        conversations.mark_no_reply(firm, actor, cand, post_id, "Answered by phone")
                    else:
                        conversations.reply(firm, actor, cand, "Here is the answer", in_reply_to_id=post_id)
            with firm_context(app, f.firm) as s:
                firm, actor = s.get(Firm, f.firm.id), s.get(User, f.recruiter.id)
                listed = dashboard.needs_attention(firm, actor, "firm", "messages").messages.rows
                posts = s.scalars(select(ConversationMessage).where(ConversationMessage.author == "candidate")).all()
                open_ids = [p.id for p in sorted(posts, key=lambda p: (p.created_at, p.id)) if p.answered_at is None]
                assert [r.post.id for r in listed] == open_ids  # every open one, oldest first
                for row in listed:
                    assert row.overdue == (row.post.reply_due_at < utcnow())
                    seen_overdue += row.overdue
                for p in posts:
                    if p.answered_at is not None:
                        assert p.no_reply_reason or s.scalar(
                            select(ConversationMessage.id).where(
                                ConversationMessage.author == "recruiter",
                                ConversationMessage.candidate_id == p.candidate_id,
                                ConversationMessage.created_at >= p.created_at,
                            )
                        )
        now += TICK
    assert seen_overdue > 0  # the run did see late answers and unanswered messages
    end = START + timedelta(days=DAYS)
    with firm_context(app, f.firm) as s:
        acted = {pid for pid, _fate, when in written if when is not None and when < end}
        still_open = set(s.scalars(select(ConversationMessage.id).where(ConversationMessage.answered_at.is_(None))))
        assert still_open and acted and still_open.isdisjoint(acted)
