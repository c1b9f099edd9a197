"""The candidate's own language and time zone (issue 20): the settings page's language choice
(kept the same on the account and the talent-pool record, the page coming back in it), dates in
the candidate's zone, and the stage wording per language (the firm's wording in that language,
else its default-language wording, else the shipped words)."""

import re
from datetime import UTC, datetime

from flask_babel import force_locale, gettext
from markupsafe import escape

from portal import i18n
from portal.extensions import db
from portal.i18n import COOKIE
from portal.models import Candidate, Firm, Message, Stage, User
from portal.web.templating import candidate_stage_text
from tests.factories import firm_context
from tests.support import candidate as h


def _lang_of(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _languages(app, f) -> tuple[str | None, str | None]:
    with firm_context(app, f.firm):
        cand = db.session.get(Candidate, f.candidate.id)
        user = db.session.get(User, f.candidate_user.id)
        return cand.language, user.language


def _set(app, f, **values) -> None:
    with firm_context(app, f.firm):
        firm = db.session.get(Firm, f.firm.id)
        for key, value in values.items():
            setattr(firm, key, value)


def test_the_settings_page_offers_the_firms_languages_each_in_its_own_words(app, firms, cand_client):
    page = cand_client.get("/me/settings").get_data(as_text=True)
    assert 'action="/me/settings/language"' in page
    choice = page[page.index('id="language-setting"') : page.index("</select>", page.index('id="language-setting"'))]
    assert '<option selected value="en">English</option>' in choice and '"de">Deutsch</option>' in choice
    assert "العربية" in choice  # every shipped language: the firm chose none in particular
    _set(app, firms.a, languages=["en", "nl"])
    page = cand_client.get("/me/settings").get_data(as_text=True)
    choice = page[page.index('id="language-setting"') :]
    assert '"nl">Nederlands</option>' in choice and "Deutsch" not in choice.split("</select>")[0]
    _set(app, firms.a, languages=["en"])
    assert 'id="language-setting"' not in cand_client.get("/me/settings").get_data(as_text=True)  # nothing to choose


def test_choosing_a_language_saves_it_on_account_and_record_and_the_pages_speak_it(app, firms, cand_client):
    f = firms.a
    assert _lang_of(cand_client.get("/me/").get_data(as_text=True)) == "en"
    resp = cand_client.post("/me/settings/language", data={"language": "de"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/me/settings#language")
    assert _languages(app, f) == ("de", "de")
    assert COOKIE in resp.headers.get("Set-Cookie", "") and "=de" in resp.headers["Set-Cookie"]
    page = cand_client.get("/me/settings").get_data(as_text=True)
    assert _lang_of(page) == "de"
    saved = tr(app, "de", "Saved: your pages and emails are in %(language)s now.", language="Deutsch")
    assert "Deutsch" in page and saved in page
    assert '<option selected value="de">Deutsch</option>' in page
    assert _lang_of(cand_client.get("/me/").get_data(as_text=True)) == "de"
    # Another firm's candidate is untouched.
    with firm_context(app, firms.b.firm):
        assert db.session.get(Candidate, firms.b.candidate.id).language is None
    # Back to English, the same way.
    assert cand_client.post("/me/settings/language", data={"language": "en"}).status_code == 303
    assert _languages(app, f) == ("en", "en")
    assert _lang_of(cand_client.get("/me/").get_data(as_text=True)) == "en"


def test_a_language_the_firm_does_not_offer_is_refused_and_nothing_changes(app, firms, cand_client):
    f = firms.a
    _set(app, f, languages=["en", "fr"])
    before = _languages(app, f)  # the first sign-in recorded the browser's (English)
    for code in ("de", "xx", ""):
        resp = cand_client.post("/me/settings/language", data={"language": code})
        assert resp.status_code == 400, code
        assert 'class="error' in resp.get_data(as_text=True)
    assert _languages(app, f) == before
    assert _lang_of(cand_client.get("/me/").get_data(as_text=True)) == "en"


def test_dates_on_the_candidates_pages_are_in_their_time_zone(app, firms, cand_client):
    f = firms.a
    # 20:00 on 10 March in UTC (the firm's zone) is already 09:00 on 11 March in Auckland.
    heard = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    with firm_context(app, f.firm):
        db.session.get(Candidate, f.candidate.id).last_contacted_at = heard
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "You last heard from us on <strong>Mar 10, 2026</strong>." in home
    with firm_context(app, f.firm):
        db.session.get(Candidate, f.candidate.id).timezone = "Pacific/Auckland"
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "You last heard from us on <strong>Mar 11, 2026</strong>." in home
    # A time too: a message sent at that moment reads 9:00 AM on the 11th.
    msg = h.message(app, f, f.candidate, subject="Zone check")
    with firm_context(app, f.firm):
        db.session.get(Message, msg.id).created_at = heard
    page = cand_client.get(f"/me/messages/{msg.id}").get_data(as_text=True)
    assert ">Mar 11, 2026, 9:00\u202fAM</time>" in page
    # The firm's other pages keep the firm's zone: the recruiter's view is not the candidate's.
    with firm_context(app, f.firm):
        firm = db.session.get(Firm, f.firm.id)
        assert i18n.day(heard, firm=firm) == "Mar 10, 2026"


def test_an_unknown_zone_on_the_record_falls_back_to_the_firms(app, firms, cand_client):
    f = firms.a
    with firm_context(app, f.firm):
        cand = db.session.get(Candidate, f.candidate.id)
        cand.last_contacted_at = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
        cand.timezone = "Mars/Olympus_Mons"
    home = cand_client.get("/me/")
    assert home.status_code == 200 and "<strong>Mar 10, 2026</strong>" in home.get_data(as_text=True)


# ---------------------------------------------------------------- stage wording per language

FIRM_WORDING = {"screening": {"label": "Our first talks", "explanation": "We talk within {days} days, promise."}}
GERMAN_WORDING = {"screening": {"label": "Erste Gespräche"}}


def tr(app, lang: str, msgid: str, **values) -> str:
    """`msgid` as the shipped catalog of `lang` words it (HTML-escaped, as a page shows it)."""
    with app.test_request_context(), force_locale(lang):
        return str(escape(gettext(msgid, **values)))


def test_stage_wording_falls_back_from_the_language_to_the_firms_default_to_the_shipped(app, firms):
    f = firms.a
    _set(app, f, stage_labels=FIRM_WORDING, texts={"de": {"stage_labels": GERMAN_WORDING}}, cadence_days=5)
    with firm_context(app, f.firm):
        firm = db.session.get(Firm, f.firm.id)
        # German: the firm's German label; no German explanation, so its default-language one.
        assert candidate_stage_text(Stage.SCREENING, firm, "de") == (
            "Erste Gespräche",
            "We talk within 5 days, promise.",
        )
        # French (no French wording) and English: the firm's default-language wording.
        for lang in ("fr", "en"):
            assert candidate_stage_text(Stage.SCREENING, firm, lang) == (
                "Our first talks",
                "We talk within 5 days, promise.",
            )
        # A stage the firm did not reword: the shipped words in that language, with the firm's
        # cadence in the named placeholder.
        with force_locale("de"):
            assert candidate_stage_text(Stage.APPLIED, firm, "de") == (
                gettext("We have your application"),
                gettext("We have your application and will reply within %(days)s days.", days=5),
            )
        # A firm's wording copied from the shipped default keeps its placeholder working.
        firm.stage_labels = {"applied": {"explanation": "Reply within %(days)s days."}}
        assert candidate_stage_text(Stage.APPLIED, firm, "en")[1] == "Reply within 5 days."
        # Without a firm: the default cadence.
        assert candidate_stage_text(Stage.APPLIED)[1] == "We have your application and will reply within 7 days."


def test_the_candidates_home_shows_the_stage_in_their_language(app, firms, cand_client):
    f = firms.a
    _set(app, f, stage_labels=FIRM_WORDING, texts={"de": {"stage_labels": GERMAN_WORDING}})
    s = h.make_search(app, f, title="Platform Lead")
    h.add(app, f, s, f.candidate, Stage.SCREENING)
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Our first talks" in home and "Erste Gespräche" not in home
    assert "We talk within 7 days, promise." in home
    cand_client.post("/me/settings/language", data={"language": "de"})
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Erste Gespräche" in home and "Our first talks" not in home
    assert "We talk within 7 days, promise." in home  # no German explanation: the default one
    cand_client.post("/me/settings/language", data={"language": "nl"})
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Our first talks" in home and "Erste Gespräche" not in home


def test_the_firms_welcome_text_is_the_one_in_the_candidates_language(app, firms, cand_client):
    f = firms.a
    _set(
        app,
        f,
        welcome_md="Welcome!",
        welcome_html="<p>Welcome to our portal.</p>",
        texts={"de": {"welcome_md": "Willkommen!", "welcome_html": "<p>Willkommen im Portal.</p>"}},
    )
    assert "Welcome to our portal." in cand_client.get("/me/").get_data(as_text=True)
    cand_client.post("/me/settings/language", data={"language": "de"})
    home = cand_client.get("/me/").get_data(as_text=True)
    assert "Willkommen im Portal." in home and "Welcome to our portal." not in home
    cand_client.post("/me/settings/language", data={"language": "fr"})
    assert "Welcome to our portal." in cand_client.get("/me/").get_data(as_text=True)  # no French: the default


def test_a_roles_description_is_the_one_in_the_candidates_language(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Head of Data", description_md="Lead a **team of six**.")
    with firm_context(app, f.firm):
        from portal.models import Search

        db.session.get(Search, s.id).translations = {
            "de": {"description_md": "Führe ein Team.", "description_html": "<p>Führe ein <strong>Team</strong>.</p>"}
        }
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    consent = h.request_consent(app, f, cy.id)
    page = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    assert "<strong>team of six</strong>" in page and "Führe" not in page
    cand_client.post("/me/settings/language", data={"language": "de"})
    page = cand_client.get(f"/me/consents/{consent.id}").get_data(as_text=True)
    assert "Führe ein <strong>Team</strong>." in page and "team of six" not in page


def test_the_survey_page_speaks_the_surveyed_candidates_language(app, firms, client_for, run_jobs, smtp_sink):
    """No sign-in on the survey link: the page is in the language the candidate chose."""
    from tests.surveys.helpers import closed_candidacy, delivered_links, plan

    f = firms.a
    closed_candidacy(app, f)
    assert plan(app, f) == 1
    link = delivered_links(run_jobs, smtp_sink, f.candidate.email)[7]
    visitor = client_for(f.firm)
    assert _lang_of(visitor.get(link).get_data(as_text=True)) == "en"
    with firm_context(app, f.firm):
        db.session.get(Candidate, f.candidate.id).language = "nl"
    page = visitor.get(link, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert _lang_of(page) == "nl" and tr(app, "nl", "How well did we keep you informed?") in page
    _set(app, f, languages=["en", "de"])  # a language the firm no longer offers: the usual choice
    assert _lang_of(visitor.get(link, headers={"Accept-Language": "de"}).get_data(as_text=True)) == "de"


def test_every_candidate_page_renders_in_every_shipped_language(app, firms, cand_client):
    """Dates, amounts and plurals through each locale (Arabic digits and right-to-left too)."""
    f = firms.a
    s = h.make_search(app, f, title="Head of Data", pay_min=90000, pay_max=120000)
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    consent = h.request_consent(app, f, cy.id)
    h.feedback(app, f, cy.id)
    h.message(app, f, f.candidate, subject="Hello there")
    pages = ["/me/", f"/me/searches/{cy.id}", "/me/consents", f"/me/consents/{consent.id}", "/me/feedback"]
    pages += ["/me/messages", "/me/profile", "/me/settings", "/me/roles", "/me/keep-in-touch", "/me/office-hours"]
    pages += ["/me/alerts"]
    for code in i18n.LANGUAGES:
        assert cand_client.post("/me/settings/language", data={"language": code}).status_code == 303
        for path in pages:
            resp = cand_client.get(path)
            assert resp.status_code == 200, (code, path)
            html = resp.get_data(as_text=True)
            assert _lang_of(html) == code, (code, path)
            assert "%(" not in html and "{days}" not in html, (code, path)  # every placeholder filled
        assert ('dir="rtl"' in cand_client.get("/me/").get_data(as_text=True)) == (code == "ar")
