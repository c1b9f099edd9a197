"""The independent ceiling: a minimal app on Portal's stack that does not import Portal.

Flask, Flask-Login (the user from a signed session cookie, loaded by one indexed query),
SQLAlchemy (Core, a pooled engine), one indexed query of 20 rows, a ~5 KB Jinja template.
`make bench` serves it with the same gunicorn settings against the same database as Portal and
measures it interleaved with Portal's pages: every page is reported as a ratio of it, so
Portal's fixed cost per request (firm, session, tenancy, middleware) shows instead of
hiding inside the in-app ceiling (`/bench/ceiling`).

    BENCH_CEILING_DB=URL BENCH_CEILING_FIRM=bench gunicorn 'bench.ceiling_app:create_app()'

GET /login?email=... signs that user in (the benchmark's own logins; no password: this app is
only ever bound to 127.0.0.1 by the benchmark). GET /ceiling is the measured page.
"""

from __future__ import annotations

import os
from datetime import UTC

from flask import Flask, abort, redirect, render_template, request
from flask_login import LoginManager, UserMixin, login_required, login_user
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, create_engine, event, select

# Only the columns this app reads (no reflection: nothing at start-up but the engine).
meta = MetaData()
users = Table(
    "users",
    meta,
    Column("id", Integer, primary_key=True),
    Column("firm_id", Integer),
    Column("email", String),
    Column("name", String),
    Column("active", Boolean),
)
firms = Table("firms", meta, Column("id", Integer, primary_key=True), Column("slug", String))
messages = Table(
    "messages",
    meta,
    Column("id", Integer, primary_key=True),
    Column("firm_id", Integer),
    Column("kind", String),
    Column("subject", String),
    Column("to_name", String),
    Column("state", String),
    Column("created_at", DateTime),
)


class User(UserMixin):
    def __init__(self, row):
        self.id, self.name, self.firm_id = row.id, row.name, row.firm_id


def _sqlite_pragmas(engine) -> None:
    """The pragmas Portal sets on SQLite (portal/__init__.py), so both read the file alike."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute(f"PRAGMA mmap_size={1024 * 1024 * 1024}")
        cur.close()


def create_app(db_url: str | None = None, firm_slug: str | None = None) -> Flask:
    app = Flask(__name__, template_folder="ceiling_templates")
    app.config["SECRET_KEY"] = os.environ.get("BENCH_CEILING_SECRET", "bench-ceiling-secret-0123456789")
    url = db_url or os.environ["BENCH_CEILING_DB"]
    engine = create_engine(url, pool_pre_ping=False)
    if url.startswith("sqlite"):
        _sqlite_pragmas(engine)
    with engine.connect() as conn:
        firm_id = conn.execute(
            select(firms.c.id).where(firms.c.slug == (firm_slug or os.environ.get("BENCH_CEILING_FIRM", "bench")))
        ).scalar_one()

    login = LoginManager(app)

    @login.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        with engine.connect() as conn:
            row = conn.execute(
                select(users.c.id, users.c.name, users.c.firm_id).where(
                    users.c.id == int(user_id), users.c.firm_id == firm_id, users.c.active.is_(True)
                )
            ).first()
        return User(row) if row else None

    @app.route("/ping")
    def ping():
        return "ok"

    @app.route("/login")
    def sign_in():
        with engine.connect() as conn:
            row = conn.execute(
                select(users.c.id, users.c.name, users.c.firm_id).where(
                    users.c.email == request.args.get("email", ""), users.c.firm_id == firm_id
                )
            ).first()
        if row is None:
            abort(404)
        login_user(User(row))
        return redirect("/ceiling")

    @app.route("/ceiling")
    @login_required
    def ceiling():
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    messages.c.id,
                    messages.c.kind,
                    messages.c.subject,
                    messages.c.to_name,
                    messages.c.state,
                    messages.c.created_at,
                )
                .where(messages.c.firm_id == firm_id)
                .order_by(messages.c.id.desc())
                .limit(20)
            ).all()
        return render_template("ceiling.html", rows=rows)

    @app.template_filter("local_time")
    def local_time(value):
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.strftime("%d %b %Y, %H:%M")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
