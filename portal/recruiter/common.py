"""Small helpers shared by the recruiter views: this firm's row or a 404, the acting user, a safe
way back. No rules and no writes here."""
from __future__ import annotations

from flask import abort, redirect, request
from flask_login import current_user

from portal.extensions import db
from portal.web.security import is_safe_next


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


def actor():
    """The signed-in staff user as a plain model instance (for the services)."""
    return current_user._get_current_object()


def back(default: str):
    """Redirect to the form's `next` (a local path only) or to the default."""
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else default, code=303)


def staff_choices(users, blank: str = "—") -> list:
    from portal.recruiter.forms import opt

    return [opt("", blank)] + [opt(u.id, u.name) for u in users]
