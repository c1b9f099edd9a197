"""Accounts: login, sessions, remember-me, deactivation, invitations, resets, CSRF, limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuthToken, Candidate, Message, Role, TokenPurpose, User, utcnow
from portal.services import accounts
from tests.factories import PASSWORD, firm_context, make_user
from tests.support.fixtures.clients import login_as

LINK = re.compile(r"https?://[^\s\"<>]+/(invitation|reset)/([A-Za-z0-9_\-]+)")


def _session(client):
    """session_transaction() on the client's own host (it ignores the client's base_url)."""
    return client.session_transaction(base_url=f"http://{client.host}")


def _flashes(client) -> list:
    with _session(client) as sess:
        return list(sess.get("_flashes", []))


def _message_count(app) -> int:
    with firm_context(app) as s:
        return s.scalar(select(func.count()).select_from(Message))


def _mailed_token(run_jobs, smtp_sink, to: str, kind: str) -> str:
    """Run the worker, then read the link's token from the newest email to `to`: the link
    exists only in the email (promise 9), minted when the worker sends it."""
    run_jobs()
    for mail in reversed(smtp_sink.messages):
        match = LINK.search(mail.email.get_body(preferencelist=("plain",)).get_content())
        if mail.rcpt_tos == [to] and match and match.group(1) == kind:
            return match.group(2)
    raise AssertionError(f"no {kind} link was emailed to {to}")


def _invite(app, ns, run_jobs, smtp_sink, email="new.person@alpha.example", role=Role.CANDIDATE):
    """Create a user without a password, invite them and send the email; returns (user, token)."""
    from portal.services.firms import create_user

    with firm_context(app, ns.firm) as s:
        firm = s.get(type(ns.firm), ns.firm.id)
        user = create_user(firm, email=email, name="New Person", role=role)
        candidate = None
        if role == Role.CANDIDATE:  # candidates are invited from their talent-pool profile
            candidate = Candidate(firm_id=firm.id, user_id=user.id, name=user.name, email=user.email)
            s.add(candidate)
            s.flush()
        accounts.invite_user(firm, user, s.get(User, ns.recruiter.id), candidate)
    return user, _mailed_token(run_jobs, smtp_sink, email, "invitation")


# ------------------------------------------------------------------ login and sessions


def test_login_page_and_wrong_password(client_for, firms, auth):
    c = client_for(firms.a.firm)
    assert c.get("/login").status_code == 200
    resp = auth(c).login(firms.a.admin.email, "wrong-password")
    assert resp.status_code == 400
    assert b"do not match an active account here" in resp.data
    assert c.get("/admin/").status_code == 302


def test_login_is_case_insensitive_on_email_and_lands_on_the_role_home(client_for, firms, auth):
    for user, home in (
        (firms.a.admin, "/admin/"),
        (firms.a.recruiter, "/recruiter/"),
        (firms.a.candidate_user, "/me/"),
    ):
        c = client_for(firms.a.firm)
        resp = auth(c).login("  " + user.email.upper(), PASSWORD)
        assert resp.status_code == 302 and resp.headers["Location"] == home
        assert c.get(home).status_code == 200
        # Roles are kept apart: a candidate is refused the backend and the reverse.
        other = "/recruiter/" if home == "/me/" else "/me/"
        assert c.get(other).status_code == 403


def test_login_rotates_the_session(client_for, firms):
    c = client_for(firms.a.firm)
    with _session(c) as sess:
        sess["planted"] = "by-an-attacker"
    before = c.get_cookie("session", domain="alpha.localhost").value
    login_as(c, firms.a.candidate_user)
    after = c.get_cookie("session", domain="alpha.localhost").value
    assert after != before
    with _session(c) as sess:
        assert "planted" not in sess
        assert sess["_user_id"].startswith(f"{firms.a.candidate_user.id}.")
    # The pre-login cookie does not carry the login.
    fresh = client_for(firms.a.firm)
    fresh.set_cookie("session", before, domain="alpha.localhost")
    assert fresh.get("/me/").status_code == 302


def test_logout_ends_the_session_and_needs_post(client_for, firms, auth):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user, remember=True)
    assert c.get("/logout").status_code == 405
    resp = auth(c).logout()
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert c.get("/me/").status_code == 302
    # The remember-me cookie went with it.
    assert c.get_cookie("remember_token", domain="alpha.localhost") is None
    c.delete_cookie("session", domain="alpha.localhost")
    assert c.get("/me/").status_code == 302


def test_remember_me_survives_the_end_of_the_browser_session(client_for, firms):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user, remember=True)
    remember = c.get_cookie("remember_token", domain="alpha.localhost")
    assert remember is not None and remember.expires is not None
    c.delete_cookie("session", domain="alpha.localhost")  # the browser was closed
    assert c.get("/me/").status_code == 200
    # Without remember-me, closing the browser signs out.
    d = client_for(firms.a.firm)
    login_as(d, firms.a.candidate_user)
    assert d.get_cookie("remember_token", domain="alpha.localhost") is None
    d.delete_cookie("session", domain="alpha.localhost")
    assert d.get("/me/").status_code == 302


def test_deactivation_ends_sessions_and_remember_me(app, client_for, firms, auth):
    sess_client = client_for(firms.a.firm)
    login_as(sess_client, firms.a.candidate_user)
    remembered = client_for(firms.a.firm)
    login_as(remembered, firms.a.candidate_user, remember=True)
    remembered.delete_cookie("session", domain="alpha.localhost")
    assert sess_client.get("/me/").status_code == 200
    assert remembered.get("/me/").status_code == 200
    remembered.delete_cookie("session", domain="alpha.localhost")

    with firm_context(app, firms.a.firm) as s:
        accounts.deactivate(s.get(User, firms.a.candidate_user.id))

    for c in (sess_client, remembered):
        resp = c.get("/me/")
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    # And the password no longer works.
    resp = auth(client_for(firms.a.firm)).login(firms.a.candidate.email, PASSWORD)
    assert resp.status_code == 400


def test_sign_out_everywhere_else(client_for, firms):
    phone = client_for(firms.a.firm)
    login_as(phone, firms.a.candidate_user, remember=True)
    laptop = client_for(firms.a.firm)
    login_as(laptop, firms.a.candidate_user)
    resp = laptop.post("/account/sessions/end")
    assert resp.status_code == 302
    assert laptop.get("/me/").status_code == 200
    assert phone.get("/me/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "http:/evil.com",
        "javascript:alert(1)",
        "///evil.com",
        "/\tevil.com",
        " //evil.com",
    ],
)
def test_unsafe_next_is_ignored(client_for, firms, target):
    c = client_for(firms.a.firm)
    resp = c.post("/login", query_string={"next": target}, data={"email": firms.a.admin.email, "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/admin/"


def test_safe_next_is_followed(client_for, firms):
    c = client_for(firms.a.firm)
    resp = c.post(
        "/login", query_string={"next": "/recruiter/"}, data={"email": firms.a.admin.email, "password": PASSWORD}
    )
    assert resp.headers["Location"] == "/recruiter/"
    # A protected page sends an anonymous visitor to log in and back.
    d = client_for(firms.a.firm)
    resp = d.get("/recruiter/")
    assert resp.status_code == 302
    login_url = resp.headers["Location"]
    assert login_url.startswith("/login?next=")
    resp = d.post(login_url, data={"email": firms.a.recruiter.email, "password": PASSWORD})
    assert resp.headers["Location"] == "/recruiter/"


# ------------------------------------------------------------------ CSRF


def test_csrf_rejects_a_form_without_token(app, client_for, firms, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    c = client_for(firms.a.firm)
    for path, data in (
        ("/login", {"email": firms.a.admin.email, "password": PASSWORD}),
        ("/reset", {"email": firms.a.admin.email}),
    ):
        resp = c.post(path, data=data)
        assert resp.status_code == 400, path
        assert b"was not sent from this site" in resp.data
    assert c.get("/admin/").status_code == 302  # not signed in
    assert _message_count(app) == 0  # no reset was recorded
    # With the token from the page, the same form works.
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = auth(c).login(firms.a.admin.email, PASSWORD, csrf_token=token)
    assert resp.status_code == 302
    # Signed-in forms (logout) are protected too.
    assert auth(c).logout().status_code == 400
    assert c.get("/admin/").status_code == 200


def test_csrf_token_of_another_session_is_refused(app, client_for, firms, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    other = client_for(firms.a.firm)
    page = other.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    c = client_for(firms.a.firm)
    resp = auth(c).login(firms.a.admin.email, PASSWORD, csrf_token=token)
    assert resp.status_code == 400


# ------------------------------------------------------------------ password reset


def _reset_answer(client, email):
    resp = client.post("/reset", data={"email": email})
    return resp.status_code, resp.headers.get("Location"), _flashes(client), resp.get_data()


def test_reset_for_unknown_email_looks_identical(app, client_for, firms, run_jobs, smtp_sink):
    known = _reset_answer(client_for(firms.a.firm), firms.a.candidate.email)
    assert _message_count(app) == 1
    unknown = _reset_answer(client_for(firms.a.firm), "nobody@alpha.example")
    other_firm = _reset_answer(client_for(firms.a.firm), firms.b.candidate.email)  # exists, elsewhere
    assert known == unknown == other_firm
    status, location, flashes, _ = known
    assert status == 302 and location == "/login"
    assert flashes == [
        ("info", "If that address has an account here, we have sent it a link to choose a new password.")
    ]
    # Following the redirect shows the same page.
    pages = []
    for email in (firms.a.candidate.email, "nobody@alpha.example"):
        c = client_for(firms.a.firm)
        pages.append(c.post("/reset", data={"email": email}, follow_redirects=True).get_data())
    assert pages[0] == pages[1]
    # Only the real account got a message (one per real request).
    assert _message_count(app) == 2
    run_jobs()
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == [firms.a.candidate.email] * 2


def test_reset_link_sets_a_password_once(app, client_for, firms, run_jobs, smtp_sink, auth):
    c = client_for(firms.a.firm)
    c.post("/reset", data={"email": firms.a.candidate.email})
    run_jobs()
    (mail,) = smtp_sink.messages
    body = mail.email.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(body)
    assert match and match.group(1) == "reset"
    assert match.group(0).startswith("http://alpha.localhost/reset/")
    path = "/reset/" + match.group(2)
    assert c.get(path).status_code == 200
    resp = c.post(path, data={"password": "a-brand-new-secret", "confirm": "a-brand-new-secret"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    assert c.get("/me/").status_code == 200
    # Single use.
    again = client_for(firms.a.firm)
    resp = again.get(path)
    assert resp.status_code == 404 and b"This link cannot be used" in resp.data
    resp = again.post(path, data={"password": "another-new-secret", "confirm": "another-new-secret"})
    assert resp.status_code == 404
    # The new password works; the old one does not.
    assert auth(again).login(firms.a.candidate.email, PASSWORD).status_code == 400
    login_as(again, firms.a.candidate_user, password="a-brand-new-secret")


def test_reset_link_expires(app, client_for, firms, run_jobs, smtp_sink):
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(type(firms.a.firm), firms.a.firm.id)
        accounts.request_password_reset(firm, firms.a.candidate.email)
    # Read the token from the email (the link is made when it is sent), then travel past the expiry.
    token = _mailed_token(run_jobs, smtp_sink, firms.a.candidate.email, "reset")
    with firm_context(app, firms.a.firm) as s:
        row = s.scalar(select(AuthToken).where(AuthToken.purpose == TokenPurpose.RESET))
        hours = app.config["RESET_HOURS"]
        assert row.expires_at - utcnow() <= timedelta(hours=hours)
        assert row.expires_at - utcnow() > timedelta(hours=hours) - timedelta(minutes=1)
    c = client_for(firms.a.firm)
    with time_machine.travel(utcnow() + timedelta(hours=hours, minutes=1), tick=False):
        resp = c.get(f"/reset/{token}")
        assert resp.status_code == 404 and b"expired" in resp.data
    assert c.get(f"/reset/{token}").status_code == 200  # still valid before the expiry


def test_a_new_reset_link_replaces_the_earlier_one(app, client_for, firms, run_jobs, smtp_sink):
    c = client_for(firms.a.firm)
    c.post("/reset", data={"email": firms.a.candidate.email})
    first = _mailed_token(run_jobs, smtp_sink, firms.a.candidate.email, "reset")
    c.post("/reset", data={"email": firms.a.candidate.email})
    second = _mailed_token(run_jobs, smtp_sink, firms.a.candidate.email, "reset")
    assert first != second
    assert c.get(f"/reset/{first}").status_code == 404
    assert c.get(f"/reset/{second}").status_code == 200


def test_reset_token_of_one_firm_is_not_valid_on_another_host(app, client_for, firms, run_jobs, smtp_sink):
    client_for(firms.a.firm).post("/reset", data={"email": firms.a.candidate.email})
    token = _mailed_token(run_jobs, smtp_sink, firms.a.candidate.email, "reset")
    assert client_for(firms.b.firm).get(f"/reset/{token}").status_code == 404
    assert client_for(firms.a.firm).get(f"/reset/{token}").status_code == 200


# ------------------------------------------------------------------ invitations


def test_invitation_token_is_stored_hashed(app, firms, run_jobs, smtp_sink):
    user, token = _invite(app, firms.a, run_jobs, smtp_sink)
    with firm_context(app, firms.a.firm) as s:
        rows = s.scalars(select(AuthToken).where(AuthToken.user_id == user.id)).all()
        assert len(rows) == 1
        assert rows[0].token_hash != token and token not in rows[0].token_hash
        assert rows[0].token_hash == accounts.hash_token(token)
        assert rows[0].expires_at - utcnow() > timedelta(days=app.config["INVITATION_DAYS"]) - timedelta(minutes=1)
    # The clear token appears nowhere in the database, the sent message included.
    with app.app_context():
        with db.engine.connect().execution_options(all_firms=True) as conn:  # the test reads every firm
            for table in db.metadata.sorted_tables:
                for row in conn.execute(table.select()):
                    assert token not in repr(tuple(row)), table.name


def test_invitation_accept_then_login(app, client_for, firms, run_jobs, smtp_sink, auth):
    user, token = _invite(app, firms.a, run_jobs, smtp_sink)
    (mail,) = smtp_sink.messages
    em = mail.email
    assert mail.rcpt_tos == ["new.person@alpha.example"]
    assert "Alpha Search" in em["Subject"] or "Alpha Search" in em["From"]
    text = em.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(text)
    assert match.group(1) == "invitation" and match.group(2) == token
    c = client_for(firms.a.firm)
    page = c.get(f"/invitation/{token}")
    assert page.status_code == 200
    assert b"Welcome, New Person" in page.data and b"new.person@alpha.example" in page.data
    # A short password is refused with a form error, not a 500.
    resp = c.post(f"/invitation/{token}", data={"password": "short", "confirm": "short"})
    assert resp.status_code == 200 and b"Use 10 to 200 characters." in resp.data
    resp = c.post(f"/invitation/{token}", data={"password": "x" * 20000, "confirm": "x" * 20000})
    assert resp.status_code == 200 and b"Use 10 to 200 characters." in resp.data
    resp = c.post(f"/invitation/{token}", data={"password": "my-chosen-password", "confirm": "different-password"})
    assert resp.status_code == 200 and b"The two passwords differ." in resp.data
    resp = c.post(f"/invitation/{token}", data={"password": "my-chosen-password", "confirm": "my-chosen-password"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    assert b"Hello, New" in c.get("/me/").data
    # Used: refused.
    assert client_for(firms.a.firm).get(f"/invitation/{token}").status_code == 404
    # And the chosen password logs in afterwards.
    d = client_for(firms.a.firm)
    resp = auth(d).login("new.person@alpha.example", "my-chosen-password")
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"


def test_recruiter_invitation_lands_in_the_backend(app, client_for, firms, run_jobs, smtp_sink):
    _user, token = _invite(app, firms.a, run_jobs, smtp_sink, email="new.recruiter@alpha.example", role=Role.RECRUITER)
    c = client_for(firms.a.firm)
    resp = c.post(f"/invitation/{token}", data={"password": "recruiter-password", "confirm": "recruiter-password"})
    assert resp.headers["Location"] == "/recruiter/"


def test_expired_invitation_is_refused(app, client_for, firms, run_jobs, smtp_sink):
    _user, token = _invite(app, firms.a, run_jobs, smtp_sink)
    days = app.config["INVITATION_DAYS"]
    c = client_for(firms.a.firm)
    with time_machine.travel(utcnow() + timedelta(days=days, seconds=5), tick=False):
        resp = c.get(f"/invitation/{token}")
        assert resp.status_code == 404 and b"expired" in resp.data
        resp = c.post(f"/invitation/{token}", data={"password": "my-chosen-password", "confirm": "my-chosen-password"})
        assert resp.status_code == 404
    with time_machine.travel(utcnow() + timedelta(days=days) - timedelta(minutes=5), tick=False):
        assert c.get(f"/invitation/{token}").status_code == 200


def test_unknown_or_reinvited_invitation_is_refused(app, client_for, firms, run_jobs, smtp_sink):
    user, first = _invite(app, firms.a, run_jobs, smtp_sink)
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(type(firms.a.firm), firms.a.firm.id)
        accounts.invite_user(firm, s.get(User, user.id), None)
    second = _mailed_token(run_jobs, smtp_sink, user.email, "invitation")
    c = client_for(firms.a.firm)
    assert c.get(f"/invitation/{first}").status_code == 404
    assert c.get("/invitation/not-a-real-token").status_code == 404
    assert c.get(f"/invitation/{second}").status_code == 200
    # An invitation link is not a reset link.
    assert c.get(f"/reset/{second}").status_code == 404
    # Two invitations: two messages, both recorded (dedupe keys differ).
    assert _message_count(app) == 2


def test_invitation_of_a_deactivated_user_is_refused(app, client_for, firms, run_jobs, smtp_sink):
    user, token = _invite(app, firms.a, run_jobs, smtp_sink)
    with firm_context(app, firms.a.firm) as s:
        accounts.deactivate(s.get(User, user.id))
    c = client_for(firms.a.firm)
    resp = c.post(f"/invitation/{token}", data={"password": "my-chosen-password", "confirm": "my-chosen-password"})
    assert resp.status_code == 404
    assert c.get("/me/").status_code == 302


# ------------------------------------------------------------------ rate limits


def test_login_rate_limit_per_ip(app, client_for, firms, auth):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    c = client_for(firms.a.firm)
    codes = [auth(c).login(f"guess{i}@alpha.example", "nope-nope-nope").status_code for i in range(4)]
    assert codes == [400, 400, 400, 429]
    resp = auth(c).login(firms.a.admin.email, PASSWORD)
    assert resp.status_code == 429 and b"Too many attempts" in resp.data
    # Another address is not affected; GET is never limited.
    other = client_for(firms.a.firm)
    assert c.get("/login").status_code == 200
    resp = other.post(
        "/login", data={"email": firms.a.admin.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert resp.status_code == 302


def test_login_rate_limit_per_account(app, client_for, firms):
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "2 per minute"
    c = client_for(firms.a.firm)
    codes = [
        c.post(
            "/login",
            data={"email": firms.a.admin.email, "password": "wrong-guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(1, 4)
    ]
    assert codes == [400, 400, 429]
    # The account stays locked from a fresh address, even with the right password...
    resp = c.post(
        "/login",
        data={"email": firms.a.admin.email.upper(), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert resp.status_code == 429
    # ...while other accounts, and the same address at another firm, are not.
    resp = c.post(
        "/login",
        data={"email": firms.a.recruiter.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert resp.status_code == 302
    b = client_for(firms.b.firm)
    make_user(app, firms.b.firm, Role.ADMIN, email=firms.a.admin.email)
    resp = b.post(
        "/login", data={"email": firms.a.admin.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.50"}
    )
    assert resp.status_code == 302


def test_reset_rate_limit(app, client_for, firms):
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "2 per minute"
    c = client_for(firms.a.firm)
    codes = [
        c.post(
            "/reset", data={"email": firms.a.candidate.email}, environ_base={"REMOTE_ADDR": f"10.9.0.{i}"}
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    assert _message_count(app) == 2
    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    d = client_for(firms.a.firm)
    codes = [d.post("/reset", data={"email": f"x{i}@alpha.example"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]


def test_a_generous_limit_lets_attempts_through(app, client_for, firms, auth):
    """The limiter reads RATELIMIT_LOGIN on each request; a high limit lets many through."""
    c = client_for(firms.a.firm)
    codes = {auth(c).login(firms.a.admin.email, "wrong").status_code for _ in range(8)}
    assert codes == {400}


def test_unknown_and_inactive_accounts_are_told_the_same(app, client_for, firms, auth):
    with firm_context(app, firms.a.firm) as s:
        accounts.deactivate(s.get(User, firms.a.recruiter.id))
    c = client_for(firms.a.firm)
    a = auth(c).login(firms.a.recruiter.email, PASSWORD)
    b = auth(c).login("ghost@alpha.example", PASSWORD)
    assert a.status_code == b.status_code == 400
    assert a.get_data(as_text=True).replace(firms.a.recruiter.email, "E") == b.get_data(as_text=True).replace(
        "ghost@alpha.example", "E"
    )
