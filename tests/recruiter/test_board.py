"""The board and the candidacy page: moves, consent, conflicts, closing and undo (plain forms)."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidacy, CloseReason, Consent, ConsentState, Message, MessageState, Stage, StageChange
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import add, approve_consent, flashes, make_search, people


def _cy(app, f, cid) -> Candidacy:
    with firm_context(app, f.firm):
        return db.session.get(Candidacy, cid)


def _move(client, cy, stage, version=None, **extra):
    return client.post(
        f"/recruiter/candidacies/{cy.id}/move",
        data={"stage": stage, "version": cy.version if version is None else version, **extra},
        follow_redirects=True,
    )


def test_board_has_a_column_per_stage_and_plain_move_forms(app, rec):
    s = make_search(app, rec.f)
    cy = add(app, rec.f, s, people(app, rec.f, 1)[0], Stage.CONTACTED)
    html = rec.client.get(f"/recruiter/searches/{s.id}/board").get_data(as_text=True)
    stages = re.findall(r'class="column" data-stage="(\w+)"', html)
    assert stages == [
        "applied",
        "identified",
        "contacted",
        "screening",
        "presented",
        "interviewing",
        "offer",
        "placed",
        "closed",
    ]
    card = html[html.index(f'id="card-{cy.id}"') :]
    card = card[: card.index("</article>")]
    assert f'name="version" value="{cy.version}"' in card
    assert 'name="csrf_token"' in card and "data-move-form" in card
    # The options are rendered once per stage: every other pipeline stage, the next one selected.
    assert '<option value="screening" selected>' in card and 'value="contacted"' not in card.split("<select")[1]
    # Closing needs the explanation the candidate reads: the card links to the candidacy's
    # close form, opened.
    assert f'href="/recruiter/candidacies/{cy.id}?close=1#stage"' in card
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}?close=1").get_data(as_text=True)
    assert '<details class="close-details" open>' in page and 'name="reason"' in page
    assert '<details class="close-details">' in rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert 'src="/static/board.js"' in html and "<script>" not in html


def test_move_records_history_and_writes_the_candidate_message(app, rec):
    s = make_search(app, rec.f)
    cy = add(app, rec.f, s, people(app, rec.f, 1)[0])
    resp = _move(rec.client, cy, "contacted")
    assert "moved to “Contacted”" in flashes(resp.get_data(as_text=True))
    with firm_context(app, rec.f.firm):
        row = db.session.get(Candidacy, cy.id)
        assert row.stage == Stage.CONTACTED and row.version == cy.version + 1
        ch = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
        assert (ch.from_stage, ch.to_stage, ch.actor_id) == (Stage.IDENTIFIED, Stage.CONTACTED, rec.f.recruiter.id)
        msg = db.session.scalar(select(Message).where(Message.kind == "stage_changed"))
        assert msg.candidacy_id == cy.id and "contacted" not in msg.subject  # candidate words, not codes


def test_presenting_without_consent_is_refused_with_a_clear_message(app, rec):
    s = make_search(app, rec.f)
    cy = add(app, rec.f, s, people(app, rec.f, 1)[0], Stage.SCREENING)
    for target in ("presented", "interviewing", "offer"):
        resp = _move(rec.client, cy, target)
        assert "has not approved sending their profile" in flashes(resp.get_data(as_text=True))
    assert _cy(app, rec.f, cy.id).stage == Stage.SCREENING
    # Asked but not answered: still refused.
    rec.client.post(f"/recruiter/candidacies/{cy.id}/consent")
    resp = _move(rec.client, cy, "presented")
    assert "Request their consent first" in flashes(resp.get_data(as_text=True))
    assert _cy(app, rec.f, cy.id).stage == Stage.SCREENING


def test_consent_request_status_and_history_on_the_candidacy_page(app, rec):
    f = rec.f
    s = make_search(app, f, client="Hooli")
    cy = add(app, f, s, f.candidate, Stage.SCREENING)
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/consent", follow_redirects=True)
    assert "Consent requested" in flashes(resp.get_data(as_text=True))
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "Consent asked" in page and "Waiting" in page
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/consent", follow_redirects=True)
    assert "already requested" in flashes(resp.get_data(as_text=True))
    from portal.services import consent as consent_service

    with firm_context(app, f.firm):
        c = db.session.scalar(select(Consent))
        consent_service.answer_consent(f.firm, f.candidate, c.id, approve=True, comment="Happy to")
    resp = _move(rec.client, _cy(app, f, cy.id), "presented")
    assert "moved to “Presented to client”" in flashes(resp.get_data(as_text=True))
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "Consent given, CV sent" in page and "Given" in page and "“Happy to”" in page
    with firm_context(app, f.firm):
        c = db.session.scalar(select(Consent))
        assert c.state == ConsentState.APPROVED and c.answered_at and c.cv_sent_at


def test_declined_consent_blocks_presenting_and_can_be_asked_again(app, rec):
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    rec.client.post(f"/recruiter/candidacies/{cy.id}/consent")
    from portal.services import consent as consent_service

    with firm_context(app, f.firm):
        consent_service.answer_consent(f.firm, f.candidate, db.session.scalar(select(Consent.id)), approve=False)
    assert "has not approved" in flashes(_move(rec.client, cy, "presented").get_data(as_text=True))
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "Consent declined" in page and "Request consent" in page


def test_two_recruiters_moving_the_same_card_the_second_gets_a_conflict(app, rec, client_for):
    f = rec.f
    s = make_search(app, f)
    cy = add(app, f, s, people(app, f, 1)[0], Stage.CONTACTED)
    other = client_for(f.firm)
    login_as(other, f.admin)
    seen = cy.version  # both pages were loaded with this version
    first = _move(rec.client, cy, "screening", version=seen)
    assert "moved to “Screening”" in flashes(first.get_data(as_text=True))
    second = _move(other, cy, "identified", version=seen)
    text = flashes(second.get_data(as_text=True))
    assert "conflict" in text and "Someone else changed" in text and "Nothing was overwritten" in text
    row = _cy(app, f, cy.id)
    assert row.stage == Stage.SCREENING
    with firm_context(app, f.firm):
        assert (
            db.session.scalar(select(StageChange.to_stage).order_by(StageChange.id.desc()).limit(1)) == Stage.SCREENING
        )
    # The same for closing with a stale version.
    third = other.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "not_a_fit", "explanation": "", "version": seen},
        follow_redirects=True,
    )
    assert "conflict" in flashes(third.get_data(as_text=True))
    assert _cy(app, f, cy.id).stage == Stage.SCREENING


def test_close_a_candidacy_with_reason_and_explanation(app, rec):
    f = rec.f
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.SCREENING)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "not_a_fit", "explanation": "The role needs more Go experience.", "version": cy.version},
        follow_redirects=True,
    )
    assert "is closed (Not a fit)" in flashes(resp.get_data(as_text=True))
    row = _cy(app, f, cy.id)
    assert row.stage == Stage.CLOSED and row.close_reason == CloseReason.NOT_A_FIT
    with firm_context(app, f.firm):
        msg = db.session.scalar(select(Message).where(Message.kind == "candidacy_closed"))
        assert "more Go experience" in msg.body_text and "Not a fit for this role" in msg.body_text
    html = rec.client.get(f"/recruiter/searches/{cy.search_id}/board").get_data(as_text=True)
    closed_col = html[html.index('data-stage="closed"') :]
    assert f'id="card-{cy.id}"' in closed_col


def test_bad_move_input_is_refused_cleanly(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), people(app, rec.f, 1)[0])
    for data in (
        {"stage": "closed", "version": cy.version},
        {"stage": "nonsense", "version": cy.version},
        {"stage": "contacted"},
        {"stage": "contacted", "version": "abc"},
    ):
        resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/move", data=data, follow_redirects=True)
        assert resp.status_code == 200 and "Not moved" in flashes(resp.get_data(as_text=True))
    assert _cy(app, rec.f, cy.id).stage == Stage.IDENTIFIED


def test_move_redirects_only_to_local_next(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), people(app, rec.f, 1)[0])
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/move",
        data={"stage": "contacted", "version": cy.version, "next": "https://evil.example/"},
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/recruiter/searches/{cy.search_id}/board")


def test_undo_within_the_grace_window_reverts_and_cancels_the_message(app, rec):
    app.config["GRACE_SECONDS"] = 300
    f = rec.f
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.CONTACTED)
    board = f"/recruiter/searches/{cy.search_id}/board"
    with firm_context(app, f.firm):
        first_msg = db.session.scalar(select(Message).where(Message.kind == "stage_changed"))
    resp = _move(rec.client, cy, "screening", next=board)
    html = resp.get_data(as_text=True)
    assert "The candidate has not been told yet" in html and ">Undo</button>" in html
    change_id = int(re.search(r'name="change_id" value="(\d+)"', html).group(1))
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/undo", data={"change_id": change_id, "next": board}, follow_redirects=True
    )
    assert "Undone" in flashes(resp.get_data(as_text=True))
    assert ">Undo</button>" not in resp.get_data(as_text=True)
    with firm_context(app, f.firm):
        row = db.session.get(Candidacy, cy.id)
        assert row.stage == Stage.CONTACTED
        ch = db.session.get(StageChange, change_id)
        assert ch.undone_at is not None
        msgs = {m.dedupe_key: m for m in db.session.scalars(select(Message))}
    assert msgs[f"stage:{change_id}"].state == MessageState.CANCELLED
    # The message it had replaced (the move to "contacted") is pending again: the candidate hears that.
    assert msgs[first_msg.dedupe_key].state == MessageState.PENDING
    # The activity shows the undone move.
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "undone" in page


def test_undo_is_refused_once_the_message_went_out(app, rec, run_jobs):
    f = rec.f
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.CONTACTED)
    _move(rec.client, cy, "screening")
    with firm_context(app, f.firm):
        change = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
        msg = db.session.scalar(select(Message).where(Message.dedupe_key == f"stage:{change.id}"))
        msg.state = MessageState.SENT
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/undo", data={"change_id": change.id}, follow_redirects=True)
    assert "Too late to undo" in flashes(resp.get_data(as_text=True))
    assert _cy(app, f, cy.id).stage == Stage.SCREENING


def test_undo_with_a_stale_change_id_is_a_conflict(app, rec):
    f = rec.f
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.CONTACTED)
    _move(rec.client, cy, "screening")
    with firm_context(app, f.firm):
        first = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first().id
    _move(rec.client, _cy(app, f, cy.id), "contacted")
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/undo", data={"change_id": first}, follow_redirects=True)
    assert "changed again since that move" in flashes(resp.get_data(as_text=True))
    assert _cy(app, f, cy.id).stage == Stage.CONTACTED


def test_undo_of_a_move_to_presented_clears_cv_sent(app, rec):
    f = rec.f
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    approve_consent(app, f, cy)
    _move(rec.client, _cy(app, f, cy.id), "presented")
    with firm_context(app, f.firm):
        assert db.session.scalar(select(Consent.cv_sent_at)) is not None
        change = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    rec.client.post(f"/recruiter/candidacies/{cy.id}/undo", data={"change_id": change.id})
    with firm_context(app, f.firm):
        assert db.session.get(Candidacy, cy.id).stage == Stage.SCREENING
        assert db.session.scalar(select(Consent.cv_sent_at)) is None


def test_undo_of_a_close_reopens_and_cancels_the_close_the_loop_message(app, rec):
    f = rec.f
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.SCREENING)
    rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close", data={"reason": "withdrew", "explanation": "", "version": cy.version}
    )
    with firm_context(app, f.firm):
        change = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    rec.client.post(f"/recruiter/candidacies/{cy.id}/undo", data={"change_id": change.id})
    row = _cy(app, f, cy.id)
    assert row.stage == Stage.SCREENING and row.closed_at is None and row.close_reason is None
    with firm_context(app, f.firm):
        close_msg = db.session.scalar(select(Message).where(Message.kind == "candidacy_closed"))
        assert close_msg.state == MessageState.CANCELLED


def test_an_undo_offer_appears_once_and_only_on_its_own_candidacys_pages(app, rec):
    """Move Anna: her board says so once (the offer, no flash repeating it) and her page offers
    the undo; Jonas's page in the same search, and another search's board, never do."""
    app.config["GRACE_SECONDS"] = 300
    f = rec.f
    s, other = make_search(app, f), make_search(app, f, title="Data Lead")
    anna, jonas = people(app, f, 1, name="Anna Kowalska")[0], people(app, f, 1, name="Jonas Weber")[0]
    cy_a, cy_b = add(app, f, s, anna, Stage.CONTACTED), add(app, f, s, jonas, Stage.CONTACTED)
    add(app, f, other, people(app, f, 1)[0], Stage.CONTACTED)
    board = f"/recruiter/searches/{s.id}/board"

    def offers(html):
        return html.count('class="undo-banner"'), html.count("moved to “Screening”"), html.count(">Undo</button>")

    html = _move(rec.client, cy_a, "screening", next=board).get_data(as_text=True)
    assert offers(html) == (1, 1, 1) and "Anna Kowalska moved to “Screening”" in html
    assert flashes(html) == ""  # the offer says it; no flash says it again
    assert f'action="/recruiter/candidacies/{cy_a.id}/undo"' in html
    assert offers(rec.client.get(board).get_data(as_text=True)) == (1, 1, 1)  # still once, while it can be undone
    jonas_page = rec.client.get(f"/recruiter/candidacies/{cy_b.id}").get_data(as_text=True)
    assert offers(jonas_page) == (0, 0, 0) and "Anna" not in jonas_page
    assert offers(rec.client.get(f"/recruiter/searches/{other.id}/board").get_data(as_text=True)) == (0, 0, 0)
    anna_page = rec.client.get(f"/recruiter/candidacies/{cy_a.id}").get_data(as_text=True)
    assert offers(anna_page) == (1, 1, 1)
    # Looking at Jonas did not use up Anna's offer; undoing it ends it everywhere.
    change_id = int(re.search(r'name="change_id" value="(\d+)"', anna_page).group(1))
    done = rec.client.post(f"/recruiter/candidacies/{cy_a.id}/undo", data={"change_id": change_id, "next": board})
    assert done.status_code == 303
    assert offers(rec.client.get(board).get_data(as_text=True))[0] == 0


def test_a_close_offers_its_undo_once_too(app, rec):
    app.config["GRACE_SECONDS"] = 300
    f = rec.f
    cy = add(app, f, make_search(app, f), people(app, f, 1, name="Anna Kowalska")[0], Stage.SCREENING)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "withdrew", "explanation": "", "version": cy.version},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert html.count('class="undo-banner"') == 1 and html.count("candidacy is closed") == 1
    assert "Anna Kowalska's candidacy is closed (" in html and flashes(html) == ""


def test_without_a_grace_window_the_move_is_said_by_the_flash(app, rec):
    """No undo to offer (GRACE_SECONDS = 0): the flash says what happened, once."""
    cy = add(app, rec.f, make_search(app, rec.f), people(app, rec.f, 1)[0], Stage.CONTACTED)
    html = _move(rec.client, cy, "screening").get_data(as_text=True)
    assert 'class="undo-banner"' not in html and html.count("moved to “Screening”") == 1
    assert "moved to “Screening”" in flashes(html)


def test_add_candidates_to_a_search_from_the_pool(app, rec):
    f = rec.f
    s = make_search(app, f)
    (alice,) = people(app, f, 1, name="Alice Example")
    html = rec.client.get(f"/recruiter/searches/{s.id}/add?q=alice").get_data(as_text=True)
    assert "Alice Example" in html
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/candidates",
        data={"candidate_id": alice.id, "stage": "contacted"},
        follow_redirects=True,
    )
    assert "added to Staff Engineer" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        row = db.session.scalar(select(Candidacy))
        assert row.candidate_id == alice.id and row.stage == Stage.CONTACTED
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/candidates",
        data={"candidate_id": alice.id, "stage": "identified"},
        follow_redirects=True,
    )
    assert "already in this search" in flashes(resp.get_data(as_text=True))
    # Presented or later is not a starting stage.
    (bob,) = people(app, f, 1)
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/candidates",
        data={"candidate_id": bob.id, "stage": "presented"},
        follow_redirects=True,
    )
    assert "Not a valid choice" in flashes(resp.get_data(as_text=True))
    assert "Alice Example" not in rec.client.get(f"/recruiter/searches/{s.id}/add?q=alice").get_data(as_text=True)


def test_add_to_search_from_the_candidate_page(app, rec):
    f = rec.f
    s = make_search(app, f, title="Data Lead")
    (c,) = people(app, f, 1)
    page = rec.client.get(f"/recruiter/candidates/{c.id}").get_data(as_text=True)
    assert "Data Lead" in page
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/searches", data={"search_id": s.id, "stage": "identified"}, follow_redirects=True
    )
    assert "added to Data Lead" in flashes(resp.get_data(as_text=True))
