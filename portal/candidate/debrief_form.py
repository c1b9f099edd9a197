"""The debrief form (after an interview): server-side limits and the candidate forms' control
character stripping (portal/candidate/forms.py). Never reads or writes the database."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.candidate.forms import CandidateForm, _max, choices
from portal.services.debriefs import INTEREST_WORDS, MAX_TEXT


class DebriefForm(CandidateForm):
    how_it_went = TextAreaField(
        "How did it go?", validators=[DataRequired("Please tell us in a few words how it went."), _max(MAX_TEXT)]
    )
    interest = RadioField(
        "How interested are you in the role now?",
        choices=choices((str(n), f"{n} – {words}") for n, words in INTEREST_WORDS.items()),
        validators=[InputRequired("Please choose how interested you are, from 1 to 5.")],
    )
    questions = TextAreaField("Any questions or concerns? (optional)", validators=[Optional(), _max(MAX_TEXT)])
