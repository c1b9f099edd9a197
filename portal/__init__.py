"""Portal: a candidate portal and recruiter backend that recruiting firms run as their own.

`create_app()` reads the settings and binds the extensions, tenancy, blueprints and commands; it
connects to nothing yet, and portal/ never imports worker/ (the worker imports portal)."""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy.engine import make_url

from portal.config import load_config


def create_app(overrides: dict | None = None) -> Flask:
    """Application factory. Reads settings, binds extensions; connects to nothing yet."""
    app = Flask(__name__, instance_path=None)
    app.config.update(load_config(overrides))
    from portal.web.inputs import CleanRequest

    app.request_class = CleanRequest  # NUL and other control characters dropped from every input
    os.makedirs(app.config["INSTANCE_DIR"], exist_ok=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        os.makedirs(os.path.dirname(url.database) or ".", exist_ok=True)  # a new checkout's instance/
    if app.config.get("PROXY_FIX"):  # read once, by config (PORTAL_PROXY_FIX=0 is off)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    from portal import logs

    logs.init_app(app)  # JSON or text lines with the request and job ids; Sentry when configured

    from portal.web.routing import IdConverter

    app.url_map.converters["int"] = IdConverter

    from portal import markdown, outbox, tenancy
    from portal.extensions import csrf, db, limiter, login_manager, migrate
    from portal.web import security, templating

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["QUEUE_PREFIX"])

    db.init_app(app)
    _sqlite_pragmas(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    tenancy.init_app(app)
    markdown.init_app(app)
    security.init_app(app)
    import portal.models  # noqa: F401  (the models register with db's metadata on import)
    from portal.services import messages
    from portal.services.matching import weights as search_weights

    messages.install_hooks()
    search_weights.install_hooks()  # Search.skill_weight follows its SearchSkill rows
    outbox.init_app(app)
    from portal import storage

    storage.init_app(app)
    from portal.outbox import webhooks as webhook_outbox

    webhook_outbox.init_app(app)
    templating.init_app(app)
    from portal import i18n

    i18n.init_app(app)

    from portal.admin import bp as admin_bp
    from portal.auth import bp as auth_bp
    from portal.candidate import bp as candidate_bp
    from portal.careers import bp as careers_bp
    from portal.recruiter import bp as recruiter_bp
    from portal.web.brand import bp as brand_bp
    from portal.web.calendar_feed import bp as calendar_feed_bp
    from portal.web.errors import init_app as init_errors
    from portal.web.health import bp as health_bp
    from portal.web.people import bp as people_bp

    app.register_blueprint(health_bp)
    from portal.web import metrics

    metrics.init_app(app)
    app.register_blueprint(brand_bp)
    from portal.web.language import bp as language_bp

    csrf.exempt(language_bp)  # checked in the view for a signed-in person (see its docstring)
    app.register_blueprint(language_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(calendar_feed_bp)
    from portal.web.inbound import bp as inbound_bp

    app.register_blueprint(inbound_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(candidate_bp, url_prefix="/me")
    app.register_blueprint(recruiter_bp, url_prefix="/recruiter")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(careers_bp, url_prefix="/careers")
    if app.config["PORTAL_ENV"] in ("development", "testing"):
        from portal.devtools.mail import bp as dev_bp

        app.register_blueprint(dev_bp, url_prefix="/dev")
    if app.config.get("BENCH_CEILING"):
        from portal.devtools.bench_ceiling import bp as bench_ceiling_bp

        app.register_blueprint(bench_ceiling_bp, url_prefix="/bench")
    from portal import api

    api.init_app(app)
    init_errors(app)
    from portal.web.ratelimits import drop_idle_request_check, skip_idle_response_hooks

    drop_idle_request_check(app)  # after every blueprint: their limits are known by now
    skip_idle_response_hooks(app)

    from portal import cli

    cli.init_app(app)
    _remember_plain_functions(app)
    return app


def _remember_plain_functions(app: Flask) -> None:
    """Flask asks `ensure_sync` of every hook, context processor and view on every request
    (22 on a signed-in page), and each answer inspects the function's code for `async def`
    (`inspect.iscoroutinefunction`: about 1 us). A function found plain stays plain, so the
    answer is remembered per function; an `async def` one still gets Flask's wrapper each time."""
    ask = app.ensure_sync
    plain: dict = {}

    def ensure_sync(func):
        try:
            if func in plain:
                return func
        except TypeError:  # not hashable: ask every time
            return ask(func)
        made = ask(func)
        if made is func:
            if len(plain) >= 4096:  # hooks and views are a fixed set; a bound of safety only
                plain.clear()
            plain[func] = True
        return made

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


def _sqlite_pragmas(app: Flask) -> None:
    """WAL and foreign keys for SQLite (measured +40 % on reads; FKs enforce cascades)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; no fsync on every commit
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        mmap_mb = max(int(app.config.get("SQLITE_MMAP_MB") or 0), 0)
        cur.execute(f"PRAGMA mmap_size={mmap_mb * 1024 * 1024}")
        cur.close()

    with app.app_context():
        from portal.extensions import db

        engine: Engine = db.engine
        if not event.contains(engine, "connect", _on_connect):
            event.listen(engine, "connect", _on_connect)
