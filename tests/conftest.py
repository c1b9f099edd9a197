"""Test fixtures: real SQLite/PostgreSQL, real Redis, a real SMTP sink, firm-A/firm-B pairs."""
from __future__ import annotations

import os
import shutil
import tempfile
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient

from portal.models import Role
from tests.factories import PASSWORD, make_candidate, make_firm, make_user
from tests.services import RedisProcess, SmtpSink, postgres_database
from tests.dns_server import dns_server_process, dns_zone  # noqa: F401 (fixtures: a DNS server on loopback)


# ---------------------------------------------------------------- services

@pytest.fixture(scope="session")
def redis_url():
    """PORTAL_REDIS_URL when set (only our own keys are ever deleted there), else a
    throwaway redis-server for this session."""
    url = os.environ.get("PORTAL_REDIS_URL")
    if url:
        yield url
        return
    proc = RedisProcess().start()
    yield proc.url
    proc.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        url, drop = postgres_database(base)
        yield url
        drop()
        return
    path = tmp_path_factory.mktemp("db") / "portal-test.db"
    yield f"sqlite:///{path}"


# ---------------------------------------------------------------- app

@pytest.fixture(scope="session")
def app(database_url, redis_url, smtp_sink):
    from portal import create_app
    from portal.extensions import db
    from worker.app import set_app

    instance = tempfile.mkdtemp(prefix="portal-test-")
    prefix = f"pt{os.getpid()}"
    app = create_app({
        "PORTAL_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "QUEUE_PREFIX": prefix,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_STORAGE_URI": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_sink.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 3,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_LOGIN": "1000 per minute",
        "RATELIMIT_LOGIN_ACCOUNT": "1000 per minute",
        "BASE_DOMAIN": "localhost",
        "DEFAULT_FIRM": None,
        "INSTANCE_DIR": instance,
        "UPLOAD_DIR": os.path.join(instance, "uploads"),
        "MAIL_CATCHER_DIR": os.path.join(instance, "mail"),
        "GRACE_SECONDS": 0,
        "RELAY_MIN_AGE_SECONDS": 0,
    })
    with app.app_context():
        db.create_all()
    set_app(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(instance, ignore_errors=True)


def _wipe_database(app) -> None:
    from portal.extensions import db

    with app.app_context():
        tables = list(reversed(db.metadata.sorted_tables))
        # DELETE in dependency order: on small tables it is ~50x faster than a TRUNCATE of
        # every table on PostgreSQL (~1 s per test). Ids keep growing; no test relies on them.
        with db.engine.begin() as conn:
            conn.execution_options(all_firms=True)  # the test harness spans firms
            for t in tables:
                conn.execute(t.delete())


def _wipe_redis(app) -> None:
    from portal.extensions import get_redis

    conn = get_redis(app)
    try:
        if os.environ.get("PORTAL_REDIS_URL"):
            prefix = app.config["QUEUE_PREFIX"]
            for pattern in (f"{prefix}*", f"*{prefix}-*", f"LIMITS:{prefix}*"):
                keys = list(conn.scan_iter(pattern, count=1000))
                if keys:
                    conn.delete(*keys)
        else:
            conn.flushdb()
    except Exception:  # noqa: BLE001 - a test may have stopped its Redis; the next start is clean
        pass


@pytest.fixture(autouse=True)
def _clean(request, app, smtp_sink):
    """Each test starts with empty tables, an empty Redis and an empty mailbox."""
    saved = dict(app.config)
    _wipe_database(app)
    _wipe_redis(app)
    from portal.extensions import limiter

    if not os.environ.get("PORTAL_REDIS_URL"):
        # reset() deletes every LIMITS:* key of the Redis DB: only on our throwaway server
        # (on a shared one, _wipe_redis removed our own LIMITS:<prefix>* keys above).
        try:
            limiter.reset()
        except Exception:  # noqa: BLE001
            pass
    smtp_sink.reset()
    yield
    app.config.clear()
    app.config.update(saved)


# ---------------------------------------------------------------- clients

class FirmClient(FlaskClient):
    """A test client that talks to one firm's host (<slug>.localhost)."""

    host = "localhost"

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str) and "base_url" not in kwargs:
            kwargs["base_url"] = f"http://{self.host}"
        return super().open(*args, **kwargs)


@pytest.fixture
def client_for(app):
    """client_for(firm) -> a fresh client on that firm's host."""

    def make(firm=None, host: str | None = None) -> FirmClient:
        app.test_client_class = FirmClient
        c = app.test_client()
        c.host = host or (f"{firm.slug}.localhost" if firm is not None else "localhost")
        return c

    return make


def login_as(client: FirmClient, user, password: str = PASSWORD, remember: bool = False):
    """Log in through the real login form; fails the test if it does not work."""
    resp = client.post("/login", data={"email": user.email, "password": password,
                                       "remember": "y" if remember else ""})
    assert resp.status_code == 302, f"login failed for {user.email}: {resp.status_code}"
    return resp


@pytest.fixture
def firms(app):
    """Two firms, each with an admin, a recruiter and a candidate (with a login)."""
    out = {}
    for slug in ("alpha", "beta"):
        firm = make_firm(app, slug=slug, name=f"{slug.capitalize()} Search")
        admin = make_user(app, firm, Role.ADMIN, email=f"admin@{slug}.example")
        recruiter = make_user(app, firm, Role.RECRUITER, email=f"recruiter@{slug}.example")
        candidate = make_candidate(app, firm, email=f"candidate@{slug}.example", owner=recruiter)
        out[slug] = SimpleNamespace(firm=firm, admin=admin, recruiter=recruiter, candidate=candidate,
                                    candidate_user=candidate.login)
    return SimpleNamespace(a=out["alpha"], b=out["beta"])


# ---------------------------------------------------------------- worker

@pytest.fixture
def run_jobs(app):
    """Run every queued job in-process (RQ SimpleWorker, burst) and return how many ran."""
    from rq import Queue, SimpleWorker

    from portal.extensions import DEFAULT, MESSAGES, get_redis, queue_name

    def run(queues=(DEFAULT, MESSAGES)) -> int:
        conn = get_redis(app)
        qs = [Queue(queue_name(q, app), connection=conn) for q in queues]
        before = sum(q.count for q in qs)
        SimpleWorker(qs, connection=conn).work(burst=True, logging_level="WARNING")
        return before

    return run


# ---------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def live_server(app):
    """The test app served by a real HTTP server on 127.0.0.1:<free port> in a thread.

    Reach a firm as http://<slug>.localhost:<port> (Chromium resolves *.localhost itself).
    """
    import threading

    from werkzeug.serving import make_server

    from tests.services import free_port

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(port=port, url=lambda firm, path="/": f"http://{firm.slug}.localhost:{port}{path}")
    server.shutdown()
    thread.join(5)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium via Playwright. Skipped (with the reason) when no Chromium is found,
    unless CI is set, where a missing browser fails the run."""
    path = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        msg = f"no Chromium at {path} (set PORTAL_CHROMIUM or apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        print(f"\nSKIP browser tests: {msg}")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A fresh 375x812 browser page (a phone)."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")


def screenshot(page, name: str) -> str:
    """Save a screenshot under tests/artifacts/ (linked from the README)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
