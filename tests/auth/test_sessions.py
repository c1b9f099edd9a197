"""Sign-in sessions live on the server: logout, password change, a reset and "sign out
everywhere" end them at once, on every web process; idle and absolute limits; the list of
where you're signed in; the password-changed email; common passwords refused."""

from __future__ import annotations

import gzip
import re
from contextlib import contextmanager
from datetime import timedelta
from importlib import resources

import pytest
import time_machine
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Firm, Message, User, utcnow
from portal.services import DomainError, accounts
from tests.factories import PASSWORD, firm_context
from tests.support.fixtures.clients import FirmClient, login_as

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "a-much-better-secret"


def _cookies(client) -> dict[str, str]:
    out = {}
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name, domain=client.host)
        if cookie is not None:
            out[name] = cookie.value
    return out


def _replay(make_client, firm, cookies: dict[str, str], only: str | None = None) -> FirmClient:
    """A fresh client (another browser, possibly another web process) with copied cookies."""
    c = make_client(firm)
    for name, value in cookies.items():
        if only is None or name == only:
            c.set_cookie(name, value, domain=c.host)
    return c


@pytest.fixture
def second_app(make_app, app):
    """A second web process: another create_app() on the same database."""
    other = make_app(dict(app.config))

    def client(firm) -> FirmClient:
        other.test_client_class = FirmClient
        c = other.test_client()
        c.host = f"{firm.slug}.localhost"
        return c

    return client


def _signed_in(client, path="/me/") -> bool:
    resp = client.get(path)
    if resp.status_code == 302:
        assert "/login" in resp.headers["Location"]
        return False
    assert resp.status_code == 200, resp.status_code
    return True


def _copies_work(client_for, second_app, firm, cookies, path="/me/") -> list[bool]:
    """Whether the copied session cookie, the copied remember-me cookie alone, and both on
    a second app instance still sign in."""
    results = [_signed_in(_replay(client_for, firm, cookies, only="session"), path)]
    if "remember_token" in cookies:
        results.append(_signed_in(_replay(client_for, firm, cookies, only="remember_token"), path))
    results.append(_signed_in(_replay(second_app, firm, cookies), path))
    return results


# ------------------------------------------------------------------ ending sessions


def test_a_copied_session_and_remember_me_cookie_stop_working_after_logout(client_for, second_app, firms, auth):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user, remember=True)
    cookies = _cookies(c)
    assert set(cookies) == {"session", "remember_token"}
    # Before logout the copies work, here and on the other web process.
    assert _copies_work(client_for, second_app, firms.a.firm, cookies) == [True, True, True]
    assert auth(c).logout().status_code == 302
    assert _copies_work(client_for, second_app, firms.a.firm, cookies) == [False, False, False]
    assert not _signed_in(c)


def test_logout_on_one_web_process_ends_the_session_on_the_other(client_for, second_app, firms, auth):
    here = client_for(firms.a.firm)
    login_as(here, firms.a.recruiter)
    there = _replay(second_app, firms.a.firm, _cookies(here))
    assert _signed_in(there, "/recruiter/")
    auth(there).logout()
    assert not _signed_in(here, "/recruiter/")


def test_password_change_ends_every_other_session_and_keeps_this_one(
    app, client_for, second_app, firms, run_jobs, smtp_sink
):
    phone = client_for(firms.a.firm)
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    login_as(phone, firms.a.candidate_user, remember=True)
    phone_cookies = _cookies(phone)
    laptop = client_for(firms.a.firm)
    laptop.environ_base["HTTP_USER_AGENT"] = WINDOWS_FIREFOX
    login_as(laptop, firms.a.candidate_user)
    laptop_cookies = _cookies(laptop)

    resp = laptop.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    assert _signed_in(laptop)  # the device the user changed it from stays signed in...
    # ...with a new session: a copy of its old cookie (a thief's) died with the others.
    assert _copies_work(client_for, second_app, firms.a.firm, laptop_cookies) == [False, False]
    assert not _signed_in(phone)
    assert _copies_work(client_for, second_app, firms.a.firm, phone_cookies) == [False, False, False]
    # The new password works, the old one does not.
    assert (
        client_for(firms.a.firm)
        .post("/login", data={"email": firms.a.candidate.email, "password": PASSWORD})
        .status_code
        == 400
    )
    login_as(client_for(firms.a.firm), firms.a.candidate_user, password=NEW_PASSWORD)

    # The user is told by email (transactional, not in the portal inbox).
    run_jobs()
    (mail,) = [m for m in smtp_sink.messages if m.rcpt_tos == [firms.a.candidate.email]]
    email = mail.email
    assert email["Subject"] == "Your password for Alpha Search was changed"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "If this wasn" in body and "Firefox on Windows" in body
        assert "http://alpha.localhost/reset" in body
    assert "was changed on" in text
    with firm_context(app, firms.a.firm) as s:
        msg = s.scalar(select(Message).where(Message.kind == "password_changed"))
        assert msg.show_in_portal is False and msg.stream is None


def test_password_change_asks_for_the_current_password(client_for, firms, run_jobs, smtp_sink):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    page = c.get("/account")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'autocomplete="current-password"' in body and 'name="current_password"' in body
    for current, error in (
        ("not-my-password", "That is not your current password."),
        ("x" * 20000, "That is not your current password."),
        ("", "Enter your current password."),
    ):
        resp = c.post(
            "/account/password", data={"current_password": current, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
        assert resp.status_code == 400
        assert error in resp.get_data(as_text=True)
    # Nothing changed: the old password still works and no email went out.
    login_as(client_for(firms.a.firm), firms.a.recruiter)
    run_jobs()
    assert smtp_sink.messages == []
    assert _signed_in(c, "/recruiter/")


def test_sign_out_everywhere_ends_every_session_including_this_one(client_for, second_app, firms):
    phone = client_for(firms.a.firm)
    login_as(phone, firms.a.candidate_user, remember=True)
    laptop = client_for(firms.a.firm)
    login_as(laptop, firms.a.candidate_user)
    copies = {"phone": _cookies(phone), "laptop": _cookies(laptop)}
    resp = laptop.post("/account/sessions/end", data={"scope": "all"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert not _signed_in(laptop) and not _signed_in(phone)
    for cookies in copies.values():
        assert not any(_copies_work(client_for, second_app, firms.a.firm, cookies))


def test_sign_out_everywhere_else_keeps_this_device(client_for, second_app, firms):
    phone = client_for(firms.a.firm)
    login_as(phone, firms.a.candidate_user, remember=True)
    phone_cookies = _cookies(phone)
    laptop = client_for(firms.a.firm)
    login_as(laptop, firms.a.candidate_user)
    laptop_cookies = _cookies(laptop)
    assert laptop.post("/account/sessions/end", data={"scope": "others"}).status_code == 302
    assert _signed_in(laptop)
    assert not any(_copies_work(client_for, second_app, firms.a.firm, phone_cookies))
    assert not any(_copies_work(client_for, second_app, firms.a.firm, laptop_cookies))


def test_a_password_reset_ends_every_session_and_emails_the_user(
    app, client_for, second_app, firms, run_jobs, smtp_sink
):
    signed_in = client_for(firms.a.firm)
    login_as(signed_in, firms.a.candidate_user, remember=True)
    cookies = _cookies(signed_in)
    c = client_for(firms.a.firm)
    c.environ_base["HTTP_USER_AGENT"] = IPHONE_SAFARI
    c.post("/reset", data={"email": firms.a.candidate.email})
    run_jobs()
    (reset_mail,) = smtp_sink.messages
    link = re.search(
        r"http://alpha\.localhost(/reset/[A-Za-z0-9_\-]+)",
        reset_mail.email.get_body(preferencelist=("plain",)).get_content(),
    ).group(1)
    smtp_sink.reset()
    resp = c.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    assert _signed_in(c)
    assert not _signed_in(signed_in)
    assert not any(_copies_work(client_for, second_app, firms.a.firm, cookies))
    run_jobs()
    (mail,) = smtp_sink.messages
    assert mail.rcpt_tos == [firms.a.candidate.email]
    text = mail.email.get_body(preferencelist=("plain",)).get_content()
    assert "reset with a link we emailed you" in text and "Safari on iPhone" in text and "If this wasn" in text


def test_only_the_hash_of_the_session_secret_is_stored(app, client_for, firms):
    from portal.models import UserSession
    from portal.services import sessions

    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user)
    with c.session_transaction(base_url=f"http://{c.host}") as sess:
        user_id, _, secret = sess["_user_id"].partition(".")
    assert user_id == str(firms.a.candidate_user.id) and len(secret) >= 40
    with firm_context(app, firms.a.firm) as s:
        row = s.scalar(select(UserSession).where(UserSession.user_id == firms.a.candidate_user.id))
        assert row.secret_hash == sessions.hash_secret(secret) and row.ended_at is None
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execution_options(all_firms=True)  # reads or writes every firm's rows, explicitly
            for table in db.metadata.sorted_tables:
                for r in conn.execute(table.select()):
                    assert secret not in repr(tuple(r)), table.name


# ------------------------------------------------------------------ limits


def test_staff_sessions_end_after_two_idle_hours(app, client_for, firms):
    c = client_for(firms.a.firm)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(c, firms.a.recruiter)
    # Used within the idle limit, again and again: still signed in 5 hours later.
    for minutes in (110, 220, 330):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert _signed_in(c, "/recruiter/"), minutes
    # Then two hours without a request: signed out.
    with time_machine.travel(start + timedelta(minutes=330 + 121), tick=False):
        assert not _signed_in(c, "/recruiter/")


def test_staff_sessions_end_twelve_hours_after_sign_in_however_busy(app, client_for, firms):
    c = client_for(firms.a.firm)
    remembered = client_for(firms.a.firm)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(c, firms.a.admin)
        login_as(remembered, firms.a.admin, remember=True)
        remember_cookie = remembered.get_cookie("remember_token", domain=remembered.host)
        assert remember_cookie.expires - start <= timedelta(hours=12, minutes=1)
    for hours in range(1, 12):
        with time_machine.travel(start + timedelta(hours=hours, minutes=50), tick=False):
            assert _signed_in(c, "/admin/") and _signed_in(remembered, "/admin/"), hours
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not _signed_in(c, "/admin/")
        assert not _signed_in(remembered, "/admin/")


def test_idle_and_absolute_limits_are_settings(app, client_for, firms):
    app.config["STAFF_SESSION_IDLE_MINUTES"] = 10
    c = client_for(firms.a.firm)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(c, firms.a.recruiter)
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        assert not _signed_in(c, "/recruiter/")
    app.config["STAFF_SESSION_IDLE_MINUTES"] = 120
    app.config["STAFF_SESSION_MAX_HOURS"] = 1
    d = client_for(firms.a.firm)
    with time_machine.travel(start, tick=False):
        login_as(d, firms.a.recruiter)
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert _signed_in(d, "/recruiter/")
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert not _signed_in(d, "/recruiter/")


def test_candidate_sessions_last_thirty_idle_days_and_ninety_days_at_most(app, client_for, firms):
    idle = client_for(firms.a.firm)
    busy = client_for(firms.a.firm)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(idle, firms.a.candidate_user, remember=True)
        login_as(busy, firms.a.candidate_user, remember=True)
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert _signed_in(busy)  # a candidate away for weeks is still signed in
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        assert not _signed_in(idle)
    for days in (55, 80, 89):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            assert _signed_in(busy), days
    with time_machine.travel(start + timedelta(days=90, minutes=1), tick=False):
        assert not _signed_in(busy)


def test_last_seen_is_written_at_most_every_few_minutes(app, client_for, firms):
    from portal.models import UserSession

    c = client_for(firms.a.firm)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(c, firms.a.recruiter)

    @contextmanager
    def session_writes():
        seen = []

        def on_execute(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
                seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)

    def last_seen():
        with firm_context(app, firms.a.firm) as s:
            return s.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == firms.a.recruiter.id))

    with session_writes() as writes:
        with time_machine.travel(start + timedelta(minutes=2), tick=False):
            for _ in range(3):
                assert _signed_in(c, "/recruiter/")
        assert writes == [] and last_seen() == start
        with time_machine.travel(start + timedelta(minutes=6), tick=False):
            for _ in range(3):
                assert _signed_in(c, "/recruiter/")
        assert len(writes) == 1 and last_seen() == start + timedelta(minutes=6)


# ------------------------------------------------------------------ where you're signed in


def _listed(page: str) -> list[str]:
    return re.findall(r'<li class="session">\s*<div class="row-main">\s*<strong>([^<]+)</strong>', page)


def test_the_list_shows_each_device_and_signs_one_out(app, client_for, second_app, firms):
    from portal.models import UserSession

    phone = client_for(firms.a.firm)
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    login_as(phone, firms.a.candidate_user, remember=True)
    phone_cookies = _cookies(phone)
    laptop = client_for(firms.a.firm)
    laptop.environ_base["HTTP_USER_AGENT"] = WINDOWS_FIREFOX
    login_as(laptop, firms.a.candidate_user)
    # Someone else's session in the same firm is not listed and cannot be ended.
    other = client_for(firms.a.firm)
    other.environ_base["HTTP_USER_AGENT"] = IPHONE_SAFARI
    login_as(other, firms.a.recruiter)

    settings = laptop.get("/me/settings").get_data(as_text=True)
    assert 'href="/account"' in settings
    page = laptop.get("/account").get_data(as_text=True)
    assert "Where you&#39;re signed in" in page or "Where you're signed in" in page
    assert _listed(page) == ["Firefox on Windows", "Chrome on Android"]  # most recent first
    assert page.count("This device") == 1 and "from 127.0.0.1" in page
    assert page.index("Firefox on Windows") < page.index("This device") < page.index("Chrome on Android")

    with firm_context(app, firms.a.firm) as s:
        ids = {r.device: r.id for r in s.scalars(select(UserSession))}
    assert laptop.post(f"/account/sessions/{ids['Safari on iPhone']}/end").status_code == 404
    assert _signed_in(other, "/recruiter/")

    resp = laptop.post(f"/account/sessions/{ids['Chrome on Android']}/end")
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    assert not _signed_in(phone)
    assert not any(_copies_work(client_for, second_app, firms.a.firm, phone_cookies))
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome on Android is signed out." in page
    assert _listed(page) == ["Firefox on Windows"]
    # Signing out this device from the list signs this device out.
    resp = laptop.post(f"/account/sessions/{ids['Firefox on Windows']}/end")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert not _signed_in(laptop)


def test_staff_reach_their_account_page_from_the_navigation(client_for, firms):
    for user, home in ((firms.a.recruiter, "/recruiter/"), (firms.a.admin, "/admin/")):
        c = client_for(firms.a.firm)
        login_as(c, user)
        assert 'href="/account"' in c.get(home).get_data(as_text=True)
        page = c.get("/account").get_data(as_text=True)
        assert page.count("<h1") == 1 and "Your account" in page and "Change your password" in page


@pytest.mark.parametrize(
    "agent, expected",
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (WINDOWS_FIREFOX, "Firefox on Windows"),
        (IPHONE_SAFARI, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
            "Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
            "Safari/605.1.15",
            "Safari on Mac",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_device_summary(agent, expected):
    from portal.services import sessions

    assert sessions.describe_device(agent) == expected


# ------------------------------------------------------------------ common passwords


def test_the_common_password_list_ships_with_the_package():
    path = resources.files("portal") / "data" / "common-passwords.txt.gz"
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert "zxcvbn" in text.splitlines()[1]  # the header names the source
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert len(lines) >= 10_000
    assert lines[:2] == ["123456", "password"]
    assert accounts.common_passwords() is accounts.common_passwords()  # loaded once
    assert len(accounts.common_passwords()) == len(set(lines))


@pytest.mark.parametrize(
    "password, why",
    [
        ("qwertyuiop", "most common"),
        ("QWERTYUIOP", "most common"),
        ("Password123456", "most common"),
        ("iloveyou2024!", "most common"),
        ("  Sunshine1234  ", "most common"),
        ("1234567890", "most common"),
        ("Alpha Search", "our name"),
        ("alpha-search-2024", "our name"),
        ("ALPHASEARCH!!", "our name"),
        ("alpha123456", "most common"),
        ("candidate@alpha.example", "email address"),
        ("Candidate2024!", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(app, firms, password, why):
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        with pytest.raises(DomainError, match=why):
            accounts.validate_password(password, email="candidate@alpha.example", firm=firm)


def test_good_passwords_pass(app, firms):
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        for password in (PASSWORD, NEW_PASSWORD, "alpha search partners are great", "my candidate journey 7"):
            accounts.validate_password(password, email="candidate@alpha.example", firm=firm)


def test_forms_refuse_common_and_personal_passwords(app, client_for, firms):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user)
    for password, words in (
        ("qwertyuiop", "one of the most common"),
        ("Alpha Search 2024", "our name"),
        (firms.a.candidate.email, "your email address"),
    ):
        resp = c.post(
            "/account/password", data={"current_password": PASSWORD, "password": password, "confirm": password}
        )
        assert resp.status_code == 400, password
        assert words in resp.get_data(as_text=True), password
    login_as(client_for(firms.a.firm), firms.a.candidate_user)  # unchanged


def test_reset_and_invitation_pages_refuse_a_common_password(app, client_for, firms, run_jobs, smtp_sink):
    """The reset page refuses them too, and the link stays usable."""
    from tests.auth.test_auth import _mailed_token

    client_for(firms.a.firm).post("/reset", data={"email": firms.a.candidate.email})
    token = _mailed_token(run_jobs, smtp_sink, firms.a.candidate.email, "reset")
    d = client_for(firms.a.firm)
    resp = d.post(f"/reset/{token}", data={"password": "letmein12345", "confirm": "letmein12345"})
    assert resp.status_code == 200 and "one of the most common" in resp.get_data(as_text=True)
    resp = d.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    with firm_context(app, firms.a.firm) as s:
        assert s.get(User, firms.a.candidate_user.id).check_password(NEW_PASSWORD)
    # An invitation refuses a password made of the invited address.
    from tests.auth.test_auth import _invite

    _user, invitation = _invite(app, firms.a, run_jobs, smtp_sink, email="new.person@alpha.example")
    resp = d.post(f"/invitation/{invitation}", data={"password": "New.Person.2024", "confirm": "New.Person.2024"})
    assert resp.status_code == 200 and "your email address" in resp.get_data(as_text=True)


def test_guessing_the_current_password_is_rate_limited(app, client_for, firms):
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "2 per minute"
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    codes = [
        c.post(
            "/account/password",
            data={"current_password": f"guess-{i}", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ).status_code
        for i in range(3)
    ]
    assert codes == [400, 400, 429]
    # Even the right one is refused until the minute is over; another account is not affected.
    assert (
        c.post(
            "/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 429
    )
    d = client_for(firms.a.firm)
    login_as(d, firms.a.admin)
    assert (
        d.post(
            "/account/password", data={"current_password": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 400
    )


def test_session_limits_are_read_from_the_environment():
    from portal.config import ConfigError, load_config

    defaults = load_config(env={"PORTAL_ENV": "development"})
    assert (
        defaults["STAFF_SESSION_IDLE_MINUTES"],
        defaults["STAFF_SESSION_MAX_HOURS"],
        defaults["CANDIDATE_SESSION_IDLE_DAYS"],
        defaults["CANDIDATE_SESSION_MAX_DAYS"],
    ) == (120, 12, 30, 90)
    cfg = load_config(
        env={
            "PORTAL_ENV": "development",
            "PORTAL_STAFF_SESSION_IDLE_MINUTES": "30",
            "PORTAL_CANDIDATE_SESSION_MAX_DAYS": "14",
        }
    )
    assert cfg["STAFF_SESSION_IDLE_MINUTES"] == 30 and cfg["CANDIDATE_SESSION_MAX_DAYS"] == 14
    with pytest.raises(ConfigError, match="PORTAL_STAFF_SESSION_MAX_HOURS"):
        load_config(env={"PORTAL_ENV": "development", "PORTAL_STAFF_SESSION_MAX_HOURS": "0"})


def test_signing_out_elsewhere_does_not_extend_this_sessions_lifetime(app, client_for, firms):
    c = client_for(firms.a.firm)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(c, firms.a.recruiter, remember=True)
    for hours in range(1, 12):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            assert c.post("/account/sessions/end", data={"scope": "others"}).status_code == 302
            assert _signed_in(c, "/recruiter/")
    with time_machine.travel(start + timedelta(hours=11, minutes=30), tick=False):
        page = c.get("/account").get_data(as_text=True)
        assert "kept signed in" in page  # remember-me carried over to the new session
        c.delete_cookie("session", domain=c.host)
        assert _signed_in(c, "/recruiter/")  # the remember-me cookie of the new session works
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not _signed_in(c, "/recruiter/")


def test_deleting_the_account_erases_the_session_records(app, client_for, firms):
    from portal.models import UserSession

    phone = client_for(firms.a.firm)
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    login_as(phone, firms.a.candidate_user, remember=True)
    cookies = _cookies(phone)
    laptop = client_for(firms.a.firm)
    login_as(laptop, firms.a.candidate_user)
    resp = laptop.post("/me/settings/delete", data={"password": PASSWORD, "confirm": "y"})
    assert resp.status_code == 200
    with firm_context(app, firms.a.firm) as s:
        assert s.scalars(select(UserSession).where(UserSession.user_id == firms.a.candidate_user.id)).all() == []
    assert not _signed_in(phone)
    assert not _signed_in(_replay(client_for, firms.a.firm, cookies, only="remember_token"))
