"""Preferences and the one-click unsubscribe (RFC 8058), per candidate and per firm."""

from portal.extensions import db
from portal.models import Candidate, SuggestionFrequency
from tests.factories import firm_context, make_candidate


def _cand(app, f, cid):
    with firm_context(app, f.firm):
        return db.session.get(Candidate, cid)


def test_preferences_are_saved(app, firms, cand_client):
    page = cand_client.get("/me/settings").get_data(as_text=True)
    assert "Updates about the searches you are in always reach you" in page
    resp = cand_client.post(
        "/me/settings/preferences", data={"suggestion_frequency": "monthly", "allow_availability_prompts": ""}
    )
    assert resp.status_code == 303
    c = _cand(app, firms.a, firms.a.candidate.id)
    assert c.suggestion_frequency == SuggestionFrequency.MONTHLY and not c.allow_availability_prompts
    assert not c.unsubscribed_all
    resp = cand_client.post("/me/settings/preferences", data={"suggestion_frequency": "sometimes"})
    assert resp.status_code == 400 and "Not a valid choice" in resp.get_data(as_text=True)
    assert _cand(app, firms.a, firms.a.candidate.id).suggestion_frequency == SuggestionFrequency.MONTHLY


def test_unsubscribe_get_confirms_and_changes_nothing(app, firms, client_for):
    f = firms.a
    resp = client_for(f.firm).get(f"/unsubscribe/{f.candidate.unsubscribe_token}")
    assert resp.status_code == 200 and "Unsubscribe from optional emails?" in resp.get_data(as_text=True)
    assert not _cand(app, f, f.candidate.id).unsubscribed_all


def test_one_click_post_without_login_or_csrf(app, firms, client_for):
    f = firms.a
    app.config["WTF_CSRF_ENABLED"] = True
    other = make_candidate(app, f.firm, name="Bystander")
    c = client_for(f.firm)
    resp = c.post(f"/unsubscribe/{f.candidate.unsubscribe_token}", data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200 and "You are unsubscribed" in resp.get_data(as_text=True)
    me = _cand(app, f, f.candidate.id)
    assert me.unsubscribed_all and me.suggestion_frequency == SuggestionFrequency.WEEKLY
    assert not _cand(app, f, other.id).unsubscribed_all
    # Twice is fine.
    assert c.post(f"/unsubscribe/{f.candidate.unsubscribe_token}").status_code == 200
    # The exemption is for that view only: other candidate forms still need the CSRF token.
    from tests.support.fixtures.clients import login_as

    signed_in = client_for(f.firm)
    app.config["WTF_CSRF_ENABLED"] = False
    login_as(signed_in, f.candidate_user)
    app.config["WTF_CSRF_ENABLED"] = True
    assert signed_in.post("/me/settings/preferences", data={"suggestion_frequency": "never"}).status_code == 400
    assert _cand(app, f, f.candidate.id).suggestion_frequency == SuggestionFrequency.WEEKLY


def test_firm_a_link_does_nothing_for_firm_b(app, firms, client_for):
    a, b = firms.a, firms.b
    on_b = client_for(b.firm)
    assert on_b.get(f"/unsubscribe/{a.candidate.unsubscribe_token}").status_code == 404
    assert on_b.post(f"/unsubscribe/{a.candidate.unsubscribe_token}").status_code == 404
    assert not _cand(app, a, a.candidate.id).unsubscribed_all
    assert not _cand(app, b, b.candidate.id).unsubscribed_all
    # On its own firm's host it works, and only for firm A's candidate.
    assert client_for(a.firm).post(f"/unsubscribe/{a.candidate.unsubscribe_token}").status_code == 200
    assert _cand(app, a, a.candidate.id).unsubscribed_all
    assert not _cand(app, b, b.candidate.id).unsubscribed_all


def test_unknown_or_silly_tokens_are_404(app, firms, client_for):
    c = client_for(firms.a.firm)
    for token in ("nope", "x" * 500, "%00", "' OR 1=1 --"):
        assert c.get(f"/unsubscribe/{token}").status_code == 404
        assert c.post(f"/unsubscribe/{token}").status_code == 404
    assert (
        client_for(None, host="nofirm.localhost")
        .post(f"/unsubscribe/{firms.a.candidate.unsubscribe_token}")
        .status_code
        == 404
    )


def test_unsubscribe_endpoint_name_and_path(app, firms):
    from portal.web.templating import external_url

    with app.app_context():
        url = external_url(firms.a.firm, "candidate.unsubscribe", token="abc")
    assert url.endswith("/unsubscribe/abc") and "/me/" not in url
