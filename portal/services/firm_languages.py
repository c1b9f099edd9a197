"""A firm's languages: its default language, the languages it offers, and its own texts in each
offered language other than the default (the welcome text, the privacy notice, the stage
wording), kept in Firm.texts as {lang: {"welcome_md", "welcome_html", "privacy_notice_md",
"privacy_notice_html", "stage_labels": {stage: {"label", "explanation"}}}}.

A text is checked, rendered and sanitised exactly as its default-language field is
(portal/services/setting_values.py, portal/markdown.py, the confidential-client check); an empty
text is not stored, so the page falls back to the default-language text (portal.i18n.firm_text).
Every change is in the audit log. Flushes, never commits. Firm.languages None means every
shipped language (portal.i18n.offered); choosing every shipped language stores None, so a
language Portal ships later is offered too."""

from __future__ import annotations

import copy

from portal.extensions import db
from portal.i18n import LANGUAGES, offered
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import Firm, Stage, User
from portal.services import audit, disclosure
from portal.services.setting_values import (
    STAGE_EXPLANATION_LIMIT,
    STAGE_LABEL_LIMIT,
    InvalidSetting,
    plain_text,
    validate_setting,
)

TEXT_FIELDS = ("welcome_md", "privacy_notice_md")  # Markdown sources; the HTML is stored beside each
HTML_OF = {"welcome_md": "welcome_html", "privacy_notice_md": "privacy_notice_html"}
STAGE_PARTS = {"label": STAGE_LABEL_LIMIT, "explanation": STAGE_EXPLANATION_LIMIT}


def _unknown(code) -> InvalidSetting:
    shown = str(code or "")[:20]
    return InvalidSetting(
        None, _("“%(code)s” is not one of the languages Portal is translated into. Choose from the list.", code=shown)
    )


# ---------------------------------------------------------------- default and offered languages


def chosen_languages(firm: Firm) -> list[str]:
    """The codes the firm offers, in the order Portal lists its languages (the default included)."""
    codes = set(offered(firm))
    return [code for code in LANGUAGES if code in codes]


def set_languages(firm: Firm, actor: User | None, default: str | None, languages) -> dict[str, tuple]:
    """Set the default language and the offered ones (the default is always offered). Returns
    the changes as {field: (old, new)}; nothing changes when a code is not a shipped language."""
    code = (default or "").strip()
    if not code:
        raise InvalidSetting("default_language", _("Choose your default language from the list."))
    if code not in LANGUAGES:
        error = _unknown(code)
        error.field = "default_language"
        raise error
    picked = {code}
    for value in languages or ():
        value = str(value).strip()
        if value not in LANGUAGES:
            error = _unknown(value)
            error.field = "languages"
            raise error
        picked.add(value)
    ordered = [c for c in LANGUAGES if c in picked]
    new_languages = None if len(ordered) == len(LANGUAGES) else ordered
    before = {"default_language": firm.default_language, "languages": " ".join(chosen_languages(firm))}
    if firm.default_language != code:
        firm.default_language = code
    if (firm.languages or None) != new_languages:
        firm.languages = list(new_languages) if new_languages is not None else None
    after = {"default_language": firm.default_language, "languages": " ".join(chosen_languages(firm))}
    changes = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if changes:
        audit.record(
            firm,
            actor,
            "settings.changed",
            target="languages",
            details={"changes": {k: {"old": old, "new": new} for k, (old, new) in changes.items()}},
        )
    db.session.flush()
    return changes


# ---------------------------------------------------------------- the firm's texts per language


def editable(firm: Firm, lang: str | None) -> bool:
    """Whether the firm's own texts in `lang` can be written: an offered language, not the default
    (the default-language texts are the settings and stage wording pages)."""
    langs = offered(firm)
    return lang in langs and lang != langs[0]


def texts_in(firm: Firm, lang: str) -> dict:
    """The firm's stored texts in `lang`: {"welcome_md", "privacy_notice_md", "stage_labels":
    {stage: {"label", "explanation"}}}, every stage present, '' where nothing is written (there the
    default-language text applies)."""
    entry = (firm.texts or {}).get(lang) or {}
    labels = entry.get("stage_labels") or {}
    return {
        "welcome_md": entry.get("welcome_md") or "",
        "privacy_notice_md": entry.get("privacy_notice_md") or "",
        "stage_labels": {
            s.value: {part: (labels.get(s.value) or {}).get(part) or "" for part in STAGE_PARTS} for s in Stage
        },
    }


def _markdown(field: str, value) -> str | None:
    text = str(value or "").replace("\x00", "")
    clean = validate_setting(field, text)
    if clean and field == "welcome_md":
        refused = disclosure.firm_text_refusal(clean, _("The welcome text"))
        if refused:
            raise InvalidSetting(field, refused)
    return clean


def _stage_labels(values) -> dict[str, dict[str, str]]:
    stored: dict[str, dict[str, str]] = {}
    for key, parts in (values or {}).items():
        try:
            stage = Stage(key)
        except ValueError as exc:
            raise InvalidSetting(None, _("“%(key)s” is not a stage.", key=str(key)[:40])) from exc
        entry = {}
        for part, limit in STAGE_PARTS.items():
            value = plain_text(f"{key}-{part}", str((parts or {}).get(part) or "").replace("\x00", ""), limit)
            if value:
                refused = disclosure.firm_text_refusal(value, _("The wording of “%(stage)s”", stage=stage.label))
                if refused:
                    raise InvalidSetting(f"{key}-{part}", refused)
                entry[part] = value
        if entry:
            stored[stage.value] = entry
    return stored


def set_texts(
    firm: Firm,
    actor: User | None,
    lang: str,
    *,
    welcome_md: str | None = None,
    privacy_notice_md: str | None = None,
    stage_labels: dict | None = None,
) -> dict[str, tuple]:
    """Write the firm's texts in `lang` (an offered language other than the default). Every
    value is checked first; nothing is applied when one is refused. Returns the changes as
    {"<lang>.<field>": (old, new)}."""
    if lang not in LANGUAGES:
        raise _unknown(lang)
    if lang not in offered(firm):
        raise InvalidSetting(None, _("Offer %(language)s first, then write its texts.", language=LANGUAGES[lang].name))
    if not editable(firm, lang):
        raise InvalidSetting(
            None, _("Texts in your default language are on the Look and contact and Stage wording pages.")
        )
    entry: dict = {}
    for field, value in (("welcome_md", welcome_md), ("privacy_notice_md", privacy_notice_md)):
        clean = _markdown(field, value)
        if clean:
            entry[field] = clean
            entry[HTML_OF[field]] = render_markdown(clean) or None
    labels = _stage_labels(stage_labels)
    if labels:
        entry["stage_labels"] = labels

    before = texts_in(firm, lang)
    texts = copy.deepcopy(firm.texts or {})  # a new value: the column is plain JSON, and cached firms share it
    if entry:
        texts[lang] = entry
    else:
        texts.pop(lang, None)
    if texts != (firm.texts or {}):
        firm.texts = texts or None
    after = texts_in(firm, lang)

    changes: dict[str, tuple] = {}
    for field in TEXT_FIELDS:
        if before[field] != after[field]:
            changes[f"{lang}.{field}"] = (before[field] or None, after[field] or None)
    for stage in Stage:
        for part in STAGE_PARTS:
            old, new = before["stage_labels"][stage.value][part], after["stage_labels"][stage.value][part]
            if old != new:
                changes[f"{lang}.stage_labels.{stage.value}.{part}"] = (old or None, new or None)
    if changes:
        audit.record(
            firm,
            actor,
            "settings.changed",
            target=f"texts ({lang})",
            details={
                "changes": {
                    f"texts.{k}": {"old": audit.short(old), "new": audit.short(new)}
                    for k, (old, new) in changes.items()
                }
            },
        )
    db.session.flush()
    return changes
