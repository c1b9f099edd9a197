"""The values a firm admin may give its settings, checked: plain one-line texts, email addresses,
#rrggbb colours, the Markdown welcome text and privacy notice, whole numbers in range and time zones. Each check
returns the clean value or raises InvalidSetting naming the form field. Pure: this module must
never touch the database, apply a value or write the audit log; portal/services/branding.py does."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email

from portal.i18n import gettext as _
from portal.i18n import number
from portal.services import DomainError

HEX = re.compile(r"^#[0-9a-f]{6}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# An HTML tag or comment (Markdown autolinks such as <https://...> are not tags).
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s|/?>|$)|<!")

TEXT_LIMITS = {"name": 120, "postal_address": 300, "sender_name": 120}
EMAIL_FIELDS = ("support_email", "reply_to")
# A host name (the firm's reply domain): lowercase labels, a dot, no scheme or path.
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
WELCOME_LIMIT = 5000
INT_RANGES = {
    "cadence_days": (1, 60),
    "checkin_weekday": (0, 6),
    "checkin_hour": (0, 23),
    "nurture_weeks": (1, 52),
    "availability_prompt_weeks": (1, 52),
    # Interview reminders, hours before (0 = that reminder is off).
    "reminder_first_hours": (0, 168),
    "reminder_second_hours": (0, 48),
    # The feedback promise: business days (Monday to Friday, firm's zone) after an interview.
    "feedback_window_days": (1, 10),
    # The reply promise (8): business days to answer a candidate's message.
    "reply_window_days": (1, 10),
    "retention_months": (1, 120),
}
FLAGS = ("careers_enabled", "public_figures")  # on/off switches
PRIVACY_LIMIT = 10000
STAGE_LABEL_LIMIT = 60
STAGE_EXPLANATION_LIMIT = 300


class InvalidSetting(DomainError):
    """A value was refused; `field` names the form field it belongs to."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- validation


def plain_text(field: str, value, limit: int, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidSetting(field, _("This field is required."))
        return None
    if len(text) > limit:
        raise InvalidSetting(field, _("Use at most %(limit)d characters.", limit=limit))
    if CONTROL.search(text):
        raise InvalidSetting(field, _("Use a single line of text."))
    if "<" in text or ">" in text:
        raise InvalidSetting(field, _("Use plain text, without < or >."))
    return text


def email_address(field: str, value) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > 254 or CONTROL.search(text):
        raise InvalidSetting(field, _("Enter a valid email address of at most 254 characters."))
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidSetting(field, _("Enter a valid email address (%(reason)s).", reason=str(exc))) from exc


def _colour(field: str, value) -> str:
    text = (value or "").strip().lower()
    if not HEX.match(text):
        raise InvalidSetting(field, _("Use a colour in the form #rrggbb, for example #1f4e79."))
    return text


def _welcome(value) -> str | None:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        return None
    if len(text) > WELCOME_LIMIT:
        raise InvalidSetting("welcome_md", _("Use at most %(limit)d characters.", limit=WELCOME_LIMIT))
    if HTML_TAG.search(text):
        raise InvalidSetting("welcome_md", _("Write the welcome text in Markdown; HTML tags are not allowed."))
    return text


def _privacy(value) -> str | None:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        return None
    if len(text) > PRIVACY_LIMIT:
        raise InvalidSetting("privacy_notice_md", _("Use at most %(limit)s characters.", limit=number(PRIVACY_LIMIT)))
    if HTML_TAG.search(text) or "\x00" in text:
        raise InvalidSetting("privacy_notice_md", _("Write the privacy notice in Markdown; HTML tags are not allowed."))
    return text


def _int(field: str, value) -> int:
    lo, hi = INT_RANGES[field]
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidSetting(field, _("Enter a whole number from %(low)d to %(high)d.", low=lo, high=hi)) from exc
    if not lo <= number <= hi:
        raise InvalidSetting(field, _("Enter a whole number from %(low)d to %(high)d.", low=lo, high=hi))
    return number


def _timezone(value) -> str:
    text = (value or "").strip()
    if text not in available_timezones() or text in ("localtime", "Factory"):
        raise InvalidSetting("timezone", _("Choose a time zone from the list."))
    return text


def hostname(field: str, value) -> str | None:
    text = (value or "").strip().lower().rstrip(".")
    if not text:
        return None
    if not HOSTNAME.match(text):
        raise InvalidSetting(field, _("Enter a domain name such as replies.example.com (no @, no http://, no path)."))
    return text


def validate_setting(field: str, value):
    """The clean value of one setting, or InvalidSetting."""
    if field == "reply_domain":
        return hostname(field, value)
    if field in TEXT_LIMITS:
        return plain_text(field, value, TEXT_LIMITS[field], required=field == "name")
    if field in EMAIL_FIELDS:
        return email_address(field, value)
    if field in ("primary_color", "accent_color"):
        return _colour(field, value)
    if field == "welcome_md":
        return _welcome(value)
    if field == "privacy_notice_md":
        return _privacy(value)
    if field in INT_RANGES:
        return _int(field, value)
    if field == "timezone":
        return _timezone(value)
    if field in FLAGS:
        return bool(value)
    raise ValueError(f"{field} is not a firm setting")
