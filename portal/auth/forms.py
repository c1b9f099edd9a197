"""Forms of sign-in, setting, changing and resetting a password: length limits and matching
repeats only. They never look up an account or check a password (portal.services.accounts does).
Labels and messages are lazy gettext strings: each page shows them in its own language."""

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.i18n import lazy as _l
from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)

LENGTH = _l("Use 10 to 200 characters.")
DIFFER = _l("The two passwords differ.")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200, message=LENGTH)])
    confirm = PasswordField(_l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=DIFFER)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password.")),
            Length(max=200, message=_l("That is not your current password.")),
        ],
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(min=10, max=200, message=LENGTH)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Repeat the new password.")), EqualTo("password", message=DIFFER)],
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class SignInLinkForm(FlaskForm):
    """Ask for a sign-in link; `next` is the page to land on (checked by the view)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    next = HiddenField(validators=[Length(max=500)])


class NameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class TwoFactorCodeForm(FlaskForm):
    """A code from an authenticator app (six digits) or a recovery code: the service decides."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=40)])
