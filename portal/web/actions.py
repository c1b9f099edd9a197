"""The form-action helper: a view validates, calls one service and is done; this module turns
the outcome into the response every Portal form gives.

Each action runs in the one transaction scope (portal/transaction.py): committed on success,
rolled back on a refusal (a DomainError), whose words go onto the form or into a flash. An
object of another firm, or one the service cannot find (NotFound), is a 404. Never called by
services, jobs or commands; never commits anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.services import Conflict, DomainError, NotFound
from portal.transaction import transaction
from portal.web.security import is_safe_next


@dataclass
class Outcome:
    """What became of a submitted form: done (committed, with the service's result) or not."""

    done: bool
    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.done


SAME_MOMENT = _l("This was sent twice at the same moment, or changed by someone else just now. Please send it again.")


def run(action: Callable[[], Any]) -> Any:
    """Run one service call in the transaction scope; NotFound is a 404. A refusal (any other
    DomainError) is rolled back and raised for the caller to show. A unique constraint that
    another request filled between this one's check and its write (two web servers taking the
    same new applicant at the same instant) is rolled back and shown as a Conflict: sending
    again finds the row the other request wrote."""
    try:
        with transaction():
            return action()
    except NotFound:
        abort(404)
    except IntegrityError as exc:
        current_app.logger.warning("a concurrent write won a unique constraint: %s", exc.orig, exc_info=False)
        raise Conflict(str(SAME_MOMENT)) from exc


def submit(form: FlaskForm | None, action: Callable[[], Any], field: Any = None) -> Outcome:
    """Validate `form` (when given); if it is valid, run `action` in the transaction.

    A refusal is shown on the form: on the field the error names (`exc.field`), else on
    `field`, else above the form. The caller re-renders the form (status 400) when not done."""
    if form is not None and not form.validate_on_submit():
        return Outcome(False)
    try:
        return Outcome(True, run(action))
    except DomainError as exc:
        if form is not None:
            show_error(form, exc, field)
        return Outcome(False, error=exc)


def show_error(form: FlaskForm, exc: DomainError | str, field: Any = None) -> None:
    """Put a refusal's words on the field it is about, else on `field`, else on the form."""
    name = getattr(exc, "field", None)
    target = form[name] if name and name in form else field
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def act(
    action: Callable[[], Any],
    *,
    back_to: str,
    refused: str,
    done: str | Callable[[Any], str | None] | None = None,
    form: FlaskForm | None = None,
    passes: tuple[type[DomainError], ...] = (),
    invalid: str | None = None,
) -> Response:
    """A button's whole response: validate `form` (when given) and run `action` in the
    transaction, flash what happened, and go back (to the form's safe `next`, else `back_to`).

    `done` is the success message, or a function of the service's result called after the
    commit (it may remember what to offer next, e.g. an undo) returning the message; `refused`
    starts the message of a refusal or an invalid form ("Not moved: ..."), unless `invalid`
    gives an invalid form's message whole. Refusals of the
    types in `passes` are rolled back and raised for the view to answer with its page."""
    if form is not None and not form.validate_on_submit():
        reason = form_errors_text(form) or _("the form was incomplete.")
        flash(invalid or _refusal(refused, reason), "error")
        return back(back_to)
    try:
        result = run(action)
    except passes:
        raise
    except Conflict as exc:
        # Translators: %(refused)s says what was not done ("Not moved"), %(reason)s why.
        flash(_("%(refused)s — conflict: %(reason)s", refused=refused, reason=str(exc)), "error")
        return back(back_to)
    except DomainError as exc:
        flash(_refusal(refused, str(exc)), "error")
        return back(back_to)
    message = done(result) if callable(done) else done
    if message:
        flash(message, "success")
    return back(back_to)


def _refusal(refused: str, reason: str) -> str:
    # Translators: a refusal: %(refused)s says what was not done ("Not moved"), %(reason)s why.
    return _("%(refused)s: %(reason)s", refused=refused, reason=reason)


def form_errors_text(form: FlaskForm) -> str:
    """A form's errors in one line, each after its field's label."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        label = str(getattr(form, name).label.text) if name in form else ""
        parts.append(_("%(field)s: %(errors)s", field=label, errors=text) if label else text)
    return " ".join(parts)


def back(default: str) -> Response:
    """Redirect (303) to the form's `next` (a local path only) or to the default."""
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else default, code=303)


def status(form: FlaskForm) -> int:
    """400 for a form posted with errors (so tests and tools see the refusal), else 200."""
    return 400 if request.method == "POST" and (form.errors or form.form_errors) else 200


# ---------------------------------------------------------------- added for the candidate and auth views


def found(lookup: Callable[[], Any]) -> Any:
    """A read for a page (no transaction: nothing to commit); the service's NotFound is a 404."""
    try:
        return lookup()
    except NotFound:
        abort(404)


def on_field(field: str, action: Callable[[], Any], *refusals: type[DomainError]) -> Callable[[], Any]:
    """`action`, whose refusals of these types (any DomainError if none is named) are about the
    form field `field`: submit() and show_error() show them there. A NotFound named here is such
    a refusal too (e.g. a role picked on the form that has closed meanwhile), not a 404."""

    caught: tuple[type[DomainError], ...] = refusals or (DomainError,)

    def about_field() -> Any:
        try:
            return action()
        except caught as exc:
            if isinstance(exc, NotFound):
                refusal = DomainError(str(exc))
                refusal.field = field  # type: ignore[attr-defined]
                raise refusal from exc
            exc.field = field  # type: ignore[attr-defined]
            raise

    return about_field


# Added for the recruiter and admin views: the acting user, a refusal shown in the page's own
# place (an error box) rather than on the form, and the flash of an Outcome in the refusal's words.


def actor() -> Any:
    """The signed-in user as a plain model instance (what services take as `actor`)."""
    return current_user._get_current_object()


def attempt(form: FlaskForm | None, action: Callable[[], Any]) -> Outcome:
    """Like submit(), but a refusal is left on the Outcome (`out.error`) for a page that shows
    it in its own place (an error box) instead of on the form's fields."""
    if form is not None and not form.validate_on_submit():
        return Outcome(False)
    return submit(None, action)


def flash_outcome(
    out: Outcome, done: str | Callable[[Any], str | None] | None = None, refused: str | None = None
) -> Outcome:
    """Flash what became of an action: `done` (a message, or a function of the service's result)
    when it was done; when refused, the refusal's own words, after "`refused`: " if given. A form
    that did not validate (no refusal) flashes nothing. Returns `out`."""
    if out:
        message = done(out.value) if callable(done) else done
        if message:
            flash(message, "success")
    elif out.error is not None:
        flash(_refusal(refused, str(out.error)) if refused else str(out.error), "error")
    return out
