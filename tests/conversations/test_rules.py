"""Conversation rules (promise 8): when an answer is due (business days, the firm's zone), what a
reply answers, "no reply needed", and who is emailed about a new message (each recruiter's choice)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import AuditEntry, Candidate, ConversationMessage, Firm, Message, Role, User
from portal.services import DomainError, conversations
from tests.factories import firm_context, make_candidate, make_user
from tests.support import conversations as conv
from tests.support import recruiter as r


@pytest.mark.parametrize(
    ("zone", "written", "window", "due"),
    [
        # Monday morning, one business day: the end of Tuesday (Berlin, winter: UTC+1).
        ("Europe/Berlin", datetime(2025, 3, 10, 9, 0, tzinfo=UTC), 1, datetime(2025, 3, 11, 23, 0, tzinfo=UTC)),
        # Friday afternoon: the end of Monday, over the weekend.
        ("Europe/Berlin", datetime(2025, 3, 14, 15, 0, tzinfo=UTC), 1, datetime(2025, 3, 17, 23, 0, tzinfo=UTC)),
        # Saturday: Monday is the first business day after it.
        ("Europe/Berlin", datetime(2025, 3, 15, 10, 0, tzinfo=UTC), 1, datetime(2025, 3, 17, 23, 0, tzinfo=UTC)),
        # Across the change to summer time (30 March 2025): midnight Berlin is 22:00 UTC.
        ("Europe/Berlin", datetime(2025, 3, 28, 15, 0, tzinfo=UTC), 1, datetime(2025, 3, 31, 22, 0, tzinfo=UTC)),
        # Late Friday evening in New York is already Saturday in UTC: the firm's day counts.
        ("America/New_York", datetime(2025, 3, 15, 2, 0, tzinfo=UTC), 1, datetime(2025, 3, 18, 4, 0, tzinfo=UTC)),
        # Three business days from Wednesday: the end of Monday.
        ("UTC", datetime(2025, 3, 12, 12, 0, tzinfo=UTC), 3, datetime(2025, 3, 18, 0, 0, tzinfo=UTC)),
    ],
)
def test_reply_due_counts_business_days_in_the_firms_zone(app, firms, zone, written, window, due):
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        firm.timezone, firm.reply_window_days = zone, window
        assert conversations.reply_due(firm, written) == due


def test_a_reply_answers_every_earlier_open_message_and_emails_the_candidate(app, firms):
    f = firms.a
    first = conv.write(app, f.firm, f.candidate, "First question")
    second = conv.write(app, f.firm, f.candidate, "Second question")
    answer = conv.reply(app, f.firm, f.recruiter, f.candidate, "Both answered", in_reply_to_id=second.id)
    later = conv.write(app, f.firm, f.candidate, "A third, after the reply")
    with firm_context(app, f.firm) as s:
        assert s.get(ConversationMessage, first.id).answered_at is not None
        assert s.get(ConversationMessage, second.id).answered_at is not None
        assert s.get(ConversationMessage, later.id).answered_at is None
        sent = s.get(Message, answer.outbox_message_id)
        assert sent.kind == "conversation_reply" and sent.candidate_id == f.candidate.id
        assert sent.to_email == f.candidate.email and "Both answered" in sent.body_text
        assert "Second question" in sent.body_text  # what it answers, quoted


def test_no_reply_needed_needs_a_reason_and_is_audited(app, firms):
    f = firms.a
    post = conv.write(app, f.firm, f.candidate, "Thanks, have a good weekend!")
    with firm_context(app, f.firm) as s:
        firm, actor, cand = s.get(Firm, f.firm.id), s.get(User, f.recruiter.id), s.get(Candidate, f.candidate.id)
        with pytest.raises(DomainError):
            conversations.mark_no_reply(firm, actor, cand, post.id, "  \x00 ")
        conversations.mark_no_reply(firm, actor, cand, post.id, "A thank-you; nothing to answer")
    with firm_context(app, f.firm) as s:
        row = s.get(ConversationMessage, post.id)
        assert row.no_reply_reason == "A thank-you; nothing to answer" and row.closed_by_id == f.recruiter.id
        assert row.answered_at is not None
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "conversation.no_reply"))
        assert entry.actor_id == f.recruiter.id and entry.details["message"] == post.id


def test_bad_bodies_are_refused_with_a_message(app, firms):
    f = firms.a
    with firm_context(app, f.firm) as s:
        firm, cand = s.get(Firm, f.firm.id), s.get(Candidate, f.candidate.id)
        for body in ("", "\x00\x00", "x" * 20_000):
            with pytest.raises(DomainError):
                conversations.post_from_candidate(firm, cand, body)
        assert conversations.clean_body("a\x00b\r\n") == "ab"


def _notified(app, f) -> dict[int, list[Message]]:
    with firm_context(app, f.firm) as s:
        rows = s.scalars(select(Message).where(Message.kind == "conversation_new")).all()
        out: dict[int, list[Message]] = {}
        for m in rows:
            out.setdefault(m.recipient_user_id, []).append(m)
        return out


def test_new_message_emails_the_owners_who_chose_immediately(app, firms):
    f = firms.a
    search_owner = make_user(app, f.firm, Role.RECRUITER, email="owner@alpha.example")
    quiet = make_user(app, f.firm, Role.RECRUITER, email="quiet@alpha.example")
    digest = make_user(app, f.firm, Role.RECRUITER, email="digest@alpha.example")
    with firm_context(app, f.firm) as s:
        s.get(User, quiet.id).message_notifications = "off"
        s.get(User, digest.id).message_notifications = "digest"
    search = r.make_search(app, f, title="Data Lead", owner=search_owner)
    cy = r.add(app, f, search, f.candidate)
    conv.write(app, f.firm, f.candidate, "About the Data Lead role", candidacy_id=cy.id)
    told = _notified(app, f)
    # The search's owner and the candidate's recruiter (both "immediately" by default).
    assert set(told) == {search_owner.id, f.recruiter.id}
    assert "About the Data Lead role" in told[search_owner.id][0].body_text
    # A burst from the same candidate waits for the grace window under one coalesce key.
    conv.write(app, f.firm, f.candidate, "And one more thing")
    told = _notified(app, f)
    keys = {m.coalesce_key for m in told[f.recruiter.id]}
    assert len(told[f.recruiter.id]) == 2 and len(keys) == 1
    # Owners who chose "off" or "digest" get no email.
    for user, choice in ((search_owner, "off"), (search_owner, "digest")):
        with firm_context(app, f.firm) as s:
            s.get(User, user.id).message_notifications = choice
        before = len(_notified(app, f).get(user.id, []))
        conv.write(app, f.firm, f.candidate, f"Quiet please ({choice})", candidacy_id=cy.id)
        assert len(_notified(app, f).get(user.id, [])) == before


def test_digest_lists_waiting_messages_unless_the_recruiter_turned_them_off(app, firms):
    from portal.services import cadence_digest

    f = firms.a
    other = make_candidate(app, f.firm, owner=f.recruiter, name="Ada Waiting")
    conv.write(app, f.firm, other, "Any news?", at=datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
    now = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)
    with firm_context(app, f.firm) as s:
        items = cadence_digest.waiting_message_items(s.get(Firm, f.firm.id), now)
        assert [(i["candidate"], i["owner"]) for i in items] == [("Ada Waiting", f.recruiter.id)]
        assert items[0]["reason"] == "waiting 4 days (overdue)"
        assert cadence_digest.plan_recruiter_digests(s.get(Firm, f.firm.id), now) >= 1
        digest = s.scalar(
            select(Message).where(Message.kind == "recruiter_digest", Message.recipient_user_id == f.recruiter.id)
        )
        assert "Ada Waiting" in digest.body_text and "waiting 4 days" in digest.body_text
        s.get(User, f.recruiter.id).message_notifications = "off"
        s.delete(digest)
        s.flush()
        cadence_digest.plan_recruiter_digests(s.get(Firm, f.firm.id), now)
        again = s.scalar(
            select(Message).where(Message.kind == "recruiter_digest", Message.recipient_user_id == f.recruiter.id)
        )
        assert again is None or "Ada Waiting" not in again.body_text


def test_the_promise_gauge_counts_waiting_and_overdue(app, firms):
    from portal.services import promises

    f = firms.a
    conv.write(app, f.firm, f.candidate, "Old", at=datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
    conv.write(app, f.firm, f.candidate, "New", at=datetime(2025, 3, 7, 9, 0, tzinfo=UTC))
    with firm_context(app, None):
        assert promises.candidate_messages_unanswered(datetime(2025, 3, 7, 10, 0, tzinfo=UTC)) == (2, 1)
