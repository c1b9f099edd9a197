"""The survey page (/survey/<token>, no sign-in, the firm from the Host): GET shows the question
with the tapped score chosen and records nothing (mail scanners open links); POST (CSRF)
records the score and comment, which may be changed until the link expires; an unknown or
expired link is a friendly page, another firm's link a 404; bad input is a form message with
nothing typed lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.models import SurveyResponse, utcnow
from tests.factories import firm_context
from tests.surveys.helpers import closed_candidacy, delivered_links, plan, responses

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def links(app, firms, run_jobs, smtp_sink):
    """The survey links of firm A's candidate, as the mail server received them."""
    closed_candidacy(app, firms.a)
    assert plan(app, firms.a) == 1
    return delivered_links(run_jobs, smtp_sink, firms.a.candidate.email)


def _answer(app, f):
    (r,) = responses(app, f)
    return r.score, r.comment, r.answered_at


def test_get_shows_the_tapped_score_and_records_nothing(app, firms, client_for, links):
    c = client_for(firms.a.firm)
    for _ in range(3):  # a scanner, a preview, the candidate
        resp = c.get(links[8])
        assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "How well did we keep you informed?" in html and 'name="comment"' in html
    assert '<input checked id="score-8"' in html and html.count("checked") == 1
    assert 'name="robots" content="noindex"' in html
    assert _answer(app, firms.a) == (None, None, None)
    # A score outside 0-10 chooses nothing and records nothing.
    html = c.get(links[8].replace("score=8", "") + "?score=11").get_data(as_text=True)
    assert "checked" not in html
    assert _answer(app, firms.a) == (None, None, None)


def test_post_records_and_the_answer_can_be_changed(app, firms, client_for, links):
    c = client_for(firms.a.firm)
    path = links[0].split("?")[0]
    resp = c.post(path, data={"score": "9", "comment": "Quick and kind.\r\nThanks"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(path)
    score, comment, answered = _answer(app, firms.a)
    assert (score, comment) == (9, "Quick and kind.\nThanks") and answered is not None
    html = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Your answer is recorded" in html and "we have your answer (9 out of 10)" in html
    assert '<input checked id="score-9"' in html and "Quick and kind." in html
    # Changed within the link's life: the latest answer counts.
    assert c.post(path, data={"score": "6", "comment": ""}).status_code == 303
    assert _answer(app, firms.a)[:2] == (6, None)


def test_post_needs_the_csrf_token(app, firms, client_for, links):
    app.config["WTF_CSRF_ENABLED"] = True
    c = client_for(firms.a.firm)
    path = links[5].split("?")[0]
    assert c.post(path, data={"score": "5"}).status_code == 400
    assert _answer(app, firms.a) == (None, None, None)
    page = c.get(links[5]).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert c.post(path, data={"score": "5", "csrf_token": token}).status_code == 303
    assert _answer(app, firms.a)[0] == 5


@pytest.mark.parametrize(
    "data,message",
    [
        ({}, "Please choose a score from 0 to 10."),
        ({"score": "11"}, "Not a valid choice"),
        ({"score": "ten"}, "Not a valid choice"),
        ({"score": "7", "comment": "x" * 20_000}, "Please use at most 2000 characters."),
        ({"score": "7", "comment": SCRIPT}, "HTML is not allowed here"),
    ],
)
def test_bad_input_is_a_form_message_and_nothing_typed_is_lost(app, firms, client_for, links, data, message):
    c = client_for(firms.a.firm)
    resp = c.post(links[3].split("?")[0], data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html, html[-3000:]
    if data.get("comment"):
        assert (data["comment"][:200] if len(data["comment"]) > 200 else "&lt;script&gt;") in html
        assert "<script>alert" not in html
    assert _answer(app, firms.a) == (None, None, None)


def test_a_nul_byte_is_dropped_not_a_500(app, firms, client_for, links):
    c = client_for(firms.a.firm)
    resp = c.post(links[2].split("?")[0], data={"score": "2", "comment": "late\x00 answer"})
    assert resp.status_code == 303
    assert _answer(app, firms.a)[:2] == (2, "late answer")


def test_an_expired_link_is_a_friendly_page_and_records_nothing(app, firms, client_for, links):
    with firm_context(app, firms.a.firm) as s:
        s.execute(update(SurveyResponse).values(expires_at=utcnow() - timedelta(minutes=1)))
    c = client_for(firms.a.firm)
    resp = c.get(links[4])
    assert resp.status_code == 410 and "This survey has closed" in resp.get_data(as_text=True)
    resp = c.post(links[4].split("?")[0], data={"score": "4"})
    assert resp.status_code == 410 and "This survey has closed" in resp.get_data(as_text=True)
    assert _answer(app, firms.a) == (None, None, None)


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 200, "%00", "a-b_c" * 9])
def test_an_unknown_link_is_a_friendly_404(app, firms, client_for, token):
    resp = client_for(firms.a.firm).get(f"/survey/{token}?score=3")
    assert resp.status_code == 404 and "We do not know this survey link" in resp.get_data(as_text=True)
    resp = client_for(firms.a.firm).post(f"/survey/{token}", data={"score": "3"})
    assert resp.status_code == 404


def test_another_firms_link_is_a_404_and_records_nothing(app, firms, client_for, links):
    on_b = client_for(firms.b.firm)
    path = links[10].split("?")[0]
    assert on_b.get(links[10]).status_code == 404
    assert on_b.post(path, data={"score": "10"}).status_code == 404
    assert _answer(app, firms.a) == (None, None, None)


def test_the_stored_email_cannot_answer(app, firms, client_for, links):
    """The link in the stored message (staff pages show it) carries no token."""
    from portal.services import surveys

    resp = client_for(firms.a.firm).post(f"/survey/{surveys.TOKEN_MARK}", data={"score": "10"})
    assert resp.status_code == 404
    assert _answer(app, firms.a) == (None, None, None)


def test_the_page_is_a_bounded_number_of_statements(app, firms, client_for, links, count_queries):
    c = client_for(firms.a.firm)
    c.get(links[1])
    with count_queries() as q:
        assert c.get(links[1]).status_code == 200
    assert q.count <= 4, q.statements
    with count_queries() as q:
        assert c.post(links[1].split("?")[0], data={"score": "1"}).status_code == 303
    assert q.count <= 8, q.statements


def test_the_answer_is_in_the_data_export_and_goes_with_the_account(app, firms, client_for, cand_client, links):
    c = client_for(firms.a.firm)
    assert c.post(links[9].split("?")[0], data={"score": "9", "comment": "MY-OWN-WORDS"}).status_code == 303
    export = cand_client.get("/me/settings/my-data.json").get_json()
    assert export["preferences"]["survey_questions"] is True
    assert [(a["score"], a["comment"]) for a in export["survey_answers"]] == [(9, "MY-OWN-WORDS")]
    from tests.factories import PASSWORD

    resp = cand_client.post("/me/settings/delete", data={"password": PASSWORD, "confirm": "y"})
    assert resp.status_code == 200 and "deleted" in resp.get_data(as_text=True)
    (r,) = responses(app, firms.a)
    assert (r.score, r.comment, r.candidate_id) == (9, None, None)  # an anonymous figure now
    assert c.get(links[9]).status_code == 410  # the link no longer opens anything of theirs
