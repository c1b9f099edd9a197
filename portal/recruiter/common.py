"""Small helpers shared by the recruiter views: this firm's row or a 404, staff choices. No rules
and no writes here (the form-action helpers, `back` and `actor` among them, are in portal/web/actions.py)."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm

from portal.extensions import db


def get_or_404(model, ident):
    """This firm's row with that id, or 404 (another firm's id is simply not found)."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def errors_text(form: FlaskForm) -> str:
    """A form's errors in one line, without the field labels."""
    return " ".join(str(e) for errs in form.errors.values() for e in errs)  # a message may be lazy (portal.i18n)


def staff_choices(users, blank: str = "—") -> list:
    from portal.recruiter.forms import opt

    return [opt("", blank)] + [opt(u.id, u.name) for u in users]
