"""The public pages speak the visitor's language (issue 20): Accept-Language picks one of the
firm's languages (never one it does not offer), the switcher's cookie wins over the browser,
the careers page cache keeps each language's page apart (key, ETag, Vary), the firm's own texts
and a search's description come in the page's language, and the page's language becomes an
applicant's and a person's at their first sign-in.

The words are checked with a tiny German catalog compiled for the test (an app built with
BABEL_TRANSLATION_DIRECTORIES pointing at it), so the shipped catalogs' progress changes
nothing here; elsewhere `<html lang>` and Babel's date formats need no catalog."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_skeleton
from babel.messages import Catalog
from babel.messages.mofile import write_mo
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from portal.i18n import COOKIE
from portal.markdown import render_markdown
from portal.models import Application, Candidate, Firm, Search, User
from tests.careers.helpers import form
from tests.careers.support import advertise, postings
from tests.factories import PASSWORD, firm_context, make_candidate
from tests.support.fixtures.clients import FirmClient, login_as

GERMAN = {
    "Jobs at %(firm)s": "Stellen bei %(firm)s",
    "Open roles": "Offene Stellen",
    "Apply for this role": "Auf diese Stelle bewerben",
    "Privacy notice": "Datenschutzhinweis",
    "Sign in to %(firm)s": "Bei %(firm)s anmelden",
    "Get job alerts": "Stellen-Benachrichtigungen",
}
LANG = re.compile(r'<html lang="([a-z]+)" dir="(ltr|rtl)">')
DE = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
FR = {"Accept-Language": "fr"}


@pytest.fixture(autouse=True)
def _quick(app):
    app.config["RESET_MIN_SECONDS"] = 0.05


@pytest.fixture
def german_app(app, make_app, tmp_path):
    """An app of this process whose German catalog is GERMAN (compiled here), on the same database."""
    catalog = Catalog(locale="de", domain="messages")
    for msgid, msgstr in GERMAN.items():
        catalog.add(msgid, msgstr)
    folder = tmp_path / "translations" / "de" / "LC_MESSAGES"
    os.makedirs(folder)
    with open(folder / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    other = make_app({**dict(app.config), "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")})
    other.config["RESET_MIN_SECONDS"] = 0.05
    return other


def _client(app, firm) -> FirmClient:
    app.test_client_class = FirmClient
    c = app.test_client()
    c.host = f"{firm.slug}.localhost"
    return c


def _lang(html: str) -> str:
    match = LANG.search(html)
    assert match, "the page names its language"
    return match.group(1)


def _offer(app, firm, languages, default="en") -> None:
    with firm_context(app, firm) as s:
        row = s.get(Firm, firm.id)
        row.languages, row.default_language = languages, default


# ---------------------------------------------------------------- which language a visitor reads


def test_accept_language_de_picks_german_when_the_firm_offers_it(german_app, firms):
    s = advertise(german_app, firms.a.firm, title="Data Engineer")
    c = _client(german_app, firms.a.firm)
    board = c.get("/careers/", headers=DE).get_data(as_text=True)
    assert _lang(board) == "de"
    assert "Stellen bei Alpha Search" in board and "Offene Stellen" in board and "Jobs at Alpha Search" not in board
    job = c.get(f"/careers/jobs/{s.id}", headers=DE).get_data(as_text=True)
    assert _lang(job) == "de" and "Auf diese Stelle bewerben" in job
    (posting,) = postings(job)
    assert posting["inLanguage"] == "de"
    # The same pages for an English browser, from the same process.
    english = c.get("/careers/", headers=EN).get_data(as_text=True)
    assert _lang(english) == "en" and "Jobs at Alpha Search" in english and "Stellen bei" not in english
    assert postings(c.get(f"/careers/jobs/{s.id}", headers=EN).get_data(as_text=True))[0]["inLanguage"] == "en"
    # The sign-in page and the form pages (base.html) too.
    assert "Bei Alpha Search anmelden" in c.get("/login", headers=DE).get_data(as_text=True)
    apply = c.get(f"/careers/jobs/{s.id}/apply", headers=DE).get_data(as_text=True)
    assert _lang(apply) == "de" and "Datenschutzhinweis" in apply


def test_dates_are_in_the_page_locale(app, firms, client_for):
    posted = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
    s = advertise(app, firms.a.firm, title="Dated Role", advertised_at=posted, advertise_until=None)
    c = client_for(firms.a.firm)
    german = c.get(f"/careers/jobs/{s.id}", headers=DE).get_data(as_text=True)
    english = c.get(f"/careers/jobs/{s.id}", headers=EN).get_data(as_text=True)
    assert format_skeleton("yMMMd", posted.date(), locale="de") == "12. Mai 2026"
    assert "12. Mai 2026" in german and "May 12, 2026" not in german
    assert "May 12, 2026" in english and "Mai" not in english


def test_a_firm_that_does_not_offer_german_stays_in_its_default(german_app, firms):
    advertise(german_app, firms.a.firm, title="Data Engineer")
    _offer(german_app, firms.a.firm, ["en", "fr"])
    c = _client(german_app, firms.a.firm)
    board = c.get("/careers/", headers=DE).get_data(as_text=True)
    assert _lang(board) == "en" and "Jobs at Alpha Search" in board and "Stellen bei" not in board
    assert _lang(c.get("/careers/", headers=FR).get_data(as_text=True)) == "fr"
    # A firm whose default is French answers a browser it cannot serve in French.
    _offer(german_app, firms.a.firm, ["fr", "en"], default="fr")
    assert _lang(c.get("/careers/", headers={"Accept-Language": "ja"}).get_data(as_text=True)) == "fr"
    # The switcher offers only the firm's languages, and refuses another.
    assert 'value="de"' not in board.split('class="language-switcher"')[1].split("</form>")[0]
    refused = c.get("/language?language=de&back=/careers/")
    assert refused.status_code == 303 and COOKIE not in refused.headers.get("Set-Cookie", "")


def test_the_switchers_cookie_wins_over_accept_language(app, firms, client_for):
    advertise(app, firms.a.firm, title="Data Engineer")
    c = client_for(firms.a.firm)
    assert _lang(c.get("/careers/", headers=DE).get_data(as_text=True)) == "de"
    chosen = c.post("/language", data={"language": "fr", "back": "/careers/?q=data"}, headers=DE)
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/careers/?q=data"
    assert f"{COOKIE}=fr" in chosen.headers["Set-Cookie"] and "HttpOnly" in chosen.headers["Set-Cookie"]
    assert _lang(c.get("/careers/", headers=DE).get_data(as_text=True)) == "fr"
    assert _lang(c.get("/login", headers=DE).get_data(as_text=True)) == "fr"
    # The careers site's own switcher: a GET form (no token, so its pages set no cookie).
    board = c.get("/careers/?q=data", headers=DE)
    switcher = board.get_data(as_text=True).split('class="language-switcher"')[0].rsplit("<form", 1)[1]
    assert 'method="get"' in switcher and "csrf_token" not in board.get_data(as_text=True)
    assert "Set-Cookie" not in board.headers
    again = c.get("/language?language=nl&back=/careers/%3Fq%3Ddata")
    assert again.status_code == 303 and again.headers["Location"] == "/careers/?q=data"
    assert _lang(c.get("/careers/", headers=DE).get_data(as_text=True)) == "nl"
    # Only a path on this site is gone back to.
    away = c.get("/language?language=en&back=https://evil.example/")
    assert away.status_code == 303 and "evil.example" not in away.headers["Location"]


def test_a_signed_in_persons_choice_outranks_the_cookie_and_a_get_switch_asks_first(app, firms, client_for):
    a = firms.a
    c = client_for(a.firm)
    login_as(c, a.recruiter)
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "en"  # the first sign-in's page language
    asked = c.get("/language?language=de&back=/account")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'method="post"' in page and 'name="language" value="de"' in page
    assert "Deutsch" in page and COOKIE not in asked.headers.get("Set-Cookie", "")
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "en", "a GET changes no profile"
    done = c.post("/language", data={"language": "de", "back": "/account"})
    assert done.status_code == 303 and done.headers["Location"] == "/account"
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "de"
    assert _lang(c.get("/account", headers=FR).get_data(as_text=True)) == "de"


# ---------------------------------------------------------------- the page cache keeps languages apart


def test_the_page_cache_keeps_a_german_and_an_english_page(app, firms, client_for, count_queries):
    s = advertise(app, firms.a.firm, title="Cached Role", advertised_at=datetime(2026, 5, 12, tzinfo=UTC))
    c = client_for(firms.a.firm)
    path = f"/careers/jobs/{s.id}"
    german = c.get(path, headers=DE)
    english = c.get(path, headers=EN)
    assert _lang(german.get_data(as_text=True)) == "de" and _lang(english.get_data(as_text=True)) == "en"
    assert german.headers["ETag"] != english.headers["ETag"]
    for resp in (german, english):
        vary = {v.strip().lower() for v in resp.headers["Vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary
    # Both kept: each answered again without a statement, each visitor gets their own page.
    for headers, first in ((DE, german), (EN, english), (DE, german)):
        with count_queries() as q:
            again = c.get(path, headers=headers)
        assert q.count == 0 and again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    # One language's ETag is not the other's: an English visitor holding the German page gets the English one.
    cross = c.get(path, headers={**EN, "If-None-Match": german.headers["ETag"]})
    assert cross.status_code == 200 and _lang(cross.get_data(as_text=True)) == "en"
    assert c.get(path, headers={**DE, "If-None-Match": german.headers["ETag"]}).status_code == 304
    # The board and the RSS feed too; the sitemap has no words and one version.
    assert _lang(c.get("/careers/", headers=DE).get_data(as_text=True)) == "de"
    assert _lang(c.get("/careers/", headers=EN).get_data(as_text=True)) == "en"
    assert b"<language>de</language>" in c.get("/careers/feed.xml", headers=DE).data
    assert b"<language>en</language>" in c.get("/careers/feed.xml", headers=EN).data
    de_map, en_map = c.get("/sitemap.xml", headers=DE), c.get("/sitemap.xml", headers=EN)
    assert de_map.headers["ETag"] == en_map.headers["ETag"] and "Accept-Language" not in de_map.headers.get("Vary", "")


def test_the_page_cache_keeps_the_cookies_language_apart(german_app, firms):
    advertise(german_app, firms.a.firm, title="Data Engineer")
    english = _client(german_app, firms.a.firm)
    german = _client(german_app, firms.a.firm)
    german.get("/language?language=de&back=/careers/")
    for _ in range(2):
        assert "Stellen bei Alpha Search" in german.get("/careers/", headers=EN).get_data(as_text=True)
        assert "Jobs at Alpha Search" in english.get("/careers/", headers=EN).get_data(as_text=True)


# ---------------------------------------------------------------- the firm's own texts per language


def test_the_firms_texts_and_a_search_description_in_the_page_language(german_app, firms):
    a = firms.a
    s = advertise(german_app, a.firm, title="Data Engineer", description="We build **pipelines**.")
    with firm_context(german_app, a.firm) as session:
        firm = session.get(Firm, a.firm.id)
        firm.welcome_md, firm.welcome_html = "Welcome to us.", render_markdown("Welcome to us.")
        firm.texts = {
            "de": {
                "welcome_md": "Willkommen bei uns.",
                "welcome_html": render_markdown("Willkommen bei uns."),
                "privacy_notice_md": "Wir schützen Ihre Daten.",
                "privacy_notice_html": render_markdown("Wir schützen Ihre Daten."),
            }
        }
        session.get(Search, s.id).translations = {
            "de": {
                "description_md": "Wir bauen **Pipelines**.",
                "description_html": render_markdown("Wir bauen **Pipelines**."),
            }
        }
    c = _client(german_app, a.firm)
    job_de = c.get(f"/careers/jobs/{s.id}", headers=DE).get_data(as_text=True)
    job_en = c.get(f"/careers/jobs/{s.id}", headers=EN).get_data(as_text=True)
    assert "Wir bauen <strong>Pipelines</strong>." in job_de and "We build" not in job_de
    assert "We build <strong>pipelines</strong>." in job_en and "Wir bauen" not in job_en
    assert "Wir bauen <strong>Pipelines</strong>." in postings(job_de)[0]["description"]
    board_de = c.get("/careers/", headers=DE).get_data(as_text=True)
    assert "Willkommen bei uns." in board_de and "Wir bauen Pipelines." in board_de  # the listing's teaser
    assert "Welcome to us." in c.get("/careers/", headers=EN).get_data(as_text=True)
    assert "Willkommen bei uns." in c.get("/login", headers=DE).get_data(as_text=True)
    form_de = c.get(f"/careers/jobs/{s.id}/apply", headers=DE).get_data(as_text=True)
    form_en = c.get(f"/careers/jobs/{s.id}/apply", headers=EN).get_data(as_text=True)
    assert "Wir schützen Ihre Daten." in form_de
    assert "Wir schützen" not in form_en and "Alpha Search keeps the details you give here" in form_en
    # French has no texts of its own: the firm's default-language ones.
    assert "Welcome to us." in c.get("/careers/", headers=FR).get_data(as_text=True)
    # The notice accepted is recorded by its text, language included.
    for headers, email in ((DE, "de@example.com"), (EN, "en@example.com")):
        sent = c.post(f"/careers/jobs/{s.id}/apply", data=form(email=email), headers=headers)
        assert sent.status_code == 303
    with firm_context(german_app, a.firm) as session:
        hashes = session.scalars(select(Application.privacy_notice_hash).order_by(Application.id)).all()
    assert len(hashes) == 2 and hashes[0] != hashes[1]


# ---------------------------------------------------------------- the language is remembered


def _person(app, firm, email: str) -> Candidate:
    with firm_context(app, firm) as s:
        return s.scalar(select(Candidate).where(Candidate.email == email))


def test_applying_records_the_page_language(app, firms, client_for):
    a = firms.a
    s = advertise(app, a.firm, title="Data Engineer")
    c = client_for(a.firm)
    sent = c.post(f"/careers/jobs/{s.id}/apply", data=form(email="anna@example.com"), headers=DE)
    assert sent.status_code == 303
    anna = _person(app, a.firm, "anna@example.com")
    with firm_context(app, a.firm) as session:
        assert anna.language == "de" and session.get(User, anna.user_id).language == "de"
    # The talent pool too, with the switcher's choice.
    pool = client_for(a.firm)
    pool.post("/language", data={"language": "fr", "back": "/careers/join"})
    joined = pool.post("/careers/join", data=form(email="fleur@example.com", cv=None), headers=DE)
    assert joined.status_code == 303
    fleur = _person(app, a.firm, "fleur@example.com")
    with firm_context(app, a.firm) as session:
        assert fleur.language == "fr" and session.get(User, fleur.user_id).language == "fr"


def test_a_known_candidates_language_is_only_filled_when_empty(app, firms, client_for):
    a = firms.a
    s = advertise(app, a.firm, title="Data Engineer")
    known = make_candidate(app, a.firm, email="known@example.com", with_login=False)
    chosen = make_candidate(app, a.firm, email="chosen@example.com", with_login=False)
    with firm_context(app, a.firm) as session:
        session.get(Candidate, chosen.id).language = "nl"
    c = client_for(a.firm)
    for email in ("known@example.com", "chosen@example.com"):
        assert c.post(f"/careers/jobs/{s.id}/apply", data=form(email=email), headers=DE).status_code == 303
    with firm_context(app, a.firm) as session:
        assert session.get(Candidate, known.id).language == "de"
        assert session.get(Candidate, chosen.id).language == "nl", "a language already chosen is kept"
    # A firm that does not offer the page's language records none.
    _offer(app, a.firm, ["en"])
    assert c.post(f"/careers/jobs/{s.id}/apply", data=form(email="x@example.com"), headers=DE).status_code == 303
    assert _person(app, a.firm, "x@example.com").language == "en"


def test_the_first_sign_in_records_the_page_language_and_a_later_one_keeps_it(app, firms, client_for):
    a = firms.a
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.candidate_user.id).language is None
    c = client_for(a.firm)
    resp = c.post("/login", data={"email": a.candidate_user.email, "password": PASSWORD}, headers=DE)
    assert resp.status_code == 302
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.candidate_user.id).language == "de"
        assert s.get(Candidate, a.candidate.id).language == "de", "the account and the candidate agree"
    c.post("/logout")
    later = client_for(a.firm)
    assert (
        later.post("/login", data={"email": a.candidate_user.email, "password": PASSWORD}, headers=FR).status_code
        == 302
    )
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.candidate_user.id).language == "de"
    # Their pages are in their language whatever the browser says.
    assert _lang(later.get("/account", headers=FR).get_data(as_text=True)) == "de"


def test_the_first_sign_in_by_the_switchers_choice(app, firms, client_for):
    a = firms.a
    c = client_for(a.firm)
    c.get("/language?language=es&back=/login")
    login_as(c, a.admin)
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.admin.id).language == "es"


# ---------------------------------------------------------------- staff choose on the account page


def test_staff_choose_their_language_on_the_account_page(app, firms, client_for):
    a = firms.a
    c = client_for(a.firm)
    login_as(c, a.recruiter)
    page = c.get("/account").get_data(as_text=True)
    section = page.split('id="language-heading"')[1].split("</section>")[0]
    assert 'action="/account/language"' in section and 'lang="de"' in section and "Deutsch" in section
    saved = c.post("/account/language", data={"language": "nl"})
    assert saved.status_code == 303 and saved.headers["Location"] == "/account"
    assert f"{COOKIE}=nl" in saved.headers["Set-Cookie"]
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "nl"
    assert _lang(c.get("/account").get_data(as_text=True)) == "nl"
    # A language the firm does not offer is refused and changes nothing.
    _offer(app, a.firm, ["en", "nl"])
    refused = c.post("/account/language", data={"language": "de"})
    assert refused.status_code == 303
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "nl"
    with c.application.test_request_context(), force_locale("nl"):  # the recruiter reads Dutch
        refusal = str(escape(gettext("Please choose one of the languages offered.")))
    assert refusal in c.get("/account", headers=EN).get_data(as_text=True)
    # Candidates choose in their settings: not here.
    cand = client_for(a.firm)
    login_as(cand, a.candidate_user)
    assert 'id="language-heading"' not in cand.get("/account").get_data(as_text=True)
    assert cand.post("/account/language", data={"language": "de"}).status_code == 404


def test_the_json_ld_names_the_language_and_keeps_machine_dates(app, firms, client_for):
    until = datetime.now(UTC) + timedelta(days=30)
    s = advertise(app, firms.a.firm, title="Dated Role", advertise_until=until)
    html = client_for(firms.a.firm).get(f"/careers/jobs/{s.id}", headers=DE).get_data(as_text=True)
    (posting,) = postings(html)
    assert posting["inLanguage"] == "de"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", posting["datePosted"])
    assert json.loads(json.dumps(posting))["validThrough"].endswith("+00:00")
    feed = client_for(firms.a.firm).get("/careers/feed.xml", headers=DE).get_data(as_text=True)
    assert re.search(r"<pubDate>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT</pubDate>", feed)


def test_a_signed_in_persons_switch_needs_their_csrf_token_a_visitors_none(app, firms, client_for):
    """The switcher's blueprint is exempt from the global CSRF check: a visitor's POST needs no
    token (it sets only their cookie), a signed-in person's is checked by the view."""
    a = firms.a
    member = client_for(a.firm)
    login_as(member, a.recruiter)
    app.config["WTF_CSRF_ENABLED"] = True
    visitor = client_for(a.firm)
    done = visitor.post("/language", data={"language": "fr", "back": "/careers/"})
    assert done.status_code == 303 and f"{COOKIE}=fr" in done.headers["Set-Cookie"]
    forged = member.post("/language", data={"language": "ar", "back": "/account"})
    assert forged.status_code == 400 and COOKIE not in forged.headers.get("Set-Cookie", "")
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "en"
    page = member.get("/account").get_data(as_text=True)
    switcher = page.split('class="language-switcher"')[1].split("</form>")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', switcher)
    assert token, "a signed-in person's switcher carries the token"
    ok = member.post("/language", data={"language": "ar", "back": "/account", "csrf_token": token.group(1)})
    assert ok.status_code == 303
    with firm_context(app, a.firm) as s:
        assert s.get(User, a.recruiter.id).language == "ar"
