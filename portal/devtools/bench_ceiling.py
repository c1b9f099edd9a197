"""The benchmark's ceiling page: what any logged-in page costs at the least.

Registered only when BENCH_CEILING is true (PORTAL_BENCH_CEILING=1, set by `make bench`), never
otherwise. It does what every real page does and nothing more: the firm from the Host, the user
from the session, one indexed query of 20 rows, a ~5 KB template. Pages are reported as a ratio
of it, because absolute numbers on a shared machine drift."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import select

from portal.extensions import db
from portal.models import Message

bp = Blueprint("bench_ceiling", __name__)


@bp.route("/ceiling")
@login_required
def ceiling():
    # The firm's 20 newest messages: the tenant filter adds firm_id; id DESC walks an index.
    rows = db.session.execute(
        select(Message.id, Message.kind, Message.subject, Message.to_name, Message.state, Message.created_at)
        .order_by(Message.id.desc())
        .limit(20)
    ).all()
    return render_template("bench/ceiling.html", rows=rows)
