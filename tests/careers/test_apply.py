"""Applying without an account (issue 18, item 3): a new person becomes a candidate with a
candidacy at "applied", an Application row and a confirmation email whose one-tap link signs
them in on their candidacy ("We have your application"); a known email gets no second record
and exactly the same answer; honeypot; rate limits; hostile input; un-advertised or closed
searches; another firm's search."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from portal.models import (
    Application,
    ApplicationSource,
    Candidacy,
    Candidate,
    Message,
    Search,
    SearchState,
    Stage,
    TokenPurpose,
    User,
)
from tests.careers.helpers import advertised, form, mailed_link, post_apply
from tests.factories import firm_context
from tests.support.recruiter import make_search


@pytest.fixture(autouse=True)
def _quick(app):
    app.config["RESET_MIN_SECONDS"] = 0.05


def _counts(app, f):
    with firm_context(app, f.firm) as s:
        return (
            s.scalar(select(func.count()).select_from(Candidate)),
            s.scalar(select(func.count()).select_from(Candidacy)),
            s.scalar(select(func.count()).select_from(Application)),
            s.scalar(select(func.count()).select_from(Message)),
        )


def test_the_form_shows_the_privacy_notice_and_retention(client_for, firms, app):
    search = advertised(app, firms.a)
    page = client_for(firms.a.firm).get(f"/careers/jobs/{search.id}/apply")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Privacy notice" in html and "24 months" in html and 'name="accept_privacy"' in html
    assert "Initech" not in html or not search.confidential


def test_a_new_person_applies_and_the_link_lands_on_their_candidacy(app, client_for, firms, run_jobs, smtp_sink):
    search = advertised(app, firms.a, title="Data Lead")
    c = client_for(firms.a.firm)
    resp = post_apply(c, search.id, form())
    assert resp.status_code == 303 and resp.headers["Location"] == f"/careers/jobs/{search.id}/applied"
    with firm_context(app, firms.a.firm) as s:
        person = s.scalar(select(Candidate).where(Candidate.email == "new.person@example.com"))
        assert person.name == "Nora New" and person.phone and person.location == "London" and person.cv_path
        user = s.get(User, person.user_id)
        assert user.password_hash is None
        cy = s.scalar(select(Candidacy).where(Candidacy.candidate_id == person.id))
        assert cy.stage == Stage.APPLIED and cy.search_id == search.id
        app_row = s.scalar(select(Application).where(Application.candidate_id == person.id))
        assert app_row.search_id == search.id and app_row.source == ApplicationSource.CAREERS
        assert app_row.note == "I would love to talk." and len(app_row.privacy_notice_hash) == 64
        msg = s.scalar(select(Message).where(Message.candidate_id == person.id))
        assert msg.credential == TokenPurpose.SIGN_IN.value and msg.credential_next == f"/me/searches/{cy.id}"
        cy_id = cy.id
    thanks = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "We have your application" in thanks and "Data Lead" in thanks
    path = mailed_link(run_jobs, smtp_sink, "new.person@example.com")
    phone = client_for(firms.a.firm)
    landed = phone.post(path)
    assert landed.status_code == 302 and landed.headers["Location"] == f"/me/searches/{cy_id}"
    page = phone.get(landed.headers["Location"]).get_data(as_text=True)
    assert "We have your application" in page and "within 7 days" in page


def test_a_known_email_gets_no_second_candidate_and_the_same_answer(app, client_for, firms, run_jobs, smtp_sink):
    search = advertised(app, firms.a)
    known = firms.a.candidate
    with firm_context(app, firms.a.firm) as s:
        row = s.get(Candidate, known.id)
        row.location = "Paris"
        row.phone = None
    before = _counts(app, firms.a)
    c = client_for(firms.a.firm)
    new = post_apply(c, search.id, form(email="someone.else@example.com", name="Somebody"))
    after_new = _counts(app, firms.a)
    old = post_apply(c, search.id, form(email=known.email.upper(), name="Another Name"))
    after_known = _counts(app, firms.a)
    assert (new.status_code, old.status_code) == (303, 303)
    assert new.headers["Location"] == old.headers["Location"]
    assert c.get(new.headers["Location"]).data == c.get(old.headers["Location"]).data
    # New: +1 candidate; known: none; each +1 candidacy, +1 application, +1 email.
    assert after_new[0] == before[0] + 1 and after_known[0] == after_new[0]
    assert after_known[1:] == tuple(n + 1 for n in after_new[1:])
    with firm_context(app, firms.a.firm) as s:
        row = s.get(Candidate, known.id)
        assert row.name != "Another Name" and row.location == "Paris"  # kept
        assert row.phone == "+44 20 7946 0000"  # an empty field filled
        assert row.cv_path  # had none: the CV given is kept
    # Applying again to the same search adds nothing twice (but answers and emails the same).
    again = post_apply(c, search.id, form(email=known.email))
    assert again.status_code == 303 and again.headers["Location"] == old.headers["Location"]
    final = _counts(app, firms.a)
    assert final[:3] == after_known[:3] and final[3] == after_known[3] + 1
    run_jobs()
    to = [m.rcpt_tos[0] for m in smtp_sink.messages]
    assert "someone.else@example.com" in to and known.email in to


def test_an_unadvertised_or_closed_search_takes_no_application(app, client_for, firms):
    hidden = make_search(app, firms.a)
    filled = advertised(app, firms.a, title="Filled one")
    with firm_context(app, firms.a.firm) as s:
        s.get(Search, filled.id).state = SearchState.FILLED
    c = client_for(firms.a.firm)
    assert c.get(f"/careers/jobs/{hidden.id}/apply").status_code == 404
    assert post_apply(c, hidden.id, form()).status_code == 404
    closed = c.get(f"/careers/jobs/{filled.id}/apply")
    assert closed.status_code == 410 and "no longer open" in closed.get_data(as_text=True)
    assert post_apply(c, filled.id, form()).status_code == 410
    assert c.get("/careers/jobs/999999/apply").status_code == 404
    assert _counts(app, firms.a)[2] == 0


def test_another_firms_search_is_a_404(app, client_for, firms):
    theirs = advertised(app, firms.b)
    c = client_for(firms.a.firm)
    assert c.get(f"/careers/jobs/{theirs.id}/apply").status_code == 404
    assert post_apply(c, theirs.id, form()).status_code == 404
    assert c.get(f"/careers/jobs/{theirs.id}/applied").status_code == 404


def test_careers_off_is_a_404(app, client_for, firms):
    search = advertised(app, firms.a)
    with firm_context(app, firms.a.firm) as s:
        from portal.models import Firm

        s.get(Firm, firms.a.firm.id).careers_enabled = False
    c = client_for(firms.a.firm)
    assert c.get(f"/careers/jobs/{search.id}/apply").status_code == 404
    assert c.get("/careers/join").status_code == 404


def test_the_honeypot_pretends_and_records_nothing(app, client_for, firms):
    search = advertised(app, firms.a)
    before = _counts(app, firms.a)
    resp = post_apply(client_for(firms.a.firm), search.id, form(website="http://spam.example"))
    assert resp.status_code == 303 and resp.headers["Location"] == f"/careers/jobs/{search.id}/applied"
    assert _counts(app, firms.a) == before


def test_the_privacy_notice_must_be_accepted(app, client_for, firms):
    search = advertised(app, firms.a)
    resp = post_apply(client_for(firms.a.firm), search.id, form(accept_privacy=None))
    assert resp.status_code == 400 and "accept the privacy notice" in resp.get_data(as_text=True)
    assert _counts(app, firms.a)[2] == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Nora\x00 New"),
        ("name", "x" * 20000),
        ("name", "<script>alert(1)</script>"),
        ("email", "not-an-email"),
        ("email", "a" * 20000 + "@example.com"),
        ("phone", "1" * 20000),
        ("location", "<img src=x onerror=alert(1)>"),
        ("note", "y" * 20000),
        ("note", "<script>alert(1)</script>"),
        ("ref", "\x00" * 300),
        ("cv", (BytesIO(b"MZ\x90\x00 not a cv"), "cv.pdf")),
        ("cv", (BytesIO(b"just text"), "cv.txt")),
        ("cv", (BytesIO(b"%PDF-1.4 fake"), "cv.docx")),
        ("cv", None),
    ],
)
def test_hostile_input_is_a_form_error_never_a_500(app, client_for, firms, field, value):
    search = advertised(app, firms.a)
    data = form()
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    resp = post_apply(client_for(firms.a.firm), search.id, data)
    html = resp.get_data(as_text=True)
    if field == "name" and "\x00" in value:  # the NUL byte is stripped: a fine application
        assert resp.status_code == 303
        return
    if field == "ref":  # a broken referral token is ignored
        assert resp.status_code == 303
        return
    assert resp.status_code == 400, (field, resp.status_code)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert _counts(app, firms.a)[2] == 0


def test_the_rate_limits_answer_429(app, client_for, firms):
    search = advertised(app, firms.a)
    app.config["RATELIMIT_APPLY_EMAIL"] = "2 per minute"
    try:
        c = client_for(firms.a.firm)
        for _ in range(2):
            assert post_apply(c, search.id, form(email="same@example.com")).status_code == 303
        blocked = post_apply(c, search.id, form(email="same@example.com"))
        assert blocked.status_code == 429 and "Too many applications" in blocked.get_data(as_text=True)
        assert post_apply(c, search.id, form(email="other@example.com")).status_code == 303
    finally:
        app.config["RATELIMIT_APPLY_EMAIL"] = "1000 per minute"
    app.config["RATELIMIT_APPLY"] = "1 per minute"
    try:
        c = client_for(firms.a.firm)
        assert post_apply(c, search.id, form(email="ip1@example.com")).status_code == 303
        assert post_apply(c, search.id, form(email="ip2@example.com")).status_code == 429
    finally:
        app.config["RATELIMIT_APPLY"] = "1000 per minute"


def test_too_large_an_upload_is_shown_on_the_form(app, client_for, firms):
    search = advertised(app, firms.a)
    data = form(cv=(BytesIO(b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)), "big.pdf"))
    resp = post_apply(client_for(firms.a.firm), search.id, data)
    assert resp.status_code == 413 and "too large" in resp.get_data(as_text=True)


def test_the_referral_token_on_the_query_reaches_the_form(app, client_for, firms):
    search = advertised(app, firms.a)
    page = client_for(firms.a.firm).get(f"/careers/jobs/{search.id}/apply?ref=12-abc")
    assert 'name="ref" type="hidden" value="12-abc"' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers or "ref" not in page.headers.get("Set-Cookie", "")


def test_without_its_csrf_token_nothing_is_recorded(app, client_for, firms):
    search = advertised(app, firms.a)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        c = client_for(firms.a.firm)
        page = c.get(f"/careers/jobs/{search.id}/apply")
        assert "session=" in page.headers.get("Set-Cookie", "")  # the form sets the CSRF cookie
        resp = post_apply(c, search.id, form())
        assert resp.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _counts(app, firms.a)[2] == 0


def test_known_and_new_emails_are_answered_no_sooner_than_the_floor(app, client_for, firms):
    import time

    search = advertised(app, firms.a)
    app.config["RESET_MIN_SECONDS"] = 0.3
    c = client_for(firms.a.firm)
    for email in (firms.a.candidate.email, "brand.new@example.com"):
        started = time.monotonic()
        assert post_apply(c, search.id, form(email=email)).status_code == 303
        assert time.monotonic() - started >= 0.3


def test_two_applications_of_one_new_email_at_the_same_instant_are_never_a_500(app, client_for, firms, monkeypatch):
    """Two web servers take the same new applicant at once: both look the email up before
    either commits. The second insert breaks the unique email; it is a message on the form,
    nothing is half-recorded, and sending again finds the candidate the first one wrote."""
    from portal.services import applications as service
    from portal.web.actions import SAME_MOMENT

    search = advertised(app, firms.a)
    known = firms.a.candidate  # as if written a moment ago by the other server
    before = _counts(app, firms.a)
    monkeypatch.setattr(service, "_find", lambda email: None)  # its lookup ran before that commit
    c = client_for(firms.a.firm)
    raced = post_apply(c, search.id, form(email=known.email, name="Same Person"))
    assert raced.status_code == 400
    assert SAME_MOMENT.replace("'", "&#39;") in raced.get_data(as_text=True)
    assert _counts(app, firms.a) == before
    monkeypatch.undo()
    again = post_apply(c, search.id, form(email=known.email, name="Same Person"))
    assert again.status_code == 303
    assert _counts(app, firms.a)[0] == before[0]
