"""A search's description in the firm's other languages (issue 20): one optional field per
language the firm offers besides its default, stored in Search.translations with its HTML
rendered and sanitised as the default description's is, checked by the same rules (no HTML,
10,000 characters), empty meaning none (readers fall back to the default description)."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import firm_text
from portal.models import Firm, Search
from tests.factories import firm_context
from tests.recruiter.test_searches import FORM
from tests.support.recruiter import flashes, make_search

SCRIPT = "<script>alert(1)</script>"


def _offer(app, f, languages, default="en"):
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        firm.languages, firm.default_language = languages, default


def _search(app, f, search_id) -> Search:
    with firm_context(app, f.firm):
        s = db.session.get(Search, search_id)
        _ = s.translations
        return s


def _count(app, f) -> int:
    with firm_context(app, f.firm) as s:
        return s.scalar(select(func.count(Search.id)))


def test_the_form_has_a_field_per_other_language_of_the_firm(app, rec):
    html = rec.client.get("/recruiter/searches/new").get_data(as_text=True)
    # Languages not chosen (None): every shipped language but the default (English).
    for name in ("Deutsch", "Français", "Español", "Nederlands", "العربية"):
        assert f"Description in {name}" in html
    assert "Description in English" not in html
    assert 'name="description_md_ar"' in html and 'lang="ar"' in html and 'dir="rtl"' in html
    _offer(app, rec.f, ["en", "de"])
    html = rec.client.get("/recruiter/searches/new").get_data(as_text=True)
    assert "Description in Deutsch" in html and 'name="description_md_de"' in html
    assert "Français" not in html.split("<form", 1)[1] and 'name="description_md_fr"' not in html
    # A firm whose default is German offers an English description instead.
    _offer(app, rec.f, ["en", "de"], default="de")
    html = rec.client.get("/recruiter/searches/new").get_data(as_text=True)
    assert 'name="description_md_en"' in html and 'name="description_md_de"' not in html


def test_saved_rendered_and_sanitised_like_the_description(app, rec):
    _offer(app, rec.f, ["en", "de", "fr"])
    german = "Wir bauen **Daten**produkte.\n\n- schnell\n- [klick](javascript:alert(1))"
    resp = rec.client.post(
        "/recruiter/searches/new",
        data={**FORM, "title": "Datenchef", "description_md_de": german, "description_md_fr": "  "},
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    sid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    s = _search(app, rec.f, sid)
    assert set(s.translations) == {"de"}  # French left empty: none (its readers read the default)
    de = s.translations["de"]
    assert de["description_md"] == german
    assert "<strong>Daten</strong>" in de["description_html"] and "<li>schnell</li>" in de["description_html"]
    assert "javascript" not in de["description_html"]  # the link's script is stripped, like the default's
    with app.test_request_context():
        assert firm_text(s, "description_html", "de") == de["description_html"]
        assert firm_text(s, "description_html", "fr") == s.description_html  # falls back
    page = rec.client.get(f"/recruiter/searches/{sid}").get_data(as_text=True)
    assert "Description in Deutsch" in page and "<strong>Daten</strong>" in page
    # The edit form shows it again; emptying it removes the German description.
    form = rec.client.get(f"/recruiter/searches/{sid}/edit").get_data(as_text=True)
    assert "Wir bauen **Daten**produkte." in form
    resp = rec.client.post(
        f"/recruiter/searches/{sid}/edit", data={**FORM, "title": "Datenchef", "description_md_de": ""}
    )
    assert resp.status_code == 303
    assert _search(app, rec.f, sid).translations is None


def test_html_and_20000_characters_are_refused_and_nul_bytes_are_harmless(app, rec):
    _offer(app, rec.f, ["en", "de"])
    before = _count(app, rec.f)
    for bad in (SCRIPT, "x" * 20_000, f"ok {SCRIPT}"):
        resp = rec.client.post("/recruiter/searches/new", data={**FORM, "description_md_de": bad})
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and 'class="error"' in body
        assert SCRIPT not in body  # never echoed as markup
        assert _count(app, rec.f) == before  # nothing stored
    # The same rule when editing: the stored description stays as it was.
    s = make_search(app, rec.f, title="Rolle")
    ok = rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**FORM, "description_md_de": "Gut."})
    assert ok.status_code == 303
    resp = rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**FORM, "description_md_de": "x" * 20_000})
    assert resp.status_code == 400 and "Description in Deutsch" in resp.get_data(as_text=True)
    assert _search(app, rec.f, s.id).translations["de"]["description_md"] == "Gut."
    # NUL bytes are dropped on the way in (portal/web/inputs.py), never stored.
    resp = rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**FORM, "description_md_de": "Wir\x00 bauen"})
    assert resp.status_code == 303
    assert _search(app, rec.f, s.id).translations["de"]["description_md"] == "Wir bauen"


def test_a_language_the_firm_does_not_offer_is_not_taken(app, rec):
    _offer(app, rec.f, ["en", "de"])
    s = make_search(app, rec.f, title="Rolle")
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/edit", data={**FORM, "description_md_de": "Ja.", "description_md_fr": "Oui."}
    )
    assert resp.status_code == 303
    assert set(_search(app, rec.f, s.id).translations) == {"de"}


def test_another_firms_search_is_still_a_404(app, rec):
    other = make_search(app, rec.firms.b, title="Not yours")
    assert rec.client.get(f"/recruiter/searches/{other.id}/edit").status_code == 404
    resp = rec.client.post(f"/recruiter/searches/{other.id}/edit", data={**FORM, "description_md_de": "Fremd."})
    assert resp.status_code == 404
    assert _search(app, rec.firms.b, other.id).translations is None
    assert "Fremd" not in flashes(rec.client.get("/recruiter/searches").get_data(as_text=True))


def test_the_service_keeps_only_the_firms_other_languages(app, rec):
    from portal.services.search_languages import clean_translations

    _offer(app, rec.f, ["en", "de", "fr"], default="de")
    with firm_context(app, rec.f.firm) as s, app.test_request_context():
        firm = s.get(Firm, rec.f.firm.id)
        stored = {"de": {"description_md": "Alt.", "description_html": "<p>Alt.</p>"}}
        # German is now the default (its readers read the description itself); Spanish is not offered.
        out = clean_translations(firm, {"en": "New.", "es": "Nuevo.", "fr": ""}, stored, 10_000)
        assert out == {"en": {"description_md": "New.", "description_html": "<p>New.</p>"}}
        assert clean_translations(firm, {"fr": "   "}, None, 10_000) is None
