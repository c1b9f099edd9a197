"""The search form as a firm sees it: the recruiter's SearchForm (portal/recruiter/forms.py) with
an optional description field for each language the firm offers besides its default
("Description in Deutsch"), under the same limits as the description. The stored texts are
Search.translations; the rules are portal/services/search_languages.py's."""

from __future__ import annotations

from typing import Any

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal import i18n
from portal.i18n import lazy as _l
from portal.recruiter.forms import SearchForm, no_html
from portal.services.searches import MAX_MARKDOWN


class TranslatedSearchForm(SearchForm):
    """SearchForm and one description field per language in `translation_languages` (named
    description_md_<code>; search_form makes the class of each set of languages)."""

    translation_languages: tuple[i18n.Language, ...] = ()

    def translation_fields(self) -> list[tuple[i18n.Language, Any]]:
        """(language, its description field) for each of the firm's other languages."""
        return [(lang, self[f"description_md_{lang.code}"]) for lang in self.translation_languages]

    def fill_translations(self, search) -> None:
        """Show the search's stored descriptions in the other languages (a GET of the edit form)."""
        stored = search.translations or {}
        for lang, field in self.translation_fields():
            field.data = (stored.get(lang.code) or {}).get("description_md") or ""

    def translations(self) -> dict[str, str]:
        """{language: the Markdown typed} for each language field (empty: none in that language)."""
        return {lang.code: field.data or "" for lang, field in self.translation_fields()}


_FORMS: dict[tuple[str, ...], type[TranslatedSearchForm]] = {}


def search_form(firm, *args, **kwargs) -> TranslatedSearchForm:
    """The search form of this firm (its languages besides the default have a field each)."""
    codes = tuple(i18n.offered(firm)[1:])
    cls = _FORMS.get(codes)
    if cls is None:
        fields: dict[str, Any] = {
            f"description_md_{code}": TextAreaField(
                _l("Description in %(language)s", language=i18n.language_name(code)),
                validators=[Optional(), Length(max=MAX_MARKDOWN), no_html],
            )
            for code in codes
        }
        fields["translation_languages"] = tuple(i18n.LANGUAGES[code] for code in codes)
        cls = _FORMS[codes] = type("SearchForm", (TranslatedSearchForm,), fields)
    return cls(*args, **kwargs)
