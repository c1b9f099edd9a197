"""Passwordless sign-in for candidates (issue 15, item 1): a single-use link, emailed on
request, minted by the worker when it sends, that signs the candidate in with a fresh
server-side session on their firm's host and lands on the page they asked for.

Each security property has its test here: works once, expires, one firm's host only, the
request answers the same (page, status, time) for unknown, staff and known addresses, rate
limits, `next` kept with the token (never in the emailed URL), a forwarded or used link lets
nobody in. That no live link is stored anywhere is tests/auth/test_credentials.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import AuthToken, Message, TokenPurpose, User, UserSession, utcnow
from portal.services import accounts
from tests.auth.test_reset_timing import FakeClock
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as

LINK = re.compile(r"https?://[^\s\"<>]+/login/link/([A-Za-z0-9_\-]+)")


@pytest.fixture(autouse=True)
def _quick(app):
    app.config["RESET_MIN_SECONDS"] = 0.1  # the timing itself: test_the_request_takes_the_same_time


def _flashes(client) -> list:
    with client.session_transaction(base_url=f"http://{client.host}") as sess:
        return list(sess.get("_flashes", []))


def _ask(client, email: str, next_path: str | None = None):
    data = {"email": email} | ({"next": next_path} if next_path is not None else {})
    return client.post("/login/link", data=data)


def _mailed_link(run_jobs, smtp_sink, to: str) -> tuple[str, str]:
    """(the link, its path) from the newest sign-in email to `to`, sent by the worker."""
    run_jobs()
    for mail in reversed(smtp_sink.messages):
        text = mail.email.get_body(preferencelist=("plain",)).get_content()
        html = mail.email.get_body(preferencelist=("html",)).get_content()
        match = LINK.search(text)
        if mail.rcpt_tos == [to] and match:
            assert f'href="{match.group(0)}"' in html
            return match.group(0), "/login/link/" + match.group(1)
    raise AssertionError(f"no sign-in link was emailed to {to}")


def _signed_in_as(client) -> str | None:
    resp = client.get("/me/")
    return "candidate" if resp.status_code == 200 else None


def test_the_login_page_offers_a_link_and_keeps_next(client_for, firms):
    c = client_for(firms.a.firm)
    page = c.get("/login?next=/me/settings").get_data(as_text=True)
    assert 'href="/login/link?next=/me/settings"' in page
    form = c.get("/login/link?next=/me/settings").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/me/settings"' in form
    # An unsafe next is dropped from the form.
    form = c.get("/login/link?next=https://evil.example/").get_data(as_text=True)
    assert "evil.example" not in form


def test_a_link_signs_in_once_with_a_fresh_session_and_lands_on_next(app, client_for, firms, run_jobs, smtp_sink):
    phone = client_for(firms.a.firm)
    resp = _ask(phone, firms.a.candidate.email, "/me/settings")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login/link?next=/me/settings"
    link, path = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    # The emailed URL is the firm's host and a token: no next, nothing else.
    assert link.startswith("http://alpha.localhost/login/link/") and "?" not in link and "settings" not in link
    with firm_context(app, firms.a.firm) as s:
        (row,) = s.scalars(select(AuthToken).where(AuthToken.purpose == TokenPurpose.SIGN_IN)).all()
        assert row.token_hash == accounts.hash_token(path.rsplit("/", 1)[1]) and row.next_path == "/me/settings"
        assert s.scalar(select(func.count()).select_from(UserSession)) == 0
    # Opening it (GET: what a mail scanner does too) spends nothing and signs in nobody.
    assert phone.get(path).status_code == 200
    assert phone.get(path).status_code == 200
    assert _signed_in_as(phone) is None
    resp = phone.post(path)
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/settings"
    assert phone.get("/me/settings").status_code == 200
    with firm_context(app, firms.a.firm) as s:
        (session_row,) = s.scalars(select(UserSession)).all()
        assert session_row.user_id == firms.a.candidate_user.id and session_row.ended_at is None
        assert s.get(AuthToken, row.id).used_at is not None
        assert s.get(User, firms.a.candidate_user.id).last_login_at is not None
    # Once: a second press, on this device or any other, is refused and signs in nobody.
    other = client_for(firms.a.firm)
    for c in (phone, other):
        resp = c.post(path)
        assert resp.status_code == 404 and b"not valid any more" in resp.data
    assert other.get(path).status_code == 404
    assert _signed_in_as(other) is None


def test_without_next_the_link_lands_on_the_candidates_home(client_for, firms, run_jobs, smtp_sink):
    c = client_for(firms.a.firm)
    _ask(c, firms.a.candidate.email)
    _link, path = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    resp = c.post(path)
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_an_unsafe_next_is_never_kept(app, client_for, firms, run_jobs, smtp_sink, target):
    c = client_for(firms.a.firm)
    assert _ask(c, firms.a.candidate.email, target).headers["Location"] == "/login/link"
    _link, path = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    with firm_context(app, firms.a.firm) as s:
        assert s.scalar(select(AuthToken.next_path)) is None
    assert c.post(path).headers["Location"] == "/me/"


def test_the_link_expires(app, client_for, firms, run_jobs, smtp_sink):
    minutes = app.config["SIGN_IN_LINK_MINUTES"]
    assert minutes == 15
    start = utcnow().replace(microsecond=0)
    c = client_for(firms.a.firm)
    with time_machine.travel(start, tick=False) as traveller:
        _ask(c, firms.a.candidate.email)
        _link, path = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
        with firm_context(app, firms.a.firm) as s:
            (row,) = s.scalars(select(AuthToken)).all()
            assert row.expires_at == start + timedelta(minutes=minutes)
        traveller.move_to(start + timedelta(minutes=minutes, seconds=1))
        for resp in (c.get(path), c.post(path)):
            assert resp.status_code == 404 and b"expired" in resp.data
        assert _signed_in_as(c) is None
        traveller.move_to(start + timedelta(minutes=minutes - 1))
        assert c.post(path).status_code == 302


def test_the_link_does_not_work_on_another_firms_host(client_for, firms, run_jobs, smtp_sink):
    _ask(client_for(firms.a.firm), firms.a.candidate.email)
    _link, path = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    elsewhere = client_for(firms.b.firm)
    assert elsewhere.get(path).status_code == 404
    assert elsewhere.post(path).status_code == 404
    assert elsewhere.get("/me/").status_code != 200
    assert client_for(firms.a.firm).post(path).status_code == 302  # still live at home: nothing was spent


def test_a_new_link_replaces_the_earlier_unused_one(client_for, firms, run_jobs, smtp_sink):
    c = client_for(firms.a.firm)
    _ask(c, firms.a.candidate.email)
    _first, first = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    _ask(c, firms.a.candidate.email)
    _second, second = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    assert first != second
    assert c.post(first).status_code == 404
    assert c.post(second).status_code == 302


def _answer(client, email):
    resp = _ask(client, email, "/me/settings")
    return resp.status_code, resp.headers.get("Location"), _flashes(client), resp.get_data()


def test_the_answer_is_the_same_for_unknown_staff_and_known_addresses(app, client_for, firms, run_jobs, smtp_sink):
    answers = {
        who: _answer(client_for(firms.a.firm), email)
        for who, email in (
            ("candidate", firms.a.candidate.email),
            ("unknown", "nobody-here@alpha.example"),
            ("recruiter", firms.a.recruiter.email),
            ("admin", firms.a.admin.email),
            ("other firm's candidate", firms.b.candidate.email),
        )
    }
    assert len(set(map(repr, answers.values()))) == 1, answers
    status, location, flashes, _ = answers["candidate"]
    assert status == 302 and location == "/login/link?next=/me/settings"
    assert flashes == [
        (
            "info",
            "If that address belongs to a candidate's account here, we have just emailed it a sign-in link. "
            "It works once, within 15 minutes.",
        )
    ]
    # The page it leads to is the same too.
    pages = [
        client_for(firms.a.firm).post("/login/link", data={"email": e}, follow_redirects=True).get_data()
        for e in (firms.a.candidate.email, firms.a.recruiter.email, "nobody-here@alpha.example")
    ]
    assert pages[0] == pages[1] == pages[2]
    # Only the candidate got an email; staff never get a sign-in link.
    run_jobs()
    assert [m.rcpt_tos for m in smtp_sink.messages] == [[firms.a.candidate.email]] * 2
    with firm_context(app, firms.a.firm) as s:
        assert s.scalars(select(Message.kind).where(Message.to_email != firms.a.candidate.email)).all() == []


def test_a_staff_member_cannot_sign_in_by_link(app, client_for, firms, run_jobs, smtp_sink):
    """Even a sign-in token made for a staff account (there is no way to ask for one) is refused."""
    from worker.delivery_outcome import accounts as worker_accounts  # the module the worker stores with

    with firm_context(app, firms.a.firm) as s:
        firm = s.get(type(firms.a.firm), firms.a.firm.id)
        minted = worker_accounts.mint_link(firm, firms.a.recruiter.id, TokenPurpose.SIGN_IN, utcnow())
        worker_accounts.store_minted(minted, utcnow())
    c = client_for(firms.a.firm)
    path = minted.url.split("localhost", 1)[1]
    assert c.get(path).status_code == 404 and c.post(path).status_code == 404
    assert c.get("/recruiter/").status_code != 200


@pytest.fixture
def clock(app, monkeypatch):
    import portal.auth.links as links

    fake = FakeClock()
    monkeypatch.setattr(links, "time", fake)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fake.statement)
    yield fake
    event.remove(engine, "before_cursor_execute", fake.statement)


def test_the_request_takes_the_same_time_for_every_address(app, client_for, firms, clock):
    """As tests/auth/test_reset_timing.py: the clock moves 50 ms per SQL statement and by
    whatever the view sleeps; every address must end at the same reading."""
    app.config["RESET_MIN_SECONDS"] = 1.0
    c = client_for(firms.a.firm)
    c.get("/login")  # the process's first request to this host also looks its firm up (then cached)
    took = []
    for email in (firms.a.candidate.email, "nobody-here@alpha.example", firms.a.recruiter.email):
        start = clock.now
        assert _ask(c, email).status_code == 302
        took.append(round(clock.now - start, 6))
    assert took[0] == took[1] == took[2], took
    # The candidate's path really did more work (the email), and the view waited it out.
    assert len(clock.slept) == 3 and clock.slept[0] < clock.slept[1]
    with firm_context(app, firms.a.firm) as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1


def test_the_request_is_rate_limited_per_ip_and_per_address(app, client_for, firms):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    c = client_for(firms.a.firm)
    codes = [_ask(c, f"guess{i}@alpha.example").status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    assert c.get("/login/link").status_code == 200  # GET is never limited
    app.config["RATELIMIT_LOGIN"] = "1000 per minute"
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "2 per minute"
    codes = [
        c.post(
            "/login/link", data={"email": firms.a.candidate.email}, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}
        ).status_code
        for i in range(1, 4)
    ]
    assert codes == [302, 302, 429]


def test_a_forwarded_link_lets_nobody_in_once_used(client_for, firms, run_jobs, smtp_sink):
    """The addressee used it; whoever the email was forwarded to gets the 'not valid' page,
    and so does anyone after a sign-out (a link is not a way back in)."""
    owner = client_for(firms.a.firm)
    _ask(owner, firms.a.candidate.email, "/me/settings")
    _link, path = _mailed_link(run_jobs, smtp_sink, firms.a.candidate.email)
    assert owner.post(path).status_code == 302
    forwarded = client_for(firms.a.firm)
    resp = forwarded.post(path)
    assert resp.status_code == 404 and b"Email me a new sign-in link" in resp.data
    assert forwarded.get("/me/settings").status_code == 302  # to sign in
    owner.post("/logout")
    assert owner.post(path).status_code == 404


def test_an_invited_candidate_can_start_without_a_password(app, client_for, firms, run_jobs, smtp_sink):
    from tests.auth.test_auth import _invite

    user, token = _invite(app, firms.a, run_jobs, smtp_sink)
    c = client_for(firms.a.firm)
    page = c.get(f"/invitation/{token}").get_data(as_text=True)
    assert "Skip, and sign in by email link" in page
    resp = c.post(f"/invitation/{token}/without-password")
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    with firm_context(app, firms.a.firm) as s:
        assert s.get(User, user.id).password_hash is None
    # The invitation is spent; the settings say how they sign in.
    assert client_for(firms.a.firm).post(f"/invitation/{token}/without-password").status_code == 404
    settings = c.get("/me/settings").get_data(as_text=True)
    assert "You have not set one, and you don't need one." in settings
    assert "Email me a link to set a password" in settings and 'href="/account"' in settings
    # Next time: a sign-in link.
    fresh = client_for(firms.a.firm)
    _ask(fresh, user.email)
    _link, path = _mailed_link(run_jobs, smtp_sink, user.email)
    assert fresh.post(path).headers["Location"] == "/me/"
    # And a password, if they want one after all: the reset email, to them.
    smtp_sink.reset()
    assert fresh.post("/me/settings/password-link").status_code == 303
    run_jobs()
    ((to,),) = [m.rcpt_tos for m in smtp_sink.messages]
    assert to == user.email and "/reset/" in smtp_sink.messages[0].email.get_body(("plain",)).get_content()


def test_a_staff_invitation_cannot_skip_the_password(app, client_for, firms, run_jobs, smtp_sink):
    from portal.models import Role
    from tests.auth.test_auth import _invite

    _user, token = _invite(app, firms.a, run_jobs, smtp_sink, email="new.recruiter@alpha.example", role=Role.RECRUITER)
    c = client_for(firms.a.firm)
    assert "Skip, and sign in by email link" not in c.get(f"/invitation/{token}").get_data(as_text=True)
    assert c.post(f"/invitation/{token}/without-password").status_code == 404
    assert c.get(f"/invitation/{token}").status_code == 200  # not spent


def test_settings_show_a_password_candidate_how_they_sign_in(client_for, firms):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user)
    page = c.get("/me/settings").get_data(as_text=True)
    assert "How you sign in" in page and "You have a password" in page and "Sign-in links" in page
    assert 'href="/account#password-heading"' in page and 'href="/account"' in page
    assert "Email me a link to set a password" not in page
