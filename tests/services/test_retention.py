"""The retention policy: people quiet for the firm's retention period are warned once, erased
WARNING_DAYS later unless they came back (and audited), never while in a live search; old
message text is pruned after PORTAL_MESSAGE_BODY_DAYS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.models import AuditEntry, Candidate, Message, MessageState, Stage, User, utcnow
from portal.services import retention
from portal.services.retention import PRUNED, WARNING_DAYS
from tests.factories import firm_context
from tests.support.recruiter import add, make_search, people


def _age(app, f, candidate_id, days, **extra):
    with firm_context(app, f.firm) as s:
        c = s.get(Candidate, candidate_id)
        then = utcnow() - timedelta(days=days)
        c.created_at = then
        c.last_contacted_at = then
        c.availability_changed_at = None
        c.profile_confirmed_at = None
        for key, value in extra.items():
            setattr(c, key, value)
        if c.user_id:
            s.get(User, c.user_id).last_login_at = None


def _run(app, f, now, step):
    with firm_context(app, f.firm) as s:
        firm = s.merge(f.firm)
        return step(firm, now)


def test_quiet_people_are_warned_once_then_erased_unless_they_come_back(app, firms):
    f = firms.a
    quiet, returning, recent, searching = people(app, f, 4)
    for person in (quiet, returning, searching):
        _age(app, f, person.id, days=800)  # 26 months: past the default 24
    _age(app, f, recent.id, days=200)
    add(app, f, make_search(app, f), searching, Stage.SCREENING)
    now = utcnow()

    assert _run(app, f, now, retention.plan_warnings) == 2
    assert _run(app, f, now, retention.plan_warnings) == 0, "warned once"
    with firm_context(app, f.firm) as s:
        warned = {c.id for c in s.scalars(select(Candidate).where(Candidate.retention_warned_at.is_not(None)))}
        assert warned == {quiet.id, returning.id}
        warnings = s.scalars(select(Message).where(Message.kind == "retention_warning")).all()
        assert {m.candidate_id for m in warnings} == warned and all(m.stream is None for m in warnings)
        assert "will delete your profile" in warnings[0].body_text

    # One of them confirms their details a week later.
    with firm_context(app, f.firm) as s:
        s.get(Candidate, returning.id).profile_confirmed_at = now + timedelta(days=7)

    assert _run(app, f, now + timedelta(days=WARNING_DAYS - 1), retention.plan_erasures) == 0, "not before the day"
    later = now + timedelta(days=WARNING_DAYS + 1)
    assert _run(app, f, later, retention.plan_erasures) == 1
    with firm_context(app, f.firm) as s:
        assert s.get(Candidate, quiet.id).deleted_at is not None and s.get(Candidate, quiet.id).email is None
        kept = s.get(Candidate, returning.id)
        assert kept.deleted_at is None and kept.retention_warned_at is None, "activity forgives the warning"
        assert s.get(Candidate, searching.id).deleted_at is None
        assert s.get(Candidate, recent.id).deleted_at is None
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "candidate.erased_by_retention")).all()
        assert [a.details["candidate_id"] for a in audit] == [quiet.id]
        assert not s.scalars(select(Message).where(Message.kind == "account_deleted")).all(), "no recruiter is told"


def test_old_message_text_is_pruned_pending_messages_are_not(app, firms):
    from tests.support.fixtures.worker import with_test_templates
    from tests.support.worker import send_plain

    f = firms.a
    with with_test_templates(app):
        old, recent, waiting = (send_plain(app, f.firm, f.candidate) for _ in range(3))
    with firm_context(app, f.firm) as s:
        for mid, days, state in ((old, 800, MessageState.SENT), (recent, 10, MessageState.SENT), (waiting, 800, None)):
            m = s.get(Message, mid)
            m.created_at = utcnow() - timedelta(days=days)
            if state is not None:
                m.state = state
    assert _run(app, f, utcnow(), retention.prune_message_bodies) == 1
    assert _run(app, f, utcnow(), retention.prune_message_bodies) == 0
    with firm_context(app, f.firm) as s:
        assert s.get(Message, old).body_text == PRUNED
        assert s.get(Message, recent).body_text != PRUNED and s.get(Message, waiting).body_text != PRUNED
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "messages.pruned")).one().details == {"count": 1}
