"""Two requests racing for the same interview's slots: both pass every check on the page as
they read it, then the conditional UPDATE on the interview's state and sequence decides. Exactly
one wins (one confirmation, one picked slot); the other is refused with a clear message. Two real
threads, each in its own app context, session and database connection (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.models import Candidate, Message, Stage
from portal.models.interview import Interview, InterviewState
from portal.services import Conflict, interview_choices
from portal.tenancy import as_firm
from portal.transaction import transaction
from tests.factories import firm_context
from tests.support import candidate as cs
from tests.support import interview_services as ivs


def test_both_past_the_checks_then_exactly_one_update_wins(app, firms, monkeypatch):
    f = firms.a
    search = cs.make_search(app, f)
    cy = cs.add(app, f, search, f.candidate, Stage.SCREENING)
    soon = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=4)
    iv_id = ivs.schedule(app, f, cy.id, slots=[soon, soon + timedelta(hours=2)])
    with firm_context(app, f.firm):
        slot_ids = [s.id for s in db.session.get(Interview, iv_id).slots]

    both_checked = threading.Barrier(2, timeout=20)
    real = interview_choices._conditional

    def after_both_checked(*args, **kwargs):
        both_checked.wait()  # each request has passed every check on what it read
        return real(*args, **kwargs)

    monkeypatch.setattr(interview_choices, "_conditional", after_both_checked)
    outcomes: list[str | None] = [None, None]

    def request(i: int) -> None:
        with app.app_context(), as_firm(f.firm.id):
            try:
                with transaction():
                    iv = db.session.get(Interview, iv_id)
                    me = db.session.get(Candidate, f.candidate.id)
                    interview_choices.pick_slot(f.firm, me, iv, slot_ids[i], 0)
                outcomes[i] = "won"
            except Conflict as exc:
                outcomes[i] = str(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(o == "won" for o in outcomes) == [False, True], outcomes
    loser = next(o for o in outcomes if o != "won")
    assert "no longer available" in loser
    winner = outcomes.index("won")
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        assert iv.state == InterviewState.SCHEDULED and iv.sequence == 1
        assert [(s.id, s.picked) for s in iv.slots] == [(slot_ids[winner], True)]
        confirmations = db.session.scalars(
            db.select(Message).where(Message.interview_id == iv_id, Message.kind == "interview_scheduled")
        ).all()
        assert len(confirmations) == 1
