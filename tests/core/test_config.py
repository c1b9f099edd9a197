"""Settings come from PORTAL_* variables; a missing secret is a clear start-up error;
building the app connects to nothing."""

from __future__ import annotations

import socket

import pytest

from portal.config import DEV_SECRET_KEY, ConfigError, load_config


def test_missing_secret_key_outside_development_is_a_clear_error(monkeypatch, tmp_path):
    for env in ({}, {"PORTAL_ENV": "production"}, {"PORTAL_ENV": "staging", "PORTAL_SECRET_KEY": ""}):
        with pytest.raises(ConfigError) as info:
            load_config(env={"PORTAL_INSTANCE_DIR": str(tmp_path), **env})
        assert "PORTAL_SECRET_KEY is not set" in str(info.value)
    # create_app() says the same, from the real environment.
    from portal import create_app

    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        create_app()


def test_development_and_testing_get_a_dev_key_production_uses_the_given_one(tmp_path):
    for env in ("development", "testing"):
        cfg = load_config(env={"PORTAL_ENV": env, "PORTAL_INSTANCE_DIR": str(tmp_path)})
        assert cfg["SECRET_KEY"] == DEV_SECRET_KEY
    cfg = load_config(env={"PORTAL_SECRET_KEY": "s3cret-" * 8, "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert cfg["PORTAL_ENV"] == "production" and cfg["SECRET_KEY"] == "s3cret-" * 8


def test_settings_are_read_from_portal_variables(tmp_path):
    cfg = load_config(
        env={
            "PORTAL_ENV": "development",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_DATABASE_URL": "postgresql+psycopg://u@db/portal",
            "PORTAL_REDIS_URL": "redis://cache:6380/2",
            "PORTAL_SMTP_HOST": "smtp.example.com",
            "PORTAL_SMTP_PORT": "587",
            "PORTAL_SMTP_USER": "mailer",
            "PORTAL_SMTP_PASSWORD": "pw",
            "PORTAL_SMTP_SECURITY": "STARTTLS",
            "PORTAL_BASE_DOMAIN": "Portal.Example.COM.",
            "PORTAL_DEFAULT_FIRM": "acme",
            "PORTAL_INVITATION_DAYS": "3",
            "PORTAL_SECURE_COOKIES": "yes",
        }
    )
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/portal"
    assert cfg["REDIS_URL"] == "redis://cache:6380/2"
    assert (cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_USER"], cfg["SMTP_PASSWORD"], cfg["SMTP_SECURITY"]) == (
        "smtp.example.com",
        587,
        "mailer",
        "pw",
        "starttls",
    )
    assert cfg["BASE_DOMAIN"] == "portal.example.com"
    assert cfg["DEFAULT_FIRM"] == "acme"
    assert cfg["INVITATION_DAYS"] == 3
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["REMEMBER_COOKIE_SECURE"] is True
    # Defaults: SQLite in the instance folder, local Redis, no TLS to a local SMTP.
    cfg = load_config(env={"PORTAL_ENV": "development", "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert cfg["SESSION_COOKIE_SECURE"] is False


def test_wrong_smtp_security_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_SMTP_SECURITY"):
        load_config(
            env={"PORTAL_ENV": "development", "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SMTP_SECURITY": "tls1"}
        )


def test_create_app_connects_to_nothing(make_app, monkeypatch, tmp_path):
    """Building the app (as gunicorn, the worker and the CLI do) opens no connection: it
    works with a database and a Redis that do not answer, until a request needs them."""
    attempts = []
    real_connect = socket.socket.connect

    def spy(self, address):
        attempts.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: attempts.append(address) or 111)
    for db_url in ("postgresql+psycopg://nobody@127.0.0.1:9/nothing", f"sqlite:///{tmp_path / 'x' / 'new.db'}"):
        built = make_app(
            {
                "PORTAL_ENV": "production",
                "SECRET_KEY": "k" * 40,
                "INSTANCE_DIR": str(tmp_path / "inst"),
                "SQLALCHEMY_DATABASE_URI": db_url,
                "REDIS_URL": "redis://127.0.0.1:9/0",
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0",
                "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}}
                if db_url.startswith("postgres")
                else {},
            }
        )
        assert attempts == [], attempts
        assert "auth.login" in built.view_functions
    # A request is what first touches them, and it is answered (not a crash).
    with built.test_client() as c:
        resp = c.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["redis"]["ok"] is False
    assert ("127.0.0.1", 9) in attempts


def test_proxy_fix_is_opt_in(make_app, app, monkeypatch, tmp_path):
    plain = make_app(dict(app.config))
    assert plain.wsgi_app.__class__.__name__ != "ProxyFix"
    for value, expected in (("0", False), ("", False), ("1", True), ("true", True)):
        cfg = load_config(
            env={"PORTAL_ENV": "development", "PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_PROXY_FIX": value}
        )
        assert cfg["PROXY_FIX"] is expected, value
    proxied = make_app({**app.config, "PROXY_FIX": True})
    assert proxied.wsgi_app.__class__.__name__ == "ProxyFix"
    # Behind the proxy, X-Forwarded-Proto=https makes the request secure (HSTS is sent).
    with proxied.test_client() as c:
        resp = c.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" in resp.headers


# ---------------------------------------------------------------- one reading of every setting

BOOLEAN_SETTINGS = {  # variable -> (config key, default)
    "PORTAL_PROXY_FIX": ("PROXY_FIX", False),
    "PORTAL_POWERED_BY": ("POWERED_BY", True),
    "PORTAL_RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", True),
    "PORTAL_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", False),
    "PORTAL_BENCH_CEILING": ("BENCH_CEILING", False),
    "PORTAL_SSO_ALLOW_HTTP": ("SSO_ALLOW_HTTP", False),
    "PORTAL_WEBHOOK_ALLOW_LOCAL": ("WEBHOOK_ALLOW_LOCAL", True),  # on in development and testing only
    "PORTAL_BOUNCE_TO_REPLY_DOMAIN": ("BOUNCE_TO_REPLY_DOMAIN", False),
}


@pytest.mark.parametrize("variable", BOOLEAN_SETTINGS)
def test_every_boolean_setting_reads_the_same_words(variable, tmp_path):
    key, default = BOOLEAN_SETTINGS[variable]
    base = {"PORTAL_ENV": "development", "PORTAL_INSTANCE_DIR": str(tmp_path)}
    for words, expected in (
        (("0", "false", "no", "off", "FALSE", " Off "), False),
        (("1", "true", "yes", "on", "TRUE", " Yes "), True),
        (("", "  "), default),
    ):
        for word in words:
            assert load_config(env={**base, variable: word})[key] is expected, (variable, word)
    assert load_config(env=base)[key] is default
    for bad in ("2", "enabled", "y", "nope"):
        with pytest.raises(ConfigError) as info:
            load_config(env={**base, variable: bad})
        assert variable in str(info.value) and repr(bad) in str(info.value)


NUMBER_SETTINGS = (
    "PORTAL_SMTP_PORT",
    "PORTAL_SMTP_TIMEOUT",
    "PORTAL_MAX_UPLOAD_MB",
    "PORTAL_INVITATION_DAYS",
    "PORTAL_RESET_HOURS",
    "PORTAL_SIGN_IN_LINK_MINUTES",
    "PORTAL_RESET_MIN_SECONDS",
    "PORTAL_GRACE_SECONDS",
    "PORTAL_OPTIONAL_PER_WEEK",
    "PORTAL_RETRY_BASE_SECONDS",
    "PORTAL_RETRY_GIVE_UP_HOURS",
    "PORTAL_SENDING_LEASE_SECONDS",
    "PORTAL_RELAY_MIN_AGE_SECONDS",
    "PORTAL_RELAY_REENQUEUE_SECONDS",
    "PORTAL_DELIVERY_BATCH_SIZE",
    "PORTAL_PLAN_TICK_MINUTES",
    "PORTAL_SCHEDULER_LOCK_SECONDS",
    "PORTAL_MESSAGE_BODY_DAYS",
    "PORTAL_SQLITE_MMAP_MB",
    "PORTAL_FIRM_CACHE_SECONDS",
    "PORTAL_CAREERS_CACHE_SECONDS",
    "PORTAL_INBOUND_MAX_MB",
    "PORTAL_INBOUND_PORT",
    "PORTAL_REPLY_TOKEN_DAYS",
    "PORTAL_FINISH_RETRY_SECONDS",
    "PORTAL_DNS_TIMEOUT",
    "PORTAL_SSO_TIMEOUT",
    "PORTAL_STAFF_SESSION_IDLE_MINUTES",
    "PORTAL_STAFF_SESSION_MAX_HOURS",
    "PORTAL_CANDIDATE_SESSION_IDLE_DAYS",
    "PORTAL_CANDIDATE_SESSION_MAX_DAYS",
    "PORTAL_WEBHOOK_TIMEOUT",
    "PORTAL_WEBHOOK_DISABLE_AFTER_FAILURES",
    "PORTAL_WEBHOOK_DISABLE_AFTER_DAYS",
    "PORTAL_WEBHOOK_SECRET_OVERLAP_HOURS",
    "PORTAL_JOB_ALERT_CONFIRM_DAYS",
)


def test_every_setting_read_in_config_is_in_these_lists():
    """A new boolean or number setting is tested above by default: this fails until it is listed."""
    import re
    from pathlib import Path

    import portal.config

    source = Path(portal.config.__file__).read_text()
    assert set(re.findall(r'\bflag\("(PORTAL_\w+)"', source)) <= set(BOOLEAN_SETTINGS)
    assert set(re.findall(r'\bnumber\("(PORTAL_\w+)"', source)) <= set(NUMBER_SETTINGS)


@pytest.mark.parametrize("variable", NUMBER_SETTINGS)
def test_a_bad_number_in_any_setting_is_a_start_up_error_naming_it(variable, tmp_path):
    base = {"PORTAL_ENV": "development", "PORTAL_INSTANCE_DIR": str(tmp_path)}
    for bad in ("ten", "5x", "1,5"):
        with pytest.raises(ConfigError) as info:
            load_config(env={**base, variable: bad})
        assert variable in str(info.value) and repr(bad) in str(info.value)
    load_config(env={**base, variable: " 5 "})  # a good number, spaces around it, is read


def test_numbers_are_read_as_numbers(tmp_path):
    cfg = load_config(
        env={
            "PORTAL_ENV": "development",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_SMTP_TIMEOUT": "2.5",
            "PORTAL_GRACE_SECONDS": "30",
            "PORTAL_MAX_UPLOAD_MB": "",
        }
    )
    assert cfg["SMTP_TIMEOUT"] == 2.5 and cfg["GRACE_SECONDS"] == 30
    assert cfg["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024  # empty: the default


def _remote_addr_seen(built) -> str:
    """The request.remote_addr a request from 198.51.100.7 with a spoofed X-Forwarded-For gets."""
    from flask import request

    seen = []

    def record():
        seen.append(request.remote_addr)
        return "ok"

    built.before_request_funcs.setdefault(None, []).insert(0, record)
    with built.test_client() as c:
        c.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    return seen[0]


@pytest.mark.parametrize("word", ["0", "false", "no", "off"])
def test_proxy_fix_off_in_the_environment_really_is_off(make_app, app, monkeypatch, word):
    """PORTAL_PROXY_FIX=0 (as set by an operator) leaves X-Forwarded-For untrusted: a client
    cannot choose its own address (and so walk past the per-IP login limit)."""
    monkeypatch.setenv("PORTAL_PROXY_FIX", word)
    overrides = {k: v for k, v in app.config.items() if k != "PROXY_FIX"}
    built = make_app(overrides)
    assert _remote_addr_seen(built) == "198.51.100.7"
    assert built.config["PROXY_FIX"] is False
    assert built.wsgi_app.__class__.__name__ != "ProxyFix"
    # And on: the proxy's X-Forwarded-For is the client's address.
    monkeypatch.setenv("PORTAL_PROXY_FIX", "on")
    assert _remote_addr_seen(make_app(overrides)) == "203.0.113.9"
