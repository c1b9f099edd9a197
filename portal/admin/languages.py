"""Firm administration of languages: the firm's default language and the ones it offers, and its
own texts (welcome text, privacy notice, stage wording) in each offered language other than the
default. Thin: portal.services.firm_languages checks, renders, saves and audits; a language the
firm does not offer (or its default, whose texts are the settings pages) has no texts page (404)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for

from portal.admin.blueprint import bp
from portal.admin.forms import LanguagesForm, language_texts_form_class
from portal.i18n import LANGUAGES, firm_default, force_locale
from portal.i18n import gettext as _
from portal.models import Stage
from portal.models.candidacy import CANDIDATE_STAGE_TEXT
from portal.services import firm_languages
from portal.web.actions import actor, status, submit


@bp.route("/languages", methods=["GET", "POST"])
def languages():
    """The firm's default language, the languages it offers, and links to its texts in each."""
    firm = g.firm
    chosen = firm_languages.chosen_languages(firm)
    form = LanguagesForm(data={"default_language": firm_default(firm), "languages": chosen})
    out = submit(
        form, lambda: firm_languages.set_languages(firm, actor(), form.default_language.data, form.languages.data)
    )
    if out:
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.languages"))
    others = [LANGUAGES[c] for c in chosen if c != firm_default(firm)]
    return render_template(
        "admin/languages.html",
        form=form,
        all_languages=list(LANGUAGES.values()),
        default=LANGUAGES[firm_default(firm)],
        others=others,
        written={lang.code: _written(firm_languages.texts_in(firm, lang.code)) for lang in others},
    ), status(form)


@bp.route("/languages/<lang>", methods=["GET", "POST"])
def language_texts(lang: str):
    """The firm's texts in one offered language other than its default (empty: the default's)."""
    firm = g.firm
    if not firm_languages.editable(firm, lang):
        abort(404)
    current = firm_languages.texts_in(firm, lang)
    form = language_texts_form_class()(data={**current, **current["stage_labels"]})
    out = submit(form, lambda: firm_languages.set_texts(firm, actor(), lang, **_posted(form)))
    if out:
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.language_texts", lang=lang))
    return render_template(
        "admin/language_texts.html",
        form=form,
        language=LANGUAGES[lang],
        default=LANGUAGES[firm_default(firm)],
        stages=list(Stage),
        fallback=_stage_fallback(firm, lang),
        preview=((firm.texts or {}).get(lang) or {}).get("welcome_html"),
    ), status(form)


def _posted(form) -> dict:
    return {
        "welcome_md": form.welcome_md.data,
        "privacy_notice_md": form.privacy_notice_md.data,
        "stage_labels": {s.value: form[s.value].data for s in Stage},
    }


def _written(texts: dict) -> dict:
    """What is written in one language: the welcome text, the privacy notice, how many stages."""
    return {
        "welcome": bool(texts["welcome_md"]),
        "privacy": bool(texts["privacy_notice_md"]),
        "stages": sum(1 for parts in texts["stage_labels"].values() if any(parts.values())),
    }


def _stage_fallback(firm, lang: str) -> dict:
    """What a reader of `lang` sees for each stage while its fields are empty: the firm's own
    default-language wording, else the product's wording in `lang`."""
    custom = firm.stage_labels or {}
    out = {}
    with force_locale(lang):
        for stage in Stage:
            own = custom.get(stage.value) or {}
            label, explanation = CANDIDATE_STAGE_TEXT[stage]
            out[stage] = (str(own.get("label") or label), str(own.get("explanation") or explanation))
    return out
