"""Forms of sign-in, setting, changing and resetting a password: length limits and matching
repeats only. They never look up an account or check a password (portal.services.accounts does)."""

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=10, max=200, message="Use 10 to 200 characters.")]
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")]
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=200, message="That is not your current password."),
        ],
    )
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=10, max=200, message="Use 10 to 200 characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("password", message="The two passwords differ.")],
    )


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class SignInLinkForm(FlaskForm):
    """Ask for a sign-in link; `next` is the page to land on (checked by the view)."""

    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    next = HiddenField(validators=[Length(max=500)])


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class TwoFactorCodeForm(FlaskForm):
    """A code from an authenticator app (six digits) or a recovery code: the service decides."""

    code = StringField("Code", validators=[DataRequired("Enter the code."), Length(max=40)])
