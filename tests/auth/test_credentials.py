"""Promise 9: a live credential (a sign-in, reset or invitation link) is readable by its
addressee alone.

A recruiter asks for the admin's password reset, a recruiter invites a candidate, the
admin invites a recruiter and a candidate asks for a sign-in link; the worker sends the four
emails through the SMTP sink. The
links taken from those emails then appear on no page a recruiter or an admin can open,
in no column of any table, in nothing kept in Redis and in no log line; and they work,
once, for their lifetime counted from the send. Sending an email again makes a new link.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import re
import zipfile
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from portal.extensions import db, get_redis
from portal.models import AuthToken, Message, MessageState, User, utcnow
from portal.outbox import CREDENTIAL_LINK
from tests.core.test_tenancy import ID_ARGS, _graph
from tests.factories import firm_context, make_candidate
from tests.support.fixtures.clients import login_as
from worker import jobs

LINK = re.compile(r"https?://[^\s\"'<>]+/(invitation|reset|login/link)/([A-Za-z0-9_\-]+)")
CANDIDATE_EMAIL = "jo.invited@example.org"
RECRUITER_EMAIL = "nina.new@alpha.example"


def _client(client_for, firm, user):
    c = client_for(firm)
    login_as(c, user)
    return c


def _mailed_links(smtp_sink) -> dict[str, tuple[str, str]]:
    """{addressee: (link, token)} from the emails the sink received (text and HTML agree)."""
    out = {}
    for mail in smtp_sink.messages:
        text = mail.email.get_body(preferencelist=("plain",)).get_content()
        html = mail.email.get_body(preferencelist=("html",)).get_content()
        match = LINK.search(text)
        assert match is not None, text
        assert f'href="{match.group(0)}"' in html
        assert CREDENTIAL_LINK not in text and str(escape(CREDENTIAL_LINK)) not in html
        (to,) = mail.rcpt_tos
        out[to] = (match.group(0), match.group(2))
    return out


def _issue_three_credentials(app, firms, client_for, run_jobs, smtp_sink):
    """The reset (asked for by a recruiter through the public form), the two invitations
    (through the recruiter's and the admin's pages) and a candidate's sign-in link (the public
    form, with a page to land on), sent by the worker."""
    recruiter = _client(client_for, firms.a.firm, firms.a.recruiter)
    admin = _client(client_for, firms.a.firm, firms.a.admin)
    resp = recruiter.post("/reset", data={"email": firms.a.admin.email})
    assert resp.status_code == 302
    cand = make_candidate(
        app, firms.a.firm, with_login=False, email=CANDIDATE_EMAIL, name="Jo Invited", owner=firms.a.recruiter
    )
    resp = recruiter.post(f"/recruiter/candidates/{cand.id}/invite")
    assert resp.status_code == 303
    resp = admin.post("/admin/staff/invite", data={"name": "Nina New", "email": RECRUITER_EMAIL, "role": "recruiter"})
    assert resp.status_code == 302
    resp = client_for(firms.a.firm).post("/login/link", data={"email": firms.a.candidate.email, "next": "/me/settings"})
    assert resp.status_code == 302
    assert run_jobs() == 4
    links = _mailed_links(smtp_sink)
    assert sorted(links) == sorted([firms.a.admin.email, CANDIDATE_EMAIL, RECRUITER_EMAIL, firms.a.candidate.email])
    return recruiter, admin, cand, links


def _firm_ids(app, firm) -> dict[str, list[int]]:
    """Every id of every firm-owned row a URL can name, in this firm."""
    with firm_context(app, firm) as s:
        return {name: sorted(s.scalars(select(model.id))) for name, model in ID_ARGS.items()}


def _paths(rule, ids: dict[str, list[int]]):
    names = [n for n, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
    for combo in itertools.product(*(ids[n] for n in names)):
        values = dict(zip(names, combo, strict=True))
        for name in rule._converters:
            values.setdefault(name, "x")
        yield rule.build(values, append_unknown=False)[1]


def _crawl(app, client, ids, secrets, prefixes) -> dict[str, int]:
    """GET every route under `prefixes` with every id filled in; no answer may hold a
    secret (body or headers) and none may fail. Returns {path: status}."""
    seen = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static" or not rule.rule.startswith(prefixes):
            continue
        for path in _paths(rule, ids):
            resp = client.get(path)
            blobs = [resp.get_data().decode("utf-8", "replace"), repr(list(resp.headers.items()))]
            if resp.mimetype == "application/zip":
                with zipfile.ZipFile(io.BytesIO(resp.get_data())) as zf:
                    blobs += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
            for secret in secrets:
                assert not any(secret in b for b in blobs), f"GET {path} shows a live credential"
            assert resp.status_code != 500, f"GET {path}: {resp.status_code}"  # (/healthz: 503 without a worker)
            seen[path] = resp.status_code
    return seen


def _database_text(app) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every column of every row of every table."""
    out = []
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execution_options(all_firms=True)  # reads or writes every firm's rows, explicitly
            for table in db.metadata.sorted_tables:
                for row in conn.execute(table.select()):
                    for column, value in row._mapping.items():
                        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                        out.append((table.name, str(column), text))
    return out


def _redis_text(app) -> list[str]:
    """Everything kept in Redis (RQ's job data decompressed)."""
    conn = get_redis(app)
    out = []
    for key in conn.scan_iter(count=1000):
        kind = conn.type(key).decode()
        if kind == "string":
            values = [conn.get(key)]
        elif kind == "hash":
            values = [v for pair in conn.hgetall(key).items() for v in pair]
        elif kind == "list":
            values = conn.lrange(key, 0, -1)
        elif kind == "set":
            values = list(conn.smembers(key))
        elif kind == "zset":
            values = conn.zrange(key, 0, -1)
        else:
            values = []
        for v in [key, *values]:
            if not isinstance(v, bytes):
                continue
            out.append(v.decode("latin-1"))
            try:
                out.append(zlib.decompress(v).decode("latin-1"))
            except zlib.error:
                pass
    return out


def test_a_live_credential_is_readable_by_its_addressee_alone(
    app, firms, client_for, run_jobs, smtp_sink, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    recruiter, admin, cand, links = _issue_three_credentials(app, firms, client_for, run_jobs, smtp_sink)
    secrets = [s for pair in links.values() for s in pair]
    _graph(app, firms.a)  # one row of every other kind, so every id route has a page to show
    ids = _firm_ids(app, firms.a.firm)

    # Every page a recruiter and an admin can open (the firm's real ids in the URLs).
    # /dev/mail is the development mail catcher: the addressees' mailbox, never served
    # in production (test_the_mail_catcher_is_not_served_in_production).
    for client in (recruiter, admin):
        seen = _crawl(
            app,
            client,
            ids,
            secrets,
            (
                "/recruiter",
                "/admin",
                "/me",
                "/login",
                "/reset",
                "/invitation",
                "/unsubscribe",
                "/brand",
                "/healthz",
                "/favicon",
            ),
        )
        assert len([p for p, status in seen.items() if status == 200]) > 20
        assert all(seen[f"/recruiter/messages/{mid}"] == 200 for mid in ids["message_id"])
    assert seen["/admin/audit"] == seen["/admin/staff"] == 200  # (the admin's crawl)

    # The message pages say what was sent, to whom and when, with a neutral phrase for the link.
    with firm_context(app, firms.a.firm) as s:
        sent = s.scalars(select(Message).where(Message.credential.is_not(None)).order_by(Message.id)).all()
        assert [(m.to_email, m.credential, m.state) for m in sent] == [
            (firms.a.admin.email, "reset", MessageState.SENT),
            (CANDIDATE_EMAIL, "invitation", MessageState.SENT),
            (RECRUITER_EMAIL, "invitation", MessageState.SENT),
            (firms.a.candidate.email, "sign_in", MessageState.SENT),
        ]
    for m in sent:
        page = recruiter.get(f"/recruiter/messages/{m.id}").get_data(as_text=True)
        assert m.to_email in page and "Sent" in page and str(escape(CREDENTIAL_LINK)) in page
        assert "made when the email is sent" in page

    # Every column of every row of every table.
    rows = _database_text(app)
    assert {t for t, _, _ in rows} >= {"messages", "auth_tokens", "audit_entries", "users"}
    leaks = [(t, c) for t, c, text in rows for secret in secrets if secret in text]
    assert leaks == [], f"a live credential is stored in {leaks}"
    # Redis (the RQ jobs and their data) and the log lines of the web and the worker.
    assert not [v for v in _redis_text(app) for secret in secrets if secret in v]
    # (aiosmtpd, the addressee's mail server here, logs what it receives: not ours)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    out, err = capfd.readouterr()
    for secret in secrets:
        assert secret not in ours and secret not in out and secret not in err

    # The links were live all along (the crawl changed nothing), and each works for its addressee.
    anonymous = client_for(firms.a.firm)
    for link, _token in links.values():
        assert anonymous.get(link.split("localhost", 1)[1]).status_code == 200
    path = links[CANDIDATE_EMAIL][0].split("localhost", 1)[1]
    resp = anonymous.post(path, data={"password": "jo-chooses-this", "confirm": "jo-chooses-this"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    # The sign-in link too: it signs its candidate in, once, onto the page kept with its token.
    sign_in = client_for(firms.a.firm)
    path = links[firms.a.candidate.email][0].split("localhost", 1)[1]
    resp = sign_in.post(path)
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/settings"
    assert client_for(firms.a.firm).post(path).status_code == 404

    # The candidate's own inbox and data export show the invitation with the phrase, not the link.
    inbox = anonymous.get("/me/messages").get_data(as_text=True)
    assert "invited you to Alpha Search" in inbox and str(escape(CREDENTIAL_LINK)) in inbox
    export = json.loads(anonymous.get("/me/settings/my-data.json").get_data(as_text=True))
    assert any(CREDENTIAL_LINK in m["text"] for m in export["messages"])
    seen = _crawl(app, anonymous, ids, secrets, ("/me",))
    invitation = next(m.id for m in sent if m.to_email == CANDIDATE_EMAIL)
    assert seen[f"/me/messages/{invitation}"] == seen["/me/settings/my-data.zip"] == 200


def test_the_emailed_link_works_once_for_its_lifetime_from_the_send(app, firms, client_for, smtp_sink):
    hours = app.config["RESET_HOURS"]
    start = utcnow().replace(microsecond=0)
    c = client_for(firms.a.firm)
    with time_machine.travel(start, tick=False) as traveller:
        assert c.post("/reset", data={"email": firms.a.admin.email}).status_code == 302
        with firm_context(app, firms.a.firm) as s:
            (mid,) = s.scalars(select(Message.id))
            # Nothing to use before the email leaves: no token exists yet.
            assert s.scalar(select(func.count()).select_from(AuthToken)) == 0
        # The mail server is down until shortly before the request's hours are over.
        smtp_sink.reply = "451 try again later"
        assert jobs.deliver_message(mid) == "retry"
        sent_at = start + timedelta(hours=hours) - timedelta(minutes=10)
        traveller.move_to(sent_at)
        smtp_sink.reply = None
        assert jobs.deliver_message(mid) == "sent"
        ((link, token),) = _mailed_links(smtp_sink).values()
        path = link.split("localhost", 1)[1]
        with firm_context(app, firms.a.firm) as s:
            (row,) = s.scalars(select(AuthToken)).all()
            assert row.created_at == sent_at and row.expires_at == sent_at + timedelta(hours=hours)
        # Past the request's lifetime but within the link's: it works.
        traveller.move_to(start + timedelta(hours=hours, minutes=5))
        assert c.get(path).status_code == 200
        # Past the link's own lifetime: refused.
        traveller.move_to(sent_at + timedelta(hours=hours, seconds=1))
        resp = c.get(path)
        assert resp.status_code == 404 and b"expired" in resp.data
        # Within it, it sets the password once.
        traveller.move_to(sent_at + timedelta(hours=hours) - timedelta(minutes=1))
        resp = c.post(path, data={"password": "a-brand-new-secret", "confirm": "a-brand-new-secret"})
        assert resp.status_code == 302 and resp.headers["Location"] == "/admin/"
        again = client_for(firms.a.firm)
        assert again.get(path).status_code == 404
        resp = again.post(path, data={"password": "another-new-secret", "confirm": "another-new-secret"})
        assert resp.status_code == 404


def test_sending_again_makes_a_new_link_and_the_old_one_stops_working(app, firms, client_for, run_jobs, smtp_sink):
    admin = _client(client_for, firms.a.firm, firms.a.admin)
    admin.post("/admin/staff/invite", data={"name": "Nina New", "email": RECRUITER_EMAIL, "role": "recruiter"})
    smtp_sink.reply = "550 no such mailbox"
    run_jobs()
    with firm_context(app, firms.a.firm) as s:
        (msg,) = s.scalars(select(Message)).all()
        assert msg.state == MessageState.FAILED
        # A link that never left makes no token.
        assert s.scalar(select(func.count()).select_from(AuthToken)) == 0
        nina = s.scalar(select(User).where(User.email == RECRUITER_EMAIL))
    smtp_sink.reply = None
    smtp_sink.reset()

    def send_again() -> tuple[str, str]:
        assert admin.post(f"/recruiter/messages/{msg.id}/resend").status_code == 302
        assert run_jobs() == 1
        ((link, token),) = _mailed_links(smtp_sink).values()
        smtp_sink.reset()
        return link.split("localhost", 1)[1], token

    first, first_token = send_again()
    anonymous = client_for(firms.a.firm)
    assert anonymous.get(first).status_code == 200
    # The same message once more (as if it had bounced after all and was sent again).
    with firm_context(app, firms.a.firm) as s:
        s.get(Message, msg.id).state = MessageState.FAILED
    second, second_token = send_again()
    assert second_token != first_token
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    # A new invitation from the staff page: a new message, a new link; the earlier one stops.
    assert admin.post(f"/admin/staff/{nina.id}/resend").status_code == 302
    run_jobs()
    ((third, _),) = _mailed_links(smtp_sink).values()
    third = third.split("localhost", 1)[1]
    assert anonymous.get(second).status_code == 404
    resp = anonymous.post(third, data={"password": "nina-password", "confirm": "nina-password"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/recruiter/"


def test_a_credential_email_to_a_deactivated_account_is_not_sent(app, firms, client_for, run_jobs, smtp_sink):
    from portal.services import accounts

    admin = _client(client_for, firms.a.firm, firms.a.admin)
    admin.post("/admin/staff/invite", data={"name": "Nina New", "email": RECRUITER_EMAIL, "role": "recruiter"})
    with firm_context(app, firms.a.firm) as s:
        accounts.deactivate(s.scalar(select(User).where(User.email == RECRUITER_EMAIL)))
    run_jobs()
    assert smtp_sink.messages == []
    with firm_context(app, firms.a.firm) as s:
        (msg,) = s.scalars(select(Message)).all()
        assert msg.state == MessageState.SKIPPED and "deactivated" in msg.last_error
        assert s.scalar(select(func.count()).select_from(AuthToken)) == 0


def test_a_credential_email_is_never_held_or_merged(app, firms):
    from portal import outbox
    from portal.models import Audience, Firm

    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        user = s.get(User, firms.a.recruiter.id)
        for extra in ({"grace": True}, {"coalesce_key": "candidacy:1"}, {"stream": "nurture"}):
            with pytest.raises(ValueError):
                outbox.record(
                    firm,
                    kind="password_reset",
                    dedupe_key="x",
                    audience=Audience.RECRUITER,
                    to_email=user.email,
                    recipient_user_id=user.id,
                    credential="reset",
                    context={"user": user, "hours": 2, "link": CREDENTIAL_LINK},
                    **extra,
                )
        # A template that would print the link somewhere the phrase is not: refused too.
        with pytest.raises(ValueError):
            outbox.record(
                firm,
                kind="password_reset",
                dedupe_key="y",
                audience=Audience.RECRUITER,
                to_email=user.email,
                recipient_user_id=user.id,
                credential="reset",
                context={"user": user, "hours": 2, "link": "http://alpha.localhost/reset/abc"},
            )


def test_the_mail_catcher_is_not_served_in_production(make_app, app):
    """/dev/mail shows every caught email (the addressees' mailbox, in development only)."""
    assert any(r.rule.startswith("/dev/") for r in app.url_map.iter_rules())  # testing: present
    prod = make_app(
        {
            **app.config,
            "PORTAL_ENV": "production",
            "TESTING": False,
            "SECRET_KEY": "a-long-production-secret-key-for-this-test",
        }
    )
    assert not [r.rule for r in prod.url_map.iter_rules() if r.rule.startswith("/dev")]


# ------------------------------------------------------------------ the upgrade


def _insert(conn, table_name: str, **values) -> int:
    """A row in a table as the database has it now (reflected), with made-up values for
    the other required columns."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    row = dict(values)
    for col in table.columns:
        if col.name in row or col.nullable or col.primary_key or col.server_default is not None:
            continue
        py = col.type.python_type if not isinstance(col.type, sa.types.NullType) else str
        row[col.name] = {str: "x", int: 0, bool: False, bytes: b""}.get(py, utcnow())
    result = conn.execute(table.insert().values(**row))
    return result.inserted_primary_key[0]


def test_the_upgrade_removes_stored_links_and_spends_their_tokens(make_app, app, tmp_path):
    from tests.core.test_migrations import _targets

    ran = []
    for name, url, drop in _targets(tmp_path):
        try:
            _upgrade_with_a_stored_link(make_app, app, url)
        finally:
            if drop is not None:
                drop()
        ran.append(name)
    assert ran[0] == "sqlite"
    if os.environ.get("PORTAL_TEST_DATABASE_URL", "").startswith("postgresql"):
        assert ran == ["sqlite", "postgresql"]


def _upgrade_with_a_stored_link(make_app, app, url):
    from flask_migrate import upgrade

    other = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
    link = "http://alpha.localhost/invitation/AbC-123_xyz"
    with other.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execution_options(all_firms=True)  # reads or writes every firm's rows, explicitly
            firm_id = _insert(conn, "firms", slug="alpha", name="Alpha Search")
            user_id = _insert(conn, "users", firm_id=firm_id, email="n@alpha.example", name="N", role="recruiter")
            token_id = _insert(
                conn,
                "auth_tokens",
                firm_id=firm_id,
                user_id=user_id,
                purpose="invitation",
                token_hash="h" * 64,
                expires_at=utcnow() + timedelta(days=3),
            )
            invitation = _insert(
                conn,
                "messages",
                firm_id=firm_id,
                kind="invitation",
                audience="recruiter",
                recipient_user_id=user_id,
                subject="Welcome",
                dedupe_key="a",
                body_text=f"Choose a password:\n{link}\n",
                body_html=f'<p><a href="{link}">Choose your password</a></p>',
            )
            other_kind = _insert(
                conn,
                "messages",
                firm_id=firm_id,
                kind="stage_changed",
                audience="recruiter",
                subject="News",
                dedupe_key="b",
                body_text="See /reset/ later",
                body_html="<p>x</p>",
            )
        upgrade()
        with db.engine.connect() as conn:
            conn.execution_options(all_firms=True)  # reads or writes every firm's rows, explicitly
            messages = sa.Table("messages", sa.MetaData(), autoload_with=conn)
            rows = {r.id: r for r in conn.execute(select(messages))}
            tokens = sa.Table("auth_tokens", sa.MetaData(), autoload_with=conn)
            spent = conn.execute(select(tokens.c.used_at).where(tokens.c.id == token_id)).scalar()
        db.session.remove()
        db.engine.dispose()
    assert rows[invitation].body_text == f"Choose a password:\n{CREDENTIAL_LINK}\n"
    assert rows[invitation].body_html == f'<p><a href="{escape(CREDENTIAL_LINK)}">Choose your password</a></p>'
    assert rows[invitation].credential == "invitation"
    assert rows[other_kind].body_text == "See /reset/ later" and rows[other_kind].credential is None
    assert spent is not None
