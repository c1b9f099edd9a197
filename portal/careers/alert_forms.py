"""Careers-site forms: the job-alert subscription (with its honeypot field). Every text field
has a server-side length limit (control characters are dropped from every input by
portal.web.inputs); forms never read or write the database."""

from __future__ import annotations

from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.i18n import lazy as _l
from portal.services.job_alerts import REMOTE_CHOICES
from portal.web.forms import FlaskForm

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms

    def _Choice(value, label):  # noqa: N802
        return (value, label)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _max(n: int) -> Length:
    # WTForms fills in %(max)d when the message is shown (in the page's language).
    return Length(max=n, message=_l("Please use at most %(max)d characters."))


class AlertCriteriaForm(FlaskForm):
    """What to be told about: words, a place, a way of working (all optional)."""

    keywords = StringField(_l("Keywords"), filters=[_strip], validators=[_max(200)])
    location = StringField(_l("Location"), filters=[_strip], validators=[_max(120)])
    remote = SelectField(_l("Way of working"), choices=[_Choice(v, label) for v, label in REMOTE_CHOICES], default="")


class AlertForm(AlertCriteriaForm):
    email = EmailField(
        _l("Your email"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Email(_l("Please enter a valid email address."), check_deliverability=False),
            _max(254),
        ],
    )
    # The honeypot: hidden from people (and from assistive technology), filled in by bots.
    website = StringField(_l("Leave this empty"), validators=[Length(max=500)])
