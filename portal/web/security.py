"""Security headers, safe redirects (never off-site) and role guards, for every blueprint."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_login import current_user

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def role_required(check):
    """Guard a view (or a whole blueprint via before_request) on the current user's role."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import current_app, redirect
                from flask_login import login_url

                return redirect(login_url(current_app.login_manager.login_view, next_url=request.full_path.rstrip("?")))
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Set on every response unless the view set its own (one pass over the response's headers:
# Werkzeug's setdefault scans them three times per header, which every request paid five times).
ALWAYS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response):
    """What `setdefault` did for each header, in the same order: a header the view set is kept."""
    h = response.headers
    present = {name.lower() for name in h.keys()}
    for name, value in ALWAYS:
        if name.lower() not in present:
            h.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        h.add("Strict-Transport-Security", HSTS)
    endpoint = request.endpoint
    if endpoint and not endpoint.startswith(("static", "brand.")) and "cache-control" not in present:
        h.add("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
