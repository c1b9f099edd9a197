"""A firm's languages (issue 20): its default language and the languages it offers, and its own
texts in each offered language (welcome text, privacy notice, stage wording): validated and
sanitised as the default-language fields are, audited, admins only, and seen at once by the
next request (the firm cache and the careers page cache empty on the commit)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from portal.careers.page_cache import PageCache
from portal.i18n import LANGUAGES, firm_text, offered
from portal.models import Firm, User
from portal.services import firm_languages
from portal.services.setting_values import InvalidSetting
from tests.factories import firm_context
from tests.support.admin import admin_client, audit_entries, load_firm
from tests.support.fixtures.clients import login_as

ALL = list(LANGUAGES)
HUGE = "x" * 20_000


def _texts(**values) -> dict:
    """A full post of the texts page: every stage's two fields (empty unless given)."""
    data = {"welcome_md": "", "privacy_notice_md": ""}
    for code in ("applied", "identified", "contacted", "screening", "presented", "interviewing", "offer", "placed"):
        data[f"{code}-label"] = ""
        data[f"{code}-explanation"] = ""
    data["closed-label"] = data["closed-explanation"] = ""
    data.update(values)
    return data


# ---------------------------------------------------------------- default and offered languages


def test_default_and_offered_languages_are_saved_and_audited(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    page = c.get("/admin/languages")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'lang="de">Deutsch' in body and 'value="ar"' in body  # every shipped language is a choice
    assert body.count(" checked") == len(ALL)  # None: every shipped language is offered

    resp = c.post("/admin/languages", data={"default_language": "de", "languages": ["fr", "de"]})
    assert resp.status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.default_language == "de" and firm.languages == ["de", "fr"]
    assert offered(firm) == ["de", "fr"]
    [entry] = audit_entries(app, firms.a.firm)
    assert entry.action == "settings.changed" and entry.target == "languages"
    assert entry.actor_id == firms.a.admin.id
    assert entry.details["changes"] == {
        "default_language": {"old": "en", "new": "de"},
        "languages": {"old": " ".join(ALL), "new": "de fr"},
    }
    # The admin's own language (English, recorded at sign-in) is no longer offered: the page is in
    # the firm's new default, German.
    page = c.get("/admin/languages").get_data(as_text=True)
    with app.test_request_context(), force_locale("de"):
        saved, unchanged = gettext("Saved."), gettext("Nothing changed.")
    assert '<html lang="de"' in page and saved in page

    # The same again changes nothing and logs nothing.
    resp = c.post("/admin/languages", data={"default_language": "de", "languages": ["de", "fr"]}, follow_redirects=True)
    assert unchanged in resp.get_data(as_text=True)
    assert len(audit_entries(app, firms.a.firm)) == 1

    # Every box ticked: None again (a language Portal ships later is offered too).
    assert c.post("/admin/languages", data={"default_language": "en", "languages": ALL}).status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.languages is None and firm.default_language == "en"
    # Firm B is untouched.
    b = load_firm(app, firms.b.firm)
    assert b.default_language == "en" and b.languages is None


def test_the_default_language_is_always_offered(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.post("/admin/languages", data={"default_language": "fr"}).status_code == 302  # no box ticked
    firm = load_firm(app, firms.a.firm)
    assert firm.languages == ["fr"] and offered(firm) == ["fr"]
    assert c.post("/admin/languages", data={"default_language": "es", "languages": ["de"]}).status_code == 302
    assert load_firm(app, firms.a.firm).languages == ["de", "es"]
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        firm_languages.set_languages(firm, None, "nl", [])
        assert firm.languages == ["nl"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"default_language": "xx", "languages": ["de"]}, "default_language"),
        ({"default_language": "de", "languages": ["de", "klingon"]}, "languages"),
        ({"default_language": "de-AT", "languages": ["de"]}, "default_language"),
    ],
)
def test_a_language_portal_does_not_ship_is_refused_with_a_clear_message(app, firms, client_for, data, field):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/languages", data=data)
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "is not one of the languages Portal is translated into. Choose from the list." in body
    assert f'id="{field}-error"' in body  # on the field it is about
    firm = load_firm(app, firms.a.firm)
    assert firm.default_language == "en" and firm.languages is None
    assert audit_entries(app, firms.a.firm) == []


def test_a_missing_default_language_is_asked_for(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/languages", data={"default_language": " ", "languages": ["de"]})
    assert resp.status_code == 400
    assert "Choose your default language from the list." in resp.get_data(as_text=True)
    assert load_firm(app, firms.a.firm).languages is None


def test_the_service_refuses_unknown_codes_on_their_field(app, firms):
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        with pytest.raises(InvalidSetting) as err:
            firm_languages.set_languages(firm, None, "en", ["de", "<script>" * 10])
        assert err.value.field == "languages" and len(str(err.value)) < 200
        with pytest.raises(InvalidSetting) as err:
            firm_languages.set_languages(firm, None, "zz", ["de"])
        assert err.value.field == "default_language"
        assert firm.languages is None and firm.default_language == "en"


# ---------------------------------------------------------------- the firm's texts per language


def test_texts_in_a_language_are_saved_rendered_and_audited(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    page = c.get("/admin/languages")
    assert '/admin/languages/de"' in page.get_data(as_text=True)  # each other offered language has its page
    form = c.get("/admin/languages/de").get_data(as_text=True)
    assert 'lang="de"' in form and "Texts in Deutsch" in form
    assert 'dir="rtl"' in c.get("/admin/languages/ar").get_data(as_text=True)  # Arabic is written right to left
    resp = c.post(
        "/admin/languages/de",
        data=_texts(
            welcome_md="Willkommen bei **Alpha**.\r\n\r\n[Mehr](https://alpha.example/ueber-uns)",
            privacy_notice_md="Wir *schützen* Ihre Daten.",
            **{"presented-label": "Beim Kunden", "presented-explanation": "Der Kunde antwortet bald."},
        ),
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/languages/de")
    firm = load_firm(app, firms.a.firm)
    de = firm.texts["de"]
    assert de["welcome_md"] == "Willkommen bei **Alpha**.\n\n[Mehr](https://alpha.example/ueber-uns)"
    assert de["welcome_html"] == (
        "<p>Willkommen bei <strong>Alpha</strong>.</p>\n"
        '<p><a href="https://alpha.example/ueber-uns" rel="noopener noreferrer nofollow">Mehr</a></p>'
    )
    assert de["privacy_notice_html"] == "<p>Wir <em>schützen</em> Ihre Daten.</p>"
    assert de["stage_labels"] == {"presented": {"label": "Beim Kunden", "explanation": "Der Kunde antwortet bald."}}
    assert set(firm.texts) == {"de"}
    # The default-language fields are untouched, and other languages fall back to them.
    assert firm.welcome_md is None and firm.stage_labels is None
    assert firm_text(firm, "welcome_html", "de") == de["welcome_html"]
    assert firm_text(firm, "welcome_html", "fr") is None
    [entry] = audit_entries(app, firms.a.firm)
    assert entry.action == "settings.changed" and entry.target == "texts (de)"
    assert set(entry.details["changes"]) == {
        "texts.de.welcome_md",
        "texts.de.privacy_notice_md",
        "texts.de.stage_labels.presented.label",
        "texts.de.stage_labels.presented.explanation",
    }
    assert entry.details["changes"]["texts.de.stage_labels.presented.label"] == {"old": None, "new": "Beim Kunden"}
    # The page shows what is written, and the preview.
    page = c.get("/admin/languages/de").get_data(as_text=True)
    assert "Beim Kunden" in page and "<strong>Alpha</strong>" in page
    summary = c.get("/admin/languages").get_data(as_text=True)
    assert "Welcome text written." in summary and "1 stage reworded." in summary
    # Emptied again: nothing is stored, the default-language texts apply.
    assert c.post("/admin/languages/de", data=_texts()).status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.texts is None and firm_text(firm, "welcome_html", "de") is None
    assert len(audit_entries(app, firms.a.firm)) == 2


def test_texts_are_sanitised_as_the_default_language_fields_are(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    for field, value, message in [
        ("welcome_md", "Hallo <script>alert(1)</script>", "HTML tags are not allowed"),
        ("welcome_md", "<img src=x onerror=alert(1)>", "HTML tags are not allowed"),
        ("privacy_notice_md", "<script>alert(1)</script>", "HTML tags are not allowed"),
        ("offer-label", "<script>alert(1)</script>", "without &lt; or &gt;"),
        ("offer-explanation", "Zwei\nZeilen", "single line"),
    ]:
        resp = c.post("/admin/languages/de", data=_texts(**{field: value}))
        assert resp.status_code == 400, field
        body = resp.get_data(as_text=True)
        assert message in body, field
        assert "<script>alert(1)" not in body  # shown back escaped, never as markup
    assert load_firm(app, firms.a.firm).texts is None
    # Markdown that would make a script link is rendered without it.
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        firm_languages.set_texts(
            firm,
            None,
            "fr",
            welcome_md="[clic](javascript:alert(1)) <javascript:alert(2)> ![x](javascript:alert(3))",
            privacy_notice_md="[ici](JaVaScRiPt:alert(4)) et [](data:text/html;base64,PHNjcmlwdD4=)",
        )
        fr = firm.texts["fr"]
    for html in (fr["welcome_html"], fr["privacy_notice_html"]):
        lowered = html.lower()
        assert 'href="javascript' not in lowered and 'href="data:' not in lowered and "src=" not in lowered
        assert "<script" not in lowered and "<img" not in lowered


def test_a_text_naming_a_confidential_client_is_refused_in_every_language(app, firms, client_for):
    from tests.support.recruiter import make_search

    make_search(app, firms.a, client="Globex", confidential=True)
    make_search(app, firms.a, client="Initech")  # not confidential: may be named
    c = admin_client(client_for, firms.a)
    for field, value in [("welcome_md", "Wir suchen für *Globex*."), ("presented-label", "Bei Globex")]:
        resp = c.post("/admin/languages/de", data=_texts(**{field: value}))
        assert resp.status_code == 400, field
        assert "names a confidential client" in resp.get_data(as_text=True), field
    assert load_firm(app, firms.a.firm).texts is None
    assert c.post("/admin/languages/de", data=_texts(welcome_md="Wir suchen für Initech.")).status_code == 302


def test_a_huge_text_gets_the_fields_message_and_nothing_is_saved(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    for field in ("welcome_md", "privacy_notice_md", "presented-label", "presented-explanation"):
        resp = c.post("/admin/languages/de", data=_texts(**{field: HUGE}))
        assert resp.status_code == 400, field
        body = resp.get_data(as_text=True)
        assert "Please correct the highlighted" in body
        assert f'id="{field}-error"' in body, field  # the message sits on the field itself
    assert load_firm(app, firms.a.firm).texts is None
    # The service holds the same limits for any other caller.
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        with pytest.raises(InvalidSetting) as err:
            firm_languages.set_texts(firm, None, "de", welcome_md=HUGE)
        assert err.value.field == "welcome_md" and "5000" in str(err.value)
        with pytest.raises(InvalidSetting) as err:
            firm_languages.set_texts(firm, None, "de", privacy_notice_md=HUGE)
        assert err.value.field == "privacy_notice_md" and "10,000" in str(err.value)
        with pytest.raises(InvalidSetting) as err:
            firm_languages.set_texts(firm, None, "de", stage_labels={"offer": {"label": HUGE}})
        assert err.value.field == "offer-label"
        assert firm.texts is None


def test_nul_bytes_are_harmless(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post(
        "/admin/languages/de",
        data=_texts(welcome_md="Hal\x00lo", privacy_notice_md="Da\x00ten", **{"offer-label": "Ange\x00bot"}),
    )
    assert resp.status_code == 302
    de = load_firm(app, firms.a.firm).texts["de"]
    assert de["welcome_md"] == "Hallo" and de["privacy_notice_md"] == "Daten"
    assert de["stage_labels"] == {"offer": {"label": "Angebot"}}
    with firm_context(app, firms.a.firm) as s:  # a caller other than the form: dropped there too
        firm = s.get(Firm, firms.a.firm.id)
        firm_languages.set_texts(
            firm, None, "es", welcome_md="\x00Ho\x00la\x00", stage_labels={"offer": {"label": "\x00"}}
        )
        assert firm.texts["es"] == {"welcome_md": "Hola", "welcome_html": "<p>Hola</p>"}


def test_only_an_offered_language_other_than_the_default_has_a_texts_page(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.get("/admin/languages/en").status_code == 404  # the default: the settings pages
    assert c.get("/admin/languages/xx").status_code == 404
    assert c.post("/admin/languages/xx", data=_texts(welcome_md="x")).status_code == 404
    c.post("/admin/languages", data={"default_language": "en", "languages": ["fr"]})
    assert c.get("/admin/languages/fr").status_code == 200
    assert c.get("/admin/languages/de").status_code == 404
    assert c.post("/admin/languages/de", data=_texts(welcome_md="Hallo")).status_code == 404
    assert load_firm(app, firms.a.firm).texts is None
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        for lang in ("de", "en", "xx"):
            with pytest.raises(InvalidSetting):
                firm_languages.set_texts(firm, None, lang, welcome_md="Hallo")
        assert firm.texts is None


@pytest.mark.parametrize("who", ["recruiter", "candidate_user"])
def test_the_language_pages_are_for_admins_only(app, firms, client_for, who):
    c = client_for(firms.a.firm)
    login_as(c, getattr(firms.a, who))
    for method, url, data in [
        ("GET", "/admin/languages", None),
        ("POST", "/admin/languages", {"default_language": "de", "languages": ["de"]}),
        ("GET", "/admin/languages/de", None),
        ("POST", "/admin/languages/de", _texts(welcome_md="Hallo")),
    ]:
        assert c.open(url, method=method, data=data).status_code == 403, (who, method, url)
    firm = load_firm(app, firms.a.firm)
    assert firm.default_language == "en" and firm.languages is None and firm.texts is None
    assert audit_entries(app, firms.a.firm) == []
    anonymous = client_for(firms.a.firm)
    resp = anonymous.get("/admin/languages/de")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# ---------------------------------------------------------------- the caches


def _kept_pages() -> int:
    return sum(len(entry.pages) for cache in list(PageCache._all) for entry in cache._firms.values())


def test_a_change_is_seen_by_the_next_request_through_both_caches(app, firms, client_for):
    """The suite's firm cache keeps a host's firm an hour and the careers cache its pages: a
    committed change to the firm's languages or texts must empty both at once."""
    admin = admin_client(client_for, firms.a)
    other_admin = admin_client(client_for, firms.a)  # a second browser: its firm comes from the cache
    visitor = client_for(firms.a.firm)
    assert "Deutsch" in visitor.get("/login").get_data(as_text=True)  # the switcher: every language
    assert visitor.get("/careers/").status_code == 200
    assert "Vielen Dank" not in other_admin.get("/admin/languages/de").get_data(as_text=True)
    assert _kept_pages() >= 1 and app.extensions["portal_firm_cache"]._entries

    assert admin.post("/admin/languages/de", data=_texts(welcome_md="Vielen Dank")).status_code == 302
    assert _kept_pages() == 0
    assert "Vielen Dank" in other_admin.get("/admin/languages/de").get_data(as_text=True)

    assert visitor.get("/careers/").status_code == 200
    assert _kept_pages() >= 1
    admin.post("/admin/languages", data={"default_language": "en", "languages": ["en"]})
    assert _kept_pages() == 0
    page = visitor.get("/login").get_data(as_text=True)
    assert "language-switcher" not in page and "Deutsch" not in page  # one language: no switcher
    assert other_admin.get("/admin/languages/de").status_code == 404


# ---------------------------------------------------------------- the demo


def test_the_demo_firm_offers_every_language_with_german_texts(app, client_for):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with firm_context(app) as s:
        from sqlalchemy import select

        demo = s.scalar(select(Firm).where(Firm.slug == "demo"))
        assert demo.languages is None and offered(demo) == ALL
        de = demo.texts["de"]
        assert "Willkommen" in de["welcome_md"] and "<strong>Northwind Search</strong>" in de["welcome_html"]
        assert de["stage_labels"]["presented"]["label"] == "Ihr Profil liegt beim Kunden"
        assert firm_text(demo, "welcome_html", "de") == de["welcome_html"]
        assert firm_text(demo, "welcome_html", "fr") == demo.welcome_html  # no French text: the default
    c = client_for(host="demo.localhost")
    from tests.support.fixtures.clients import AuthActions

    AuthActions(c).login("admin@demo.example", app.config["DEMO_PASSWORD"])
    page = c.get("/admin/languages").get_data(as_text=True)
    assert "Welcome text written." in page and "2 stages reworded." in page


# ---------------------------------------------------------------- the admin pages in the admin's language


def test_weekdays_and_hours_of_the_contact_rules_follow_the_page_language(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    english = c.get("/admin/contact-rules").get_data(as_text=True)
    assert '<option selected value="4">Friday</option>' in english and "2:00" in english and "PM" in english
    assert "Friday at 2:00" in c.get("/admin/").get_data(as_text=True)
    # The admin's language was recorded (English) at the first sign-in; they choose German.
    with firm_context(app, firms.a.firm) as s:
        s.get(User, firms.a.admin.id).language = "de"
    german = c.get("/admin/contact-rules").get_data(as_text=True)
    assert '<html lang="de"' in german
    assert (
        '<option selected value="4">Freitag</option>' in german
        and '<option selected value="14">14:00</option>' in german
    )
    assert ">Friday</option>" not in german and "PM</option>" not in german
