"""The debrief form (after an interview): server-side limits and the candidate forms' control
character stripping (portal/candidate/forms.py). Never reads or writes the database."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.candidate.forms import CandidateForm, _max, choices
from portal.i18n import lazy as _l
from portal.services.debriefs import INTEREST_WORDS, MAX_TEXT


def interest_label(level: int):
    """ "4 – Interested": a level of interest with its words (lazy: in the page's language)."""
    # Translators: a level of interest from 1 to 5 with its words, e.g. "4 – Interested".
    return _l("%(num)d – %(words)s", num=level, words=INTEREST_WORDS[level])


class DebriefForm(CandidateForm):
    how_it_went = TextAreaField(
        _l("How did it go?"),
        validators=[DataRequired(_l("Please tell us in a few words how it went.")), _max(MAX_TEXT)],
    )
    interest = RadioField(
        _l("How interested are you in the role now?"),
        choices=choices((str(n), interest_label(n)) for n in INTEREST_WORDS),
        validators=[InputRequired(_l("Please choose how interested you are, from 1 to 5."))],
    )
    questions = TextAreaField(_l("Any questions or concerns? (optional)"), validators=[Optional(), _max(MAX_TEXT)])
