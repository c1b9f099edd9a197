"""The experience survey's form (the public /survey/<token> page): a score 0-10 and an optional
comment, with the candidate forms' control-character stripping and length messages
(portal/candidate/forms.py). Never reads or writes the database."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.candidate.forms import CandidateForm, _max, choices
from portal.i18n import lazy as _l
from portal.services.surveys import MAX_COMMENT, QUESTION, SCORES

SCORE_ENDS = {
    # Translators: the lowest score of the survey "How well did we keep you informed?".
    0: _l("0 – not at all"),
    # Translators: the highest score of the survey "How well did we keep you informed?".
    10: _l("10 – extremely well"),
}


def _score_label(n: int):
    return SCORE_ENDS.get(n, str(n))


class SurveyForm(CandidateForm):
    score = RadioField(
        QUESTION,
        choices=choices((str(n), _score_label(n)) for n in SCORES),
        validators=[InputRequired(_l("Please choose a score from 0 to 10."))],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell us? (optional)"), validators=[Optional(), _max(MAX_COMMENT)]
    )
