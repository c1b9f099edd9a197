"""WTForms' own messages ("This field is required.") are in the page's language, from WTForms'
catalog loaded once a locale for the process (Flask-WTF would read it from disk on every request
that shows a form)."""

from __future__ import annotations

from babel import support
from flask_babel import force_locale

from portal.admin.forms import BrandForm


def _required_message(app, language: str) -> str:
    with app.test_request_context("/", method="POST", data={"name": ""}), force_locale(language):
        form = BrandForm(meta={"csrf": False})
        form.validate()
        return form.name.errors[0]


def test_wtforms_messages_in_the_page_language(app):
    assert _required_message(app, "de") == "Dieses Feld wird benötigt."
    assert _required_message(app, "fr") == "Ce champ est requis."
    assert _required_message(app, "en") == "This field is required."
    assert _required_message(app, "de") == "Dieses Feld wird benötigt."  # the catalog kept per locale


def test_the_wtforms_catalog_is_read_once_a_locale(app, monkeypatch):
    loads: list[str] = []
    real = support.Translations.load.__func__  # type: ignore[attr-defined]

    def counted(cls, dirname=None, locales=None, domain=None):
        loads.append(str(domain))
        return real(cls, dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", classmethod(counted))
    for _ in range(3):
        _required_message(app, "nl")
    assert loads.count("wtforms") <= 1


def test_template_messages_format_as_jinja_s_newstyle_gettext_does(app):
    """Always a format string ("%%" is a percent sign even without values), values escaped in
    HTML templates and not in text ones."""
    html = app.jinja_env.overlay(autoescape=True).from_string(
        "{{ _('100%% sure') }}|{{ _('plain') }}|{{ _('Move %(name)s to', name=who) }}"
    )
    with app.test_request_context("/"):
        assert html.render(who="<b>") == "100% sure|plain|Move &lt;b&gt; to"
        text = app.jinja_env.overlay(autoescape=False).from_string("{{ _('Move %(name)s to', name=who) }}")
        assert text.render(who="<b>") == "Move <b> to"
