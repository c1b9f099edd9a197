"""Consent: the role's details first, approve/decline once, and where the CV has been sent."""

from sqlalchemy import func, select

from portal import i18n
from portal.extensions import db
from portal.models import Consent, ConsentState, Firm, Message, Stage
from tests.factories import firm_context
from tests.support import candidate as h


def _setup(app, f, **kw):
    s = h.make_search(
        app,
        f,
        title="Head of Data",
        location="Munich",
        pay_min=90000,
        pay_max=120000,
        description_md="Lead a **team of six**.",
        **kw,
    )
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    return s, cy, h.request_consent(app, f, cy.id)


def test_open_request_shows_the_roles_details(app, firms, cand_client):
    f = firms.a
    _s, _cy, consent = _setup(app, f)
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "We need your answer" in home and f"/me/consents/{consent.id}" in home
    html = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    for text in ("Head of Data", "Initech", "Munich", "€90,000–€120,000 a year", "<strong>team of six</strong>"):
        assert text in html, text
    assert "Yes, send my profile" in html and "No, do not send it" in html


def test_approve_is_recorded_once_and_a_double_submit_changes_nothing(app, firms, cand_client):
    f = firms.a
    _s, cy, consent = _setup(app, f)
    resp = cand_client.post(f"/me/consents/{consent.id}", data={"approve": "y", "comment": "Happy to!"})
    assert resp.status_code == 303
    with firm_context(app, f.firm):
        row = db.session.get(Consent, consent.id)
        first = (row.state, row.answered_at, row.comment)
    assert first[0] == ConsentState.APPROVED and first[2] == "Happy to!"
    again = cand_client.post(
        f"/me/consents/{consent.id}", data={"decline": "y", "comment": "changed my mind"}, follow_redirects=True
    )
    assert again.status_code == 200
    assert "already answered" in again.get_data(as_text=True)
    with firm_context(app, f.firm):
        row = db.session.get(Consent, consent.id)
        assert (row.state, row.answered_at, row.comment) == first
        answered = db.session.scalar(
            select(func.count()).select_from(Message).where(Message.kind == "consent_answered")
        )
        assert answered == 1
    # The answer page now shows the answer, with no form.
    html = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    assert "You said yes" in html and "Yes, send my profile" not in html


def test_decline_with_comment(app, firms, cand_client):
    f = firms.a
    _s, _cy, consent = _setup(app, f)
    cand_client.post(f"/me/consents/{consent.id}", data={"decline": "y", "comment": "Not that company."})
    with firm_context(app, f.firm):
        row = db.session.get(Consent, consent.id)
        assert row.state == ConsentState.DECLINED and row.comment == "Not that company."


def test_no_choice_and_overlong_comment_are_clear_errors(app, firms, cand_client):
    f = firms.a
    _s, _cy, consent = _setup(app, f)
    resp = cand_client.post(f"/me/consents/{consent.id}", data={"comment": "hm"})
    assert resp.status_code == 400 and "Please choose yes or no" in resp.get_data(as_text=True)
    resp = cand_client.post(f"/me/consents/{consent.id}", data={"approve": "y", "comment": "x" * 20000})
    assert resp.status_code == 400 and "at most 2000 characters" in resp.get_data(as_text=True)
    with firm_context(app, f.firm):
        assert db.session.get(Consent, consent.id).state == ConsentState.REQUESTED


def test_cv_sent_history(app, firms, cand_client):
    f = firms.a
    _s, cy, consent = _setup(app, f)
    cand_client.post(f"/me/consents/{consent.id}", data={"approve": "y"})
    h.move(app, f, cy.id, Stage.PRESENTED)
    html = cand_client.get("/me/consents").get_data(as_text=True)
    section = html.split("Where your CV has been sent")[1].split("All requests")[0]
    assert "Initech" in section and "Head of Data" in section and "Sent on" in section
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Your profile is with the client" in home and "Your profile was sent" in home


def test_confidential_client_hidden_until_a_consent_request_names_it(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Stealth CTO", client="Umbrella Corp", confidential=True)
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    h.feedback(app, f, cy.id, md="Good call.")
    pages = (
        "/me/",
        f"/me/searches/{cy.id}",
        "/me/feedback",
        "/me/consents",
        "/me/messages",
        "/me/settings/my-data.json",
        "/me/keep-in-touch",
    )
    for path in pages:
        body = cand_client.get(path).get_data(as_text=True)
        assert "Umbrella" not in body, path
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Stealth CTO" in home and "Confidential client" in home
    h.request_consent(app, f, cy.id)
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Umbrella Corp" in home
    assert "Umbrella Corp" in cand_client.get("/me/feedback").get_data(as_text=True)


def _answered(html: str) -> str:
    return html[html.index("<h1>") : html.index('id="role"')]


def test_an_approved_consent_reads_as_answered_with_when_and_what_next(app, firms, cand_client):
    f = firms.a
    _s, _cy, consent = _setup(app, f)
    cand_client.post(f"/me/consents/{consent.id}", data={"approve": "y", "comment": "Happy to!"})
    with firm_context(app, f.firm):
        answered_at = db.session.get(Consent, consent.id).answered_at
        when = i18n.when(answered_at, db.session.get(Firm, f.firm.id))  # "Dec 7, 2026, 9:12 AM", the firm's zone
    html = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    top = _answered(html)
    assert "May we send" not in html and "Yes, send my profile" not in html  # no longer asked
    assert "<title>You said yes to sending your profile to Initech" in html
    assert "<h1>You said yes to sending your profile to Initech</h1>" in top
    assert f'datetime="{answered_at.isoformat()}">{when}</time>' in top  # when, in the locale's words
    assert "What happens next" in top and "We send your profile to Initech for the Head of Data role only" in top
    assert "Happy to!" in top


def test_a_declined_consent_reads_as_answered_with_when_and_what_next(app, firms, cand_client):
    f = firms.a
    _s, cy, consent = _setup(app, f)
    cand_client.post(f"/me/consents/{consent.id}", data={"decline": "y"})
    html = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    top = _answered(html)
    assert "May we send" not in html and "No, do not send it" not in html
    assert "<h1>You said no to sending your profile to Initech</h1>" in top
    assert "<time datetime=" in top
    assert "We have not sent your profile to Initech and will not for this role" in top
    assert 'href="/me/keep-in-touch"' in top  # how to change one's mind
    assert f'href="/me/searches/{cy.id}"' in top


def test_a_request_on_an_ended_search_is_no_longer_asked(app, firms, cand_client):
    f = firms.a
    _s, cy, consent = _setup(app, f)
    h.close(app, f, cy.id)
    html = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    assert "May we send" not in html and "Yes, send my profile" not in html
    assert "This question is no longer needed" in html and "Nothing was sent" in html


def test_the_consent_email_writes_pay_as_the_portal_does(app, firms, run_jobs, smtp_sink):
    """ "€80,000–€100,000 a year" (the locale's amounts) in the email as on the consent page, not "80000–100000 EUR"."""
    f = firms.a
    s = h.make_search(app, f, title="Pay Role", pay_min=80000, pay_max=100000, pay_currency="EUR")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    h.request_consent(app, f, cy.id)
    run_jobs()
    (mail,) = [m for m in smtp_sink.messages if m.email["Subject"].startswith("May we present you")]
    for part in ("plain", "html"):
        body = mail.email.get_body(preferencelist=(part,)).get_content()
        assert "Pay: €80,000–€100,000 a year" in body, part
