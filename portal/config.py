"""Settings from the environment (PORTAL_*), parsed once (one reader for booleans and numbers;
a bad value is a ConfigError at start). Nothing here connects to anything."""

from __future__ import annotations

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-only-insecure-key"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; raised at start-up so it is seen at once."""


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _bool(value: str | None, default: bool = False, name: str = "A boolean setting") -> bool:
    """The one reading of a yes/no setting: 1/true/yes/on or 0/false/no/off (any case);
    unset or empty is the default; anything else is a start-up error naming the variable."""
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of 1/true/yes/on or 0/false/no/off, not {value!r}.")


def _number(value: str | None, default, name: str, kind: type = int):
    """The one reading of a numeric setting (int or float): unset or empty is the default;
    a value that is not a number is a start-up error naming the variable."""
    if value is None or value.strip() == "":
        return default
    try:
        return kind(value.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {what}, not {value!r}.") from None


def load_config(overrides: dict | None = None, env: dict | None = None) -> dict:
    """Build the Flask config from PORTAL_* variables, then apply overrides."""
    env = os.environ if env is None else env
    overrides = overrides or {}

    def flag(name: str, default: bool = False) -> bool:
        return _bool(env.get(name), default, name)

    def number(name: str, default, kind: type = int):
        return _number(env.get(name), default, name, kind)

    portal_env = overrides.get("PORTAL_ENV") or env.get("PORTAL_ENV", "production")
    instance = Path(env.get("PORTAL_INSTANCE_DIR", Path.cwd() / "instance")).resolve()
    cfg: dict = {
        "PORTAL_ENV": portal_env,
        "SECRET_KEY": env.get("PORTAL_SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": env.get("PORTAL_DATABASE_URL", f"sqlite:///{instance / 'portal.db'}"),
        "REDIS_URL": env.get("PORTAL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "QUEUE_PREFIX": env.get("PORTAL_QUEUE_PREFIX", "portal"),
        "LOG_FORMAT": (env.get("PORTAL_LOG_FORMAT") or "text").strip().lower(),
        "SENTRY_DSN": env.get("PORTAL_SENTRY_DSN") or None,
        # /metrics answers only with this bearer token (unset: the page does not exist).
        "METRICS_TOKEN": env.get("PORTAL_METRICS_TOKEN") or None,
        "SMTP_HOST": env.get("PORTAL_SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": number("PORTAL_SMTP_PORT", 8025),
        "SMTP_USER": env.get("PORTAL_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("PORTAL_SMTP_PASSWORD") or None,
        # none | starttls | ssl
        "SMTP_SECURITY": env.get("PORTAL_SMTP_SECURITY", "none").lower(),
        "SMTP_TIMEOUT": number("PORTAL_SMTP_TIMEOUT", 10, float),
        "BASE_DOMAIN": env.get("PORTAL_BASE_DOMAIN", "localhost").lower().strip("."),
        "DEFAULT_FIRM": env.get("PORTAL_DEFAULT_FIRM") or None,
        "PREFERRED_URL_SCHEME": env.get("PORTAL_URL_SCHEME", "http"),
        # Behind one reverse proxy: trust its X-Forwarded-For/-Proto/-Host.
        "PROXY_FIX": flag("PORTAL_PROXY_FIX"),
        "INSTANCE_DIR": str(instance),
        "UPLOAD_DIR": env.get("PORTAL_UPLOAD_DIR", str(instance / "uploads")),
        # Where files live (portal/storage.py): "database" (default) or "s3" (any S3-compatible service).
        "STORAGE": (env.get("PORTAL_STORAGE") or "database").strip().lower(),
        "S3_BUCKET": env.get("PORTAL_S3_BUCKET") or None,
        "S3_PREFIX": env.get("PORTAL_S3_PREFIX", ""),
        "S3_ENDPOINT_URL": env.get("PORTAL_S3_ENDPOINT_URL") or None,
        "S3_REGION": env.get("PORTAL_S3_REGION") or "us-east-1",
        "S3_ACCESS_KEY_ID": env.get("PORTAL_S3_ACCESS_KEY_ID") or None,  # unset: boto3's own chain (AWS_*, roles)
        "S3_SECRET_ACCESS_KEY": env.get("PORTAL_S3_SECRET_ACCESS_KEY") or None,
        "MAIL_CATCHER_DIR": env.get("PORTAL_MAIL_DIR", str(instance / "mail")),
        "MAX_CONTENT_LENGTH": number("PORTAL_MAX_UPLOAD_MB", 10) * 1024 * 1024,
        "INVITATION_DAYS": number("PORTAL_INVITATION_DAYS", 7),
        "RESET_HOURS": number("PORTAL_RESET_HOURS", 2),
        # A candidate's passwordless sign-in link works once, this long after it is sent.
        "SIGN_IN_LINK_MINUTES": number("PORTAL_SIGN_IN_LINK_MINUTES", 15),
        # A reset (or sign-in link) request is answered no sooner than this after it starts, whether or not the
        # address has an account (the same time either way). Above the slowest real request.
        "RESET_MIN_SECONDS": number("PORTAL_RESET_MIN_SECONDS", 0.5, float),
        "GRACE_SECONDS": number("PORTAL_GRACE_SECONDS", 300),
        "OPTIONAL_MESSAGES_PER_WEEK": number("PORTAL_OPTIONAL_PER_WEEK", 3),
        # Delivery (worker): retry backoff base, when to give up on transient failures, how
        # long a claimed send may take before the relay retries it, messages per SMTP session.
        "RETRY_BASE_SECONDS": number("PORTAL_RETRY_BASE_SECONDS", 60),
        "RETRY_GIVE_UP_HOURS": number("PORTAL_RETRY_GIVE_UP_HOURS", 48),
        "SENDING_LEASE_SECONDS": number("PORTAL_SENDING_LEASE_SECONDS", 600),
        # After the mail server accepted a message: how long recording "sent" is retried on a
        # database error (new transaction, backoff 0.2 s, 0.5 s, 1 s ...; at most half the lease).
        "FINISH_RETRY_SECONDS": number("PORTAL_FINISH_RETRY_SECONDS", 60),
        "RELAY_MIN_AGE_SECONDS": number("PORTAL_RELAY_MIN_AGE_SECONDS", 0),
        "RELAY_REENQUEUE_SECONDS": number("PORTAL_RELAY_REENQUEUE_SECONDS", 300),
        "DELIVERY_BATCH_SIZE": number("PORTAL_DELIVERY_BATCH_SIZE", 50),
        # How often the scheduler runs the planners (check-ins, digests, nurture): a divisor of
        # 60, or whole hours dividing 24. Each run looks ahead until the next one.
        "PLAN_TICK_MINUTES": number("PORTAL_PLAN_TICK_MINUTES", 60),
        # The text of sent messages older than this many days is removed (0: kept for ever).
        "MESSAGE_BODY_DAYS": number("PORTAL_MESSAGE_BODY_DAYS", 730),
        # How long a dead scheduler's lock outlives it: a standby takes over after this.
        "SCHEDULER_LOCK_SECONDS": number("PORTAL_SCHEDULER_LOCK_SECONDS", 45),
        # Custom-domain proof: the DNS server(s) to ask for the TXT record ("host" or
        # "host:port", comma-separated; empty: the system's resolver) and how long to wait.
        "DNS_RESOLVER": env.get("PORTAL_DNS_RESOLVER", ""),
        "DNS_TIMEOUT": number("PORTAL_DNS_TIMEOUT", 5, float),
        # Single sign-on: how long to wait for a firm's OpenID provider (discovery, keys, tokens).
        "SSO_TIMEOUT": number("PORTAL_SSO_TIMEOUT", 5, float),
        # Allow an http:// issuer on loopback (127.0.0.1, localhost): development and tests only.
        "SSO_ALLOW_HTTP": flag("PORTAL_SSO_ALLOW_HTTP"),
        # Webhooks (portal.services.webhooks, worker/webhooks.py): http:// and loopback or private
        # addresses are refused unless this is on (on by default in development and testing only);
        # how long one attempt may take; when an endpoint that keeps failing is disabled (failed
        # attempts in a row, or days in which every attempt failed); how long a rotated secret
        # still signs beside the new one.
        "WEBHOOK_ALLOW_LOCAL": flag("PORTAL_WEBHOOK_ALLOW_LOCAL", portal_env in ("development", "testing")),
        "WEBHOOK_TIMEOUT": number("PORTAL_WEBHOOK_TIMEOUT", 10, float),
        "WEBHOOK_DISABLE_AFTER_FAILURES": number("PORTAL_WEBHOOK_DISABLE_AFTER_FAILURES", 50),
        "WEBHOOK_DISABLE_AFTER_DAYS": number("PORTAL_WEBHOOK_DISABLE_AFTER_DAYS", 5),
        "WEBHOOK_SECRET_OVERLAP_HOURS": number("PORTAL_WEBHOOK_SECRET_OVERLAP_HOURS", 24),
        # SQLite only: read the database file through a memory map of this many MiB (0: off).
        # Index walks then read pages without a system call each (needs-attention lists
        # measured 35-40 % faster at 100,000 candidates).
        "SQLITE_MMAP_MB": number("PORTAL_SQLITE_MMAP_MB", 1024),
        # How long a web process may keep the firm of a host without asking the database again
        # (portal.tenancy.FirmCache). A change made through this process is seen at once; a
        # change made by another process (a second web server, the CLI) within this many
        # seconds. 0 turns the cache off.
        "FIRM_CACHE_SECONDS": number("PORTAL_FIRM_CACHE_SECONDS", 5.0, float),
        # How long a web process may answer careers pages it built without reading the site's
        # version again (portal.careers.page_cache): a change made through this process shows
        # at once, one made by another process (a second web server, the worker, the CLI) or a
        # job whose advertising ends within this many seconds. 0 turns the cache off.
        "CAREERS_CACHE_SECONDS": number("PORTAL_CAREERS_CACHE_SECONDS", 5.0, float),
        "MAIL_FROM": env.get("PORTAL_MAIL_FROM", ""),
        # Replies by email (portal.outbox.reply_address, portal.services.inbound_mail): candidate
        # emails say Reply-To: reply+<token>@<the firm's reply domain, else this one>; with neither,
        # the firm's own reply-to address stays. A token works this many days after its email was sent.
        "REPLY_DOMAIN": (env.get("PORTAL_REPLY_DOMAIN") or "").strip().lower().rstrip(".") or None,
        "REPLY_TOKEN_DAYS": number("PORTAL_REPLY_TOKEN_DAYS", 180),
        # Bounces to the reply domain (opt-in): a candidate email with a reply token is sent with
        # the envelope sender (MAIL FROM, hence Return-Path) bounce+<token>@<its reply domain>, so a
        # late delivery report names its message (VERP). Off by default: the reply domain's SPF
        # record must then allow the sending servers, or receivers may refuse the mail.
        "BOUNCE_TO_REPLY_DOMAIN": flag("PORTAL_BOUNCE_TO_REPLY_DOMAIN"),
        # The inbound-mail webhook (POST /inbound/mail) answers only with this secret (unset: 404).
        "INBOUND_SECRET": env.get("PORTAL_INBOUND_SECRET") or None,
        # `portal inbound`, the SMTP receiver for replies: where it listens, the largest mail it takes.
        "INBOUND_HOST": env.get("PORTAL_INBOUND_HOST", "127.0.0.1"),
        "INBOUND_PORT": number("PORTAL_INBOUND_PORT", 2525),
        "INBOUND_MAX_BYTES": number("PORTAL_INBOUND_MAX_MB", 25) * 1024 * 1024,
        "PUBLIC_URL": env.get("PORTAL_PUBLIC_URL", ""),
        "PUBLIC_PORT_SUFFIX": env.get("PORTAL_PUBLIC_PORT_SUFFIX", ""),
        "DEMO_PASSWORD": env.get("PORTAL_DEMO_PASSWORD", "portal-demo"),
        "POWERED_BY": flag("PORTAL_POWERED_BY", True),
        # Sign-ins per address: 10 a minute; in development 100, so trying the demo logins one
        # after another does not hit it (the per-account limit stays the same everywhere).
        "RATELIMIT_LOGIN": env.get("PORTAL_RATELIMIT_LOGIN")
        or ("100 per minute" if portal_env == "development" else "10 per minute"),
        "RATELIMIT_LOGIN_ACCOUNT": env.get("PORTAL_RATELIMIT_LOGIN_ACCOUNT", "5 per minute"),
        "RATELIMIT_ENABLED": flag("PORTAL_RATELIMIT_ENABLED", True),
        # Applications and talent-pool sign-ups on the careers site: per address (IP) and per
        # email address given.
        "RATELIMIT_APPLY": env.get("PORTAL_RATELIMIT_APPLY", "10 per hour"),
        "RATELIMIT_APPLY_EMAIL": env.get("PORTAL_RATELIMIT_APPLY_EMAIL", "3 per hour"),
        # Job alerts on the careers site: subscriptions per visitor address (IP) and per email
        # address, and how many days a confirmation link works.
        "RATELIMIT_ALERTS": env.get("PORTAL_RATELIMIT_ALERTS", "10 per hour"),
        "RATELIMIT_ALERTS_EMAIL": env.get("PORTAL_RATELIMIT_ALERTS_EMAIL", "3 per hour"),
        "JOB_ALERT_CONFIRM_DAYS": number("PORTAL_JOB_ALERT_CONFIRM_DAYS", 7),
        # Requests per API key (a limits string: "600 per minute"); over it the API answers 429.
        "RATELIMIT_API": env.get("PORTAL_RATELIMIT_API", "600 per minute"),
        # Sign-in sessions (server-side, portal/services/sessions.py): a session ends after this
        # long without a request (idle) and this long after sign-in (absolute), whatever happens.
        "STAFF_SESSION_IDLE_MINUTES": number("PORTAL_STAFF_SESSION_IDLE_MINUTES", 120),
        "STAFF_SESSION_MAX_HOURS": number("PORTAL_STAFF_SESSION_MAX_HOURS", 12),
        "CANDIDATE_SESSION_IDLE_DAYS": number("PORTAL_CANDIDATE_SESSION_IDLE_DAYS", 30),
        "CANDIDATE_SESSION_MAX_DAYS": number("PORTAL_CANDIDATE_SESSION_MAX_DAYS", 90),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": flag("PORTAL_SECURE_COOKIES"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": flag("PORTAL_SECURE_COOKIES"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The benchmark's ceiling page (/bench/ceiling); only `make bench` turns it on.
        "BENCH_CEILING": flag("PORTAL_BENCH_CEILING"),
    }
    cfg.update(overrides)
    if not cfg["SECRET_KEY"]:
        if cfg["PORTAL_ENV"] in ("development", "testing"):
            cfg["SECRET_KEY"] = DEV_SECRET_KEY
        else:
            raise ConfigError(
                "PORTAL_SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set PORTAL_ENV=development for a local trial."
            )
    if not 0 < cfg["SMTP_TIMEOUT"] <= 30:
        raise ConfigError("PORTAL_SMTP_TIMEOUT must be between 0 and 30 seconds (shorter than a delivery job).")
    if cfg["STORAGE"] not in ("database", "s3"):
        raise ConfigError("PORTAL_STORAGE must be database or s3")
    if cfg["STORAGE"] == "s3" and not cfg["S3_BUCKET"]:
        raise ConfigError("PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET")
    if cfg["LOG_FORMAT"] not in ("text", "json"):
        raise ConfigError("PORTAL_LOG_FORMAT must be text or json")
    if cfg["SMTP_SECURITY"] not in ("none", "starttls", "ssl"):
        raise ConfigError("PORTAL_SMTP_SECURITY must be one of: none, starttls, ssl")
    for name in (
        "STAFF_SESSION_IDLE_MINUTES",
        "STAFF_SESSION_MAX_HOURS",
        "CANDIDATE_SESSION_IDLE_DAYS",
        "CANDIDATE_SESSION_MAX_DAYS",
    ):
        if cfg[name] <= 0:
            raise ConfigError(f"PORTAL_{name} must be a positive whole number.")
    if cfg["REPLY_TOKEN_DAYS"] <= 0 or cfg["INBOUND_MAX_BYTES"] <= 0:
        raise ConfigError("PORTAL_REPLY_TOKEN_DAYS and PORTAL_INBOUND_MAX_MB must be positive whole numbers.")
    if not 0 < cfg["WEBHOOK_TIMEOUT"] <= 30:
        raise ConfigError("PORTAL_WEBHOOK_TIMEOUT must be between 0 and 30 seconds (shorter than a delivery job).")
    return cfg
