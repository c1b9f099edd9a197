"""The language switcher (issue 20): a plain form posted to /language, no JavaScript. It sets the
cookie and goes back to a safe `next` only (an absolute or protocol-relative address goes home);
a signed-in candidate's choice is saved to their profile (account and talent-pool record); a
language the firm does not offer is refused with a message; after a switch the candidate's
emails are in the new language (through the real outbox, worker and SMTP sink). The switcher
adds no statement to an anonymous visitor's page.

The email tests read the language off a temporary German catalog (every message translated to
a stand-in word), so they need no translator, only the emails rendered in the candidate's
language (the email branches)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.i18n import COOKIE
from portal.models import Candidate, Firm, Stage, User
from tests.factories import firm_context, make_candidate
from tests.support import candidate as portal_data
from tests.support import i18n
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import flashes

WORD = "Übersetzung"


@pytest.fixture
def offers(app, firms):
    """Firm A offers English (its default), German and Arabic; firm B offers every language."""
    with firm_context(app, firms.a.firm) as s:
        s.get(Firm, firms.a.firm.id).languages = ["en", "de", "ar"]
    return firms


def _cookie(resp) -> str | None:
    for header in resp.headers.getlist("Set-Cookie"):
        if header.startswith(f"{COOKIE}="):
            return header.split(";")[0].split("=", 1)[1]
    return None


def test_the_switcher_is_a_form_that_works_without_javascript(offers, client_for):
    c = client_for(offers.a.firm)
    page = c.get("/login?next=/me/").get_data(as_text=True)
    # A visitor's switcher is a GET form without a token: the page sets no cookie until it is used.
    assert '<form method="get" action="/language" class="language-switcher">' in page
    assert '<input type="hidden" name="back" value="/login?next=%2Fme%2F">' in page
    assert "csrf_token" not in page.split('class="language-switcher"')[1].split("</form>")[0]
    assert page.count('<option value="') >= 3 and '<option value="de" lang="de">Deutsch</option>' in page
    assert "<script" not in page.split('class="language-switcher"')[1].split("</form>")[0]
    # Only one language offered: no switcher at all.
    with firm_context(c.application, offers.a.firm) as s:
        s.get(Firm, offers.a.firm.id).languages = ["en"]
    assert "language-switcher" not in client_for(offers.a.firm).get("/login").get_data(as_text=True)


def test_choosing_sets_the_cookie_and_goes_back(offers, client_for):
    c = client_for(offers.a.firm)
    resp = c.post("/language", data={"language": "de", "next": "/login?next=/me/"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/login?next=/me/"
    assert _cookie(resp) == "de"
    header = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=31536000" in header
    assert '<html lang="de" dir="ltr">' in c.get("/login").get_data(as_text=True)
    resp = c.post("/language", data={"language": "ar", "next": "/login"})
    assert _cookie(resp) == "ar"
    assert '<html lang="ar" dir="rtl">' in c.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/login",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "",
        "login",
        "/login\r\nSet-Cookie: x=1",
    ],
)
def test_an_unsafe_next_goes_home(offers, client_for, target):
    c = client_for(offers.a.firm)
    resp = c.post("/language", data={"language": "de", "next": target})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/", resp.headers["Location"]
    assert _cookie(resp) == "de"


def test_a_language_not_offered_is_refused_with_a_message(offers, client_for):
    c = client_for(offers.a.firm)
    for code in ("fr", "xx", ""):
        resp = c.post("/language", data={"language": code, "next": "/login"})
        assert resp.status_code == 303 and resp.headers["Location"] == "/login"
        assert _cookie(resp) is None, code
    page = c.get("/login").get_data(as_text=True)
    assert "Please choose one of the languages offered." in flashes(page)
    assert '<html lang="en" dir="ltr">' in page
    # Firm B offers every shipped language: French is fine there.
    assert _cookie(client_for(offers.b.firm).post("/language", data={"language": "fr", "next": "/"})) == "fr"


def _languages(app, firm, candidate) -> tuple[str | None, str | None]:
    with firm_context(app, firm) as s:
        cand = s.get(Candidate, candidate.id)
        return cand.language, s.get(User, cand.user_id).language


def test_a_signed_in_candidate_s_choice_is_saved_to_their_profile(app, offers, client_for):
    a = offers.a
    c = client_for(a.firm)
    login_as(c, a.candidate_user)
    first = _languages(app, a.firm, a.candidate)
    assert first in ((None, None), ("en", "en"))  # the sign-in may remember the page's language
    resp = c.post("/language", data={"language": "de", "next": "/me/"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/me/"
    assert _languages(app, a.firm, a.candidate) == ("de", "de")
    # Their choice follows them to another browser (no cookie there), and wins over its language.
    other = client_for(a.firm)
    other.get("/login", headers={"Accept-Language": "ar"})
    login_as(other, a.candidate_user)
    assert '<html lang="de" dir="ltr">' in other.get("/me/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    # A refused choice leaves the profile as it was.
    c.post("/language", data={"language": "fr", "next": "/me/"})
    assert _languages(app, a.firm, a.candidate) == ("de", "de")
    # Another candidate's record is untouched.
    with firm_context(app, offers.b.firm) as s:
        assert s.get(Candidate, offers.b.candidate.id).language is None


# ---------------------------------------------------------------- the next email


@pytest.fixture(scope="module")
def pseudo_german(tmp_path_factory):
    """A German catalog translating every message of the code to WORD (and its placeholders)."""
    directory = str(tmp_path_factory.mktemp("catalogs"))
    i18n.write_catalog(directory, "de", i18n.pseudo_catalog(i18n.extract(), "de", WORD))
    return directory


def _mails_to(smtp_sink, address: str, before: int) -> list[tuple[str, str, str]]:
    out = []
    for m in smtp_sink.messages[before:]:
        if m.rcpt_tos == [address]:
            email = m.email
            out.append(
                (
                    str(email["Subject"]),
                    email.get_body(("plain",)).get_content(),
                    email.get_body(("html",)).get_content(),
                )
            )
    return out


def test_after_a_switch_the_next_email_is_in_the_new_language(
    app, offers, client_for, run_jobs, smtp_sink, pseudo_german
):
    a = offers.a
    search = portal_data.make_search(app, a, title="Leitung Datenplattform")
    cy = portal_data.add(app, a, search, a.candidate, Stage.IDENTIFIED)
    with i18n.translations_from(app, pseudo_german):
        c = client_for(a.firm)
        login_as(c, a.candidate_user)
        # Before: English (the firm's default), nothing of the German catalog.
        before = len(smtp_sink.messages)
        portal_data.move(app, a, cy.id, Stage.CONTACTED)
        run_jobs()
        [(subject, text, html)] = _mails_to(smtp_sink, a.candidate.email, before)
        assert WORD not in subject + text + html
        # The candidate switches to German; the next email is German.
        assert c.post("/language", data={"language": "de", "next": "/me/"}).status_code == 303
        before = len(smtp_sink.messages)
        portal_data.move(app, a, cy.id, Stage.SCREENING)
        run_jobs()
        [(subject, text, html)] = _mails_to(smtp_sink, a.candidate.email, before)
        assert WORD in subject and WORD in text and WORD in html, (subject, text[:300])
        assert 'lang="de"' in html, "the email's own language"


def test_an_email_waiting_when_the_candidate_switches_goes_out_in_the_new_language(
    app, offers, client_for, run_jobs, smtp_sink, pseudo_german
):
    """portal/i18n.py: an email to a candidate is rendered at send time in their language: one
    recorded before a switch and delivered after it is in the new language."""
    a = offers.a
    search = portal_data.make_search(app, a, title="Leitung Datenplattform")
    cy = portal_data.add(app, a, search, a.candidate, Stage.IDENTIFIED)
    run_jobs()
    with i18n.translations_from(app, pseudo_german):
        c = client_for(a.firm)
        login_as(c, a.candidate_user)
        before = len(smtp_sink.messages)
        portal_data.move(app, a, cy.id, Stage.CONTACTED)  # recorded, not yet delivered
        assert c.post("/language", data={"language": "de", "next": "/me/"}).status_code == 303
        run_jobs()
        [(subject, text, _html)] = _mails_to(smtp_sink, a.candidate.email, before)
        assert WORD in subject and WORD in text, (subject, text[:300])


def test_a_candidate_without_a_login_gets_the_firm_s_default_language(app, offers, run_jobs, smtp_sink, pseudo_german):
    """No choice recorded: the firm's default (English for firm A; German once it is the default)."""
    a = offers.a
    person = make_candidate(app, a.firm, with_login=False, owner=a.recruiter)
    search = portal_data.make_search(app, a, title="Leitung Datenplattform")
    with i18n.translations_from(app, pseudo_german):
        cy = portal_data.add(app, a, search, person, Stage.IDENTIFIED)
        with firm_context(app, a.firm) as s:
            s.get(Firm, a.firm.id).default_language = "de"
        before = len(smtp_sink.messages)
        portal_data.move(app, a, cy.id, Stage.CONTACTED)
        run_jobs()
        [(subject, text, _html)] = _mails_to(smtp_sink, person.email, before)
        assert WORD in subject and WORD in text


# ---------------------------------------------------------------- statements


def test_the_switcher_adds_no_statement_for_an_anonymous_visitor(app, offers, client_for, count_queries):
    """The careers board and the sign-in page (where the switcher is drawn) of a firm offering
    one language and of the same firm offering three, a language chosen: the same statements."""
    a = offers.a
    app.config["CAREERS_CACHE_SECONDS"] = 0  # every board request builds its page (restored by _clean)

    def counts(client) -> tuple[int, int]:
        client.get("/careers/")
        client.get("/login")  # warm: the firm's cache
        with count_queries() as board:
            assert client.get("/careers/").status_code == 200
        with count_queries() as login:
            page = client.get("/login")
            assert page.status_code == 200
        return board.count, login.count, "language-switcher" in page.get_data(as_text=True)

    with firm_context(app, a.firm) as s:
        s.get(Firm, a.firm.id).languages = ["en"]
    one = counts(client_for(a.firm))
    with firm_context(app, a.firm) as s:
        s.get(Firm, a.firm.id).languages = ["en", "de", "ar"]
    chooser = client_for(a.firm)
    chooser.post("/language", data={"language": "de", "next": "/"})
    three = counts(chooser)
    assert (one[2], three[2]) == (False, True), "the switcher is drawn only where there is a choice"
    assert one[:2] == three[:2], (one, three)
    with firm_context(app, a.firm) as s:
        assert s.scalar(select(Firm.languages).where(Firm.id == a.firm.id)) == ["en", "de", "ar"]
