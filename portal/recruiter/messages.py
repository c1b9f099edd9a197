"""The firm's messages, for recruiters and admins: counts by state, the oldest pending, failures
with their reasons, and "send again". Scoped to the request's firm (another firm's message is a
404); it never sends anything itself (services.messages queues, the worker sends)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Message, MessageState
from portal.recruiter.blueprint import bp
from portal.services.messages import resend
from portal.tenancy import current_firm
from portal.web.actions import actor, flash_outcome, submit
from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)

PAGE = 50
STATE_ORDER = [
    MessageState.PENDING,
    MessageState.SENDING,
    MessageState.SENT,
    MessageState.FAILED,
    MessageState.SKIPPED,
    MessageState.CANCELLED,
]


class ResendForm(FlaskForm):
    """Only the CSRF token: the message is in the URL."""


def _state_arg() -> MessageState | None:
    raw = request.args.get("state", "")
    try:
        return MessageState(raw) if raw else None
    except ValueError:
        return None


@bp.route("/messages")
def messages():
    state = _state_arg()
    overview = _overview(current_firm.id)
    rows, older = _page(current_firm.id, state, request.args.get("before", type=int))
    return render_template(
        "recruiter/messages.html", states=STATE_ORDER, rows=rows, state=state, older=older, **overview
    )


def _overview(firm_id: int) -> dict:
    """The head of the page: the count in each state, the oldest message waiting, the latest failures."""
    counts = dict(
        db.session.execute(
            select(Message.state, func.count(Message.id)).where(Message.firm_id == firm_id).group_by(Message.state)
        ).all()
    )
    oldest_pending = db.session.scalar(
        select(Message)
        .where(Message.firm_id == firm_id, Message.state == MessageState.PENDING)
        .order_by(Message.due_at, Message.id)
        .limit(1)
    )
    failures = list(
        db.session.scalars(
            select(Message)
            .where(Message.firm_id == firm_id, Message.state == MessageState.FAILED)
            .order_by(Message.id.desc())
            .limit(20)
        )
    )
    return {"counts": counts, "oldest_pending": oldest_pending, "failures": failures}


def _page(firm_id: int, state: MessageState | None, before: int | None) -> tuple[list[Message], int | None]:
    """One page of the firm's messages, newest first, and the id to continue before (if more)."""
    stmt = select(Message).where(Message.firm_id == firm_id)
    if state is not None:
        stmt = stmt.where(Message.state == state)
    if before:
        stmt = stmt.where(Message.id < before)
    rows = list(db.session.scalars(stmt.order_by(Message.id.desc()).limit(PAGE + 1)))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return rows, rows[-1].id if more else None


@bp.route("/messages/<int:message_id>")
def message_detail(message_id: int):
    msg = db.session.get(Message, message_id)
    if msg is None or msg.firm_id != current_firm.id:
        abort(404)
    return render_template("recruiter/messages_detail.html", msg=msg)


@bp.route("/messages/<int:message_id>/resend", methods=["POST"])
def message_resend(message_id: int):
    form = ResendForm()
    here = url_for("recruiter.message_detail", message_id=message_id)
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(here)
    flash_outcome(
        submit(None, lambda: resend(current_firm, actor(), message_id)), _("The message is queued to be sent again.")
    )
    return redirect(here)
