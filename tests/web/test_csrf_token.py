"""The CSRF token on every signed-in page (the sign-out form) is signed at most every
REUSE_SECONDS per session (portal.web.forms.csrf_token), and every POST is still checked."""

from __future__ import annotations

import re

import pytest

from portal.web import forms
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def clock(monkeypatch):
    now = [5000.0]
    monkeypatch.setattr(forms.time, "monotonic", lambda: now[0])
    return now


def _token(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def test_the_signed_token_is_reused_for_a_while_then_signed_again(app, client_for, firms, auth, clock, monkeypatch):
    import flask_wtf.csrf

    app.config["WTF_CSRF_ENABLED"] = True
    c = client_for(firms.a.firm)
    login = _token(c, "/login")
    assert auth(c).login(firms.a.admin.email, PASSWORD, csrf_token=login).status_code == 302
    signed = []
    real = flask_wtf.csrf.generate_csrf
    monkeypatch.setattr(flask_wtf.csrf, "generate_csrf", lambda *a, **k: signed.append(1) or real(*a, **k))
    first = _token(c, "/admin/")
    assert len(signed) == 1
    assert _token(c, "/admin/") == first and _token(c, "/admin/") == first
    assert len(signed) == 1  # not signed again
    clock[0] += forms.REUSE_SECONDS + 1
    _token(c, "/admin/")
    assert len(signed) == 2  # signed again once the reuse window is over
    # The reused token is an ordinary Flask-WTF token of this session: it validates.
    assert c.post("/logout", data={"csrf_token": first}).status_code == 302


def test_a_post_without_a_token_is_still_refused(app, client_for, firms, auth, clock):
    app.config["WTF_CSRF_ENABLED"] = True
    c = client_for(firms.a.firm)
    assert auth(c).login(firms.a.admin.email, PASSWORD, csrf_token=_token(c, "/login")).status_code == 302
    _token(c, "/admin/")  # a token was signed and kept for this session
    assert c.post("/logout").status_code == 400
    assert c.post("/logout", data={"csrf_token": "forged"}).status_code == 400


def test_a_kept_token_is_never_handed_to_another_session(app, client_for, firms, auth, clock):
    app.config["WTF_CSRF_ENABLED"] = True
    a, b = client_for(firms.a.firm), client_for(firms.a.firm)
    assert auth(a).login(firms.a.admin.email, PASSWORD, csrf_token=_token(a, "/login")).status_code == 302
    assert auth(b).login(firms.a.recruiter.email, PASSWORD, csrf_token=_token(b, "/login")).status_code == 302
    ta, tb = _token(a, "/admin/"), _token(b, "/recruiter/")
    assert ta != tb
    assert b.post("/logout", data={"csrf_token": ta}).status_code == 400  # a's token in b's session
    assert a.post("/logout", data={"csrf_token": ta}).status_code == 302
