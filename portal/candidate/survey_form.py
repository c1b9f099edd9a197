"""The experience survey's form (the public /survey/<token> page): a score 0-10 and an optional
comment, with the candidate forms' control-character stripping and length messages
(portal/candidate/forms.py). Never reads or writes the database."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.candidate.forms import CandidateForm, _max, choices
from portal.services.surveys import MAX_COMMENT, QUESTION, SCORES


def _score_label(n: int) -> str:
    return {0: "0 – not at all", 10: "10 – extremely well"}.get(n, str(n))


class SurveyForm(CandidateForm):
    score = RadioField(
        QUESTION,
        choices=choices((str(n), _score_label(n)) for n in SCORES),
        validators=[InputRequired("Please choose a score from 0 to 10.")],
    )
    comment = TextAreaField(
        "Anything you would like to tell us? (optional)", validators=[Optional(), _max(MAX_COMMENT)]
    )
