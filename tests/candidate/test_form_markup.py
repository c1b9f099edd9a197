"""The candidate's forms and pages as a screen reader meets them: the CV label names the file
input (not the page section with the same id), aria-describedby names only what is on the
page, the error summary links to each field, and a search's own page has its h1."""

from tests.support import candidate as h
from tests.support.markup import parse


def test_profile_cv_label_names_the_file_input(cand_client):
    resp = cand_client.get("/me/profile")
    page = parse(resp.get_data(as_text=True))
    assert page.duplicate_ids() == []
    assert page.missing_references() == []
    cv = page.control_for(page.label("Your CV"))
    assert cv.tag == "input" and cv.attrs["type"] == "file" and cv.attrs["name"] == "cv"


def test_pages_with_several_forms_repeat_no_id_with_csrf_on(app, cand_client):
    """Every form carries a hidden CSRF token; with three forms on the profile page the token
    input used to repeat id="csrf_token" three times."""
    app.config["WTF_CSRF_ENABLED"] = True
    for path in ("/me/profile", "/me/settings", "/me/keep-in-touch"):
        html = cand_client.get(path).get_data(as_text=True)
        assert html.count('name="csrf_token"') >= 2, path
        assert parse(html).duplicate_ids() == [], path


def test_profile_error_state_summary_links_to_each_invalid_field(cand_client):
    resp = cand_client.post(
        "/me/profile",
        data={
            "name": "",
            "email": "not an email",
            "job_seeking": "active",
            "remote_preference": "any",
            "pay_currency": "EUR",
        },
    )
    assert resp.status_code == 400
    page = parse(resp.get_data(as_text=True))
    assert page.duplicate_ids() == []
    assert page.missing_references() == []
    invalid = {e.attrs["id"] for e in page.elements if e.attrs.get("aria-invalid") == "true"}
    assert {"name", "email"} <= invalid
    links = {e.attrs["href"] for e in page.elements if e.tag == "a" and e.attrs.get("href", "").startswith("#")}
    assert {f"#{i}" for i in invalid} <= links


def test_login_error_state_describes_fields_with_ids_that_exist(firms, client_for, auth):
    resp = auth(client_for(firms.a.firm)).login("", "")
    assert resp.status_code == 400
    page = parse(resp.get_data(as_text=True))
    assert page.missing_references() == []
    email = page.control_for(page.label("Email"))
    assert email.attrs["aria-describedby"] == "email-error" and email.attrs["aria-invalid"] == "true"
    links = {e.attrs["href"] for e in page.elements if e.tag == "a"}
    assert {"#email", "#password"} <= links


def test_a_search_page_has_one_h1(app, firms, cand_client):
    f = firms.a
    cy = h.add(app, f, h.make_search(app, f, title="Platform Engineer"), f.candidate)
    page = parse(cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True))
    assert [e.tag for e in page.elements].count("h1") == 1
    assert page.duplicate_ids() == []
