"""Where am I, what do I do next: the home page starts with the candidate's to-do list (an open
consent request until it is answered), and each search card shows its stages as a stepper in
candidate words with the current one marked (an ordered list, aria-current="step")."""

from __future__ import annotations

import re

from portal.models import CloseReason, Stage
from portal.services.candidate_portal import SearchCard, steps_for
from portal.services.candidate_todo import todo_items
from tests.factories import make_candidate
from tests.support import candidate as h


def _todo(html: str) -> str:
    start = html.index('id="todo"')
    return html[start : html.index("</section>", start)] if "<section" in html[start - 80 : start] else html[start:]


def _stepper(html: str, candidacy_id: int) -> list[tuple[str, bool]]:
    """The stepper of one card as (label, is current), in order."""
    card = html[html.index(f'id="search-{candidacy_id}"') :]
    ol = card[card.index('<ol class="stepper"') : card.index("</ol>")]
    return [
        (re.sub(r"<[^>]+>.*?</span>", "", label).strip(), 'aria-current="step"' in attrs)
        for attrs, label in re.findall(r"<li([^>]*)>(.*?)</li>", ol, re.S)
    ]


def test_the_todo_lists_an_open_consent_and_it_disappears_once_answered(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Head of Data")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    consent = h.request_consent(app, f, cy.id)
    html = cand_client.get("/me/").get_data(as_text=True)
    # The to-do comes first: before the searches.
    assert html.index('id="todo"') < html.index("Your searches")
    todo = _todo(html)
    assert "To do" in todo and "(1)" in todo
    assert "Head of Data" in todo and f'href="/me/consents/{consent.id}"' in todo
    cand_client.post(f"/me/consents/{consent.id}", data={"approve": "y"})
    html = cand_client.get("/me/").get_data(as_text=True)
    assert f"/me/consents/{consent.id}" not in _todo(html)
    assert "Nothing for you to do right now" in html


def test_the_todo_leaves_out_ended_searches_and_other_candidates(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Data Lead")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    h.request_consent(app, f, cy.id)
    h.close(app, f, cy.id, CloseReason.ROLE_CLOSED, "The role was cancelled.")
    other = make_candidate(app, f.firm, email="someone.else@alpha.example", owner=f.recruiter)
    h.request_consent(app, f, h.add(app, f, s, other, Stage.SCREENING).id)  # theirs, not ours
    html = cand_client.get("/me/").get_data(as_text=True)
    assert "Nothing for you to do right now" in html and "/me/consents/" not in _todo(html)


def test_todo_items_are_gathered_from_the_cards_without_a_query(app, count_queries):
    card = SearchCard(
        candidacy_id=1,
        title="Role",
        client_name="Client",
        location=None,
        remote_label="Remote",
        is_open=True,
        label="",
        explanation="",
        stage_changed_at=None,  # type: ignore[arg-type]
        close_reason=None,
        close_explanation=None,
        recruiter=None,
        open_consent_id=7,
        feedback_count=0,
    )
    with app.app_context(), count_queries() as queries:
        items = todo_items([card, SearchCard(**{**card.__dict__, "candidacy_id": 2, "open_consent_id": None})])
    assert [(i.kind, i.endpoint, i.args) for i in items] == [("consent", "candidate.consent", {"consent_id": 7})]
    assert queries.count == 0


def test_the_stepper_marks_the_current_stage_in_candidate_words(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Platform Lead")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    h.approve(app, f, f.candidate, h.request_consent(app, f, cy.id).id)
    h.move(app, f, cy.id, Stage.PRESENTED)
    h.move(app, f, cy.id, Stage.INTERVIEWING)
    for page in ("/me/", f"/me/searches/{cy.id}"):
        html = cand_client.get(page).get_data(as_text=True)
        steps = _stepper(html, cy.id)
        assert [label for label, _ in steps] == [
            "In touch",
            "Getting to know you",
            "With the client",
            "Interviews",
            "Offer",
            "Hired",
        ]
        assert [label for label, current in steps if current] == ["Interviews"]
        # Readable without CSS: each step says whether it is done, current or ahead.
        assert 'Getting to know you <span class="visually-hidden">(done)</span>' in html
        assert 'Interviews <span class="visually-hidden">(you are here)</span>' in html
        assert 'Offer <span class="visually-hidden">(still ahead)</span>' in html


def test_a_closed_search_shows_the_steps_it_reached_then_ended(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Data Lead")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    h.approve(app, f, f.candidate, h.request_consent(app, f, cy.id).id)
    h.move(app, f, cy.id, Stage.PRESENTED)
    h.close(app, f, cy.id, CloseReason.CLIENT_DECLINED, "They hired internally.")
    steps = _stepper(cand_client.get("/me/").get_data(as_text=True), cy.id)
    assert steps == [("In touch", False), ("Getting to know you", False), ("With the client", False), ("Ended", True)]


def test_steps_for_each_stage():
    for stage in Stage:
        if stage == Stage.CLOSED:
            continue
        steps = steps_for(stage)
        assert len(steps) == 6 and sum(st.state == "current" for st in steps) == 1
    assert [st.state for st in steps_for(Stage.IDENTIFIED)] == [st.state for st in steps_for(Stage.CONTACTED)]
    assert [st.state for st in steps_for(Stage.APPLIED)] == [st.state for st in steps_for(Stage.CONTACTED)]
    assert [st.state for st in steps_for(Stage.PLACED)][-1] == "current"
    assert [(st.label, st.state) for st in steps_for(Stage.CLOSED, None)] == [("Ended", "current")]
