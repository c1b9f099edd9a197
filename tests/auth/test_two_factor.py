"""Two-factor authentication for staff: enrolment, the sign-in's second step (no session before
the code), replay refusal, rate limits, recovery codes, the firm's policy, an admin's reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import time_machine
from sqlalchemy import func, select

from portal.models import AuditEntry, Firm, RecoveryCode, TwoFactor, UserSession, utcnow
from tests.factories import PASSWORD, firm_context
from tests.support.fixtures.clients import login_as

SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
CODES = re.compile(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _enrol(c, user):
    """Sign in with the password, enrol on the account page; returns (secret, recovery codes)."""
    login_as(c, user)
    page = c.get("/account/two-factor")
    assert page.status_code == 200
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    resp = c.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 200, resp.text
    codes = CODES.findall(resp.text)
    assert len(codes) == 10
    c.post("/logout")
    return secret, codes


def _live_sessions(app, firm, user) -> int:
    with firm_context(app, firm) as s:
        return s.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        )


def _enrolled(app, firm, user) -> bool:
    with firm_context(app, firm) as s:
        return s.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id)) is not None


def _require(app, firm, required=True):
    with firm_context(app, firm) as s:
        s.get(Firm, firm.id).require_two_factor = required


# ------------------------------------------------------------------ enrolment


def test_enrolment_shows_a_qr_code_and_the_key_and_refuses_a_wrong_first_code(app, client_for, firms):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    page = c.get("/account/two-factor")
    assert 'src="data:image/svg+xml' in page.text
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    assert c.get("/account/two-factor").text.count(SECRET.search(page.text).group(1)) == 1  # same key until confirmed

    resp = c.post("/account/two-factor", data={"code": _wrong(pyotp.TOTP(secret).now())})
    assert resp.status_code == 400
    assert "does not match" in resp.text
    assert not _enrolled(app, firms.a.firm, firms.a.recruiter)

    resp = c.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 200
    codes = CODES.findall(resp.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    with firm_context(app, firms.a.firm) as s:
        hashes = set(s.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == firms.a.recruiter.id)))
    assert len(hashes) == 10 and not any(code in h or code.replace("-", "") in h for code in codes for h in hashes)
    # Shown once: the account page never shows them again.
    again = c.get("/account/two-factor")
    assert not CODES.findall(again.text) and "10 of 10" in again.text
    assert "On: a code from your authenticator app" in c.get("/account").text


# ------------------------------------------------------------------ sign-in


def test_sign_in_needs_the_code_and_no_session_exists_before_it(app, client_for, firms, auth):
    c = client_for(firms.a.firm)
    secret, _codes = _enrol(c, firms.a.recruiter)
    before = _live_sessions(app, firms.a.firm, firms.a.recruiter)
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        resp = auth(c).login(firms.a.recruiter.email, PASSWORD)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/two-factor")
        assert _live_sessions(app, firms.a.firm, firms.a.recruiter) == before  # nothing yet
        assert c.get("/recruiter/").status_code == 302  # not signed in
        assert c.get("/login/two-factor").status_code == 200
        resp = c.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
        assert resp.status_code == 302 and resp.headers["Location"] == "/recruiter/"
        assert c.get("/recruiter/").status_code == 200
        assert _live_sessions(app, firms.a.firm, firms.a.recruiter) == before + 1


def test_a_used_code_cannot_be_replayed_within_its_window(app, client_for, firms, auth):
    c = client_for(firms.a.firm)
    secret, _codes = _enrol(c, firms.a.recruiter)
    # The first code confirmed the enrolment: the same code (same step) signs nobody in.
    auth(c).login(firms.a.recruiter.email, PASSWORD)
    resp = c.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 400 and "already used" in resp.text
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        code = pyotp.TOTP(secret).now()
        assert c.post("/login/two-factor", data={"code": code}).status_code == 302
        c.post("/logout")
        auth(c).login(firms.a.recruiter.email, PASSWORD)
        resp = c.post("/login/two-factor", data={"code": code})
        assert resp.status_code == 400 and "already used" in resp.text
        assert c.get("/recruiter/").status_code == 302


def test_wrong_codes_are_rate_limited_per_user(app, client_for, firms, auth, monkeypatch):
    c = client_for(firms.a.firm)
    secret, _codes = _enrol(c, firms.a.recruiter)
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_ACCOUNT", "3 per minute")
    auth(c).login(firms.a.recruiter.email, PASSWORD)
    wrong = _wrong(pyotp.TOTP(secret).now())
    assert [c.post("/login/two-factor", data={"code": wrong}).status_code for _ in range(3)] == [400] * 3
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert c.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 429
    # Another browser (another address's sign-in) for the same person is limited too: per user.
    other = client_for(firms.a.firm)
    auth(other).login(firms.a.recruiter.email, PASSWORD)
    assert other.post("/login/two-factor", data={"code": wrong}).status_code == 429
    # Someone else is not.
    d = client_for(firms.a.firm)
    _enrol(d, firms.a.admin)
    auth(d).login(firms.a.admin.email, PASSWORD)
    assert d.post("/login/two-factor", data={"code": wrong}).status_code == 400


def test_wrong_codes_are_rate_limited_per_address(app, client_for, firms, auth, monkeypatch):
    c = client_for(firms.a.firm)
    secret, _codes = _enrol(c, firms.a.recruiter)
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    auth(c).login(firms.a.recruiter.email, PASSWORD)
    wrong = _wrong(pyotp.TOTP(secret).now())
    assert [c.post("/login/two-factor", data={"code": wrong}).status_code for _ in range(3)] == [400, 400, 429]


def test_a_recovery_code_works_once(app, client_for, firms, auth):
    c = client_for(firms.a.firm)
    _secret, codes = _enrol(c, firms.a.recruiter)
    auth(c).login(firms.a.recruiter.email, PASSWORD)
    resp = c.post("/login/two-factor", data={"code": codes[3].upper().replace("-", " ")})
    assert resp.status_code == 302
    assert "9 of 10" in c.get("/account/two-factor").text
    c.post("/logout")
    auth(c).login(firms.a.recruiter.email, PASSWORD)
    assert c.post("/login/two-factor", data={"code": codes[3]}).status_code == 400
    assert c.post("/login/two-factor", data={"code": codes[4]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(app, client_for, firms, auth):
    c = client_for(firms.a.firm)
    secret, old = _enrol(c, firms.a.recruiter)
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        auth(c).login(firms.a.recruiter.email, PASSWORD)
        c.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    with time_machine.travel(utcnow() + timedelta(seconds=62), tick=False):
        resp = c.post("/account/two-factor/recovery-codes", data={"code": pyotp.TOTP(secret).now()})
        new = CODES.findall(resp.text)
        assert resp.status_code == 200 and len(new) == 10 and not set(new) & set(old)
        c.post("/logout")
        auth(c).login(firms.a.recruiter.email, PASSWORD)
        assert c.post("/login/two-factor", data={"code": old[0]}).status_code == 400
        assert c.post("/login/two-factor", data={"code": new[0]}).status_code == 302


def test_a_pending_sign_in_expires(app, client_for, firms, auth):
    c = client_for(firms.a.firm)
    secret, _codes = _enrol(c, firms.a.recruiter)
    auth(c).login(firms.a.recruiter.email, PASSWORD)
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        resp = c.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
        assert c.get("/recruiter/").status_code == 302


# ------------------------------------------------------------------ the firm's policy


def test_firm_policy_sends_staff_to_enrolment_and_blocks_the_backend(app, client_for, firms, auth):
    admin = client_for(firms.a.firm)
    login_as(admin, firms.a.admin)
    already = client_for(firms.a.firm)
    login_as(already, firms.a.recruiter)  # signed in before the policy
    assert already.get("/recruiter/").status_code == 200

    resp = admin.post("/admin/two-factor", data={"require_two_factor": "y"})
    assert resp.status_code == 302
    with firm_context(app, firms.a.firm) as s:
        assert s.get(Firm, firms.a.firm.id).require_two_factor
        assert s.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "two_factor.required"

    # A session from before the policy cannot use the backend until enrolled.
    resp = already.get("/recruiter/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/two-factor")

    # The next sign-in goes to enrolment, with no session until it is done.
    c = client_for(firms.a.firm)
    resp = auth(c).login(firms.a.recruiter.email, PASSWORD)
    assert resp.headers["Location"].endswith("/login/two-factor/setup")
    assert c.get("/recruiter/").status_code == 302 and "/login" in c.get("/recruiter/").headers["Location"]
    page = c.get("/login/two-factor/setup")
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    assert c.post("/login/two-factor/setup", data={"code": _wrong(pyotp.TOTP(secret).now())}).status_code == 400
    resp = c.post("/login/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 200 and len(CODES.findall(resp.text)) == 10
    assert c.get("/recruiter/").status_code == 200
    assert already.get("/recruiter/").status_code == 200  # enrolled now: every session may go on


def test_candidates_are_unaffected(app, client_for, firms, auth):
    _require(app, firms.a.firm)
    c = client_for(firms.a.firm)
    resp = auth(c).login(firms.a.candidate_user.email, PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    assert c.get("/me/").status_code == 200
    assert c.get("/account/two-factor").status_code == 404
    assert "Two-factor" not in c.get("/account").text


# ------------------------------------------------------------------ admins


def test_admin_reset_is_audited_and_signs_them_out(app, client_for, firms, auth):
    r = client_for(firms.a.firm)
    secret, _codes = _enrol(r, firms.a.recruiter)
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        auth(r).login(firms.a.recruiter.email, PASSWORD)
        assert r.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    admin = client_for(firms.a.firm)
    login_as(admin, firms.a.admin)
    staff_page = admin.get("/admin/staff").text
    assert staff_page.count("Two-factor on") == 1
    assert "Reset two-factor" in admin.get(f"/admin/staff/{firms.a.recruiter.id}").text

    resp = admin.post(f"/admin/staff/{firms.a.recruiter.id}/two-factor/reset")
    assert resp.status_code == 302
    assert not _enrolled(app, firms.a.firm, firms.a.recruiter)
    assert _live_sessions(app, firms.a.firm, firms.a.recruiter) == 0
    assert r.get("/recruiter/").status_code == 302
    with firm_context(app, firms.a.firm) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff.two_factor_reset")).one()
        assert entry.actor_id == firms.a.admin.id and entry.target == firms.a.recruiter.email
    assert "Reset someone&#39;s two-factor" in admin.get("/admin/audit").text
    # Without a second factor (and no policy), the password signs them in again.
    assert auth(r).login(firms.a.recruiter.email, PASSWORD).headers["Location"] == "/recruiter/"


def test_another_firms_admin_cannot_reset(app, client_for, firms):
    r = client_for(firms.a.firm)
    _enrol(r, firms.a.recruiter)
    other = client_for(firms.b.firm)
    login_as(other, firms.b.admin)
    assert other.post(f"/admin/staff/{firms.a.recruiter.id}/two-factor/reset").status_code == 404
    assert _enrolled(app, firms.a.firm, firms.a.recruiter)
    with firm_context(app) as s:
        assert not s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "staff.two_factor_reset")
        )


def test_a_recruiter_cannot_reset_or_change_the_policy(app, client_for, firms):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    assert c.post(f"/admin/staff/{firms.a.admin.id}/two-factor/reset").status_code == 403
    assert c.post("/admin/two-factor", data={"require_two_factor": "y"}).status_code == 403


# ------------------------------------------------------------------ links that set a password


def test_a_reset_link_does_not_skip_the_second_factor(app, client_for, firms, auth, run_jobs, smtp_sink):
    from tests.auth.test_auth import _mailed_token

    c = client_for(firms.a.firm)
    secret, _codes = _enrol(c, firms.a.recruiter)
    assert c.post("/reset", data={"email": firms.a.recruiter.email}).status_code == 302
    token = _mailed_token(run_jobs, smtp_sink, firms.a.recruiter.email, "reset")
    new_password = "another-long-passphrase"
    resp = c.post(f"/reset/{token}", data={"password": new_password, "confirm": new_password})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/two-factor")
    assert c.get("/recruiter/").status_code == 302
    assert _live_sessions(app, firms.a.firm, firms.a.recruiter) == 0
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert c.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
        assert c.get("/recruiter/").status_code == 200


def test_an_invited_recruiter_enrols_before_their_first_session_when_required(
    app, client_for, firms, run_jobs, smtp_sink
):
    from portal.models import Role
    from tests.auth.test_auth import _invite

    _require(app, firms.a.firm)
    user, token = _invite(app, firms.a, run_jobs, smtp_sink, email="new.recruiter@alpha.example", role=Role.RECRUITER)
    c = client_for(firms.a.firm)
    password = "a-brand-new-passphrase"
    resp = c.post(f"/invitation/{token}", data={"password": password, "confirm": password})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/two-factor/setup")
    assert c.get("/recruiter/").status_code == 302
    secret = SECRET.search(c.get("/login/two-factor/setup").text).group(1).replace(" ", "")
    assert c.post("/login/two-factor/setup", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert c.get("/recruiter/").status_code == 200
