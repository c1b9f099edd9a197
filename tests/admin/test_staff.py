"""Recruiters: invite, change role, deactivate with hand-over (sessions end at once), reactivate."""

import re

import pytest
from sqlalchemy import select

from portal.models import Candidate, Message, Role, Search, User
from portal.services import DomainError, staff
from tests.factories import PASSWORD, firm_context, make_candidate, make_user
from tests.support.admin import admin_client, audit_entries, make_search
from tests.support.fixtures.clients import login_as


def get_user(app, firm, user_id) -> User:
    with firm_context(app, firm) as s:
        return s.get(User, user_id)


def test_staff_list_shows_only_this_firms_staff(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    body = c.get("/admin/staff").get_data(as_text=True)
    assert firms.a.admin.email in body and firms.a.recruiter.email in body
    assert firms.a.candidate_user.email not in body
    assert "beta" not in body


def test_invite_a_recruiter_sends_an_invitation(app, firms, client_for, run_jobs, smtp_sink):
    c = admin_client(client_for, firms.a)
    assert c.get("/admin/staff/invite").status_code == 200
    resp = c.post("/admin/staff/invite", data={"name": "Nina New", "email": "Nina@Alpha.example", "role": "recruiter"})
    assert resp.status_code == 302
    with firm_context(app, firms.a.firm) as s:
        user = s.scalar(select(User).where(User.email == "nina@alpha.example"))
        assert user.role == Role.RECRUITER and user.password_hash is None and user.active
        msg = s.scalar(select(Message).where(Message.recipient_user_id == user.id))
        assert msg.kind == "invitation"
    run_jobs()
    [mail] = smtp_sink.wait_for(1)
    link = re.search(
        r"http://alpha\.localhost/invitation/[\w-]+", mail.email.get_body(preferencelist=("plain",)).get_content()
    ).group(0)
    # The invitation works: choose a password, land in the recruiter backend.
    invited = client_for(firms.a.firm)
    path = link.removeprefix("http://alpha.localhost")
    resp = invited.post(path, data={"password": "a-good-password", "confirm": "a-good-password"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/recruiter/")
    [entry] = audit_entries(app, firms.a.firm)
    assert (entry.action, entry.target, entry.actor_id) == ("staff.invited", "nina@alpha.example", firms.a.admin.id)
    # The new recruiter is listed as invited until then; a resend makes a new link.
    assert "Invited" not in c.get("/admin/staff").get_data(as_text=True)


def test_invite_refuses_an_existing_address_and_bad_input(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/staff/invite", data={"name": "Again", "email": firms.a.recruiter.email, "role": "recruiter"})
    assert resp.status_code == 400 and "already has an account here" in resp.get_data(as_text=True)
    for data in (
        {"name": "x" * 20_000, "email": "a@alpha.example", "role": "recruiter"},
        {"name": "A", "email": "x" * 20_000, "role": "recruiter"},
        {"name": "A", "email": "a@alpha.example", "role": "candidate"},
        {"name": "A", "email": "a@alpha.example", "role": "x" * 20_000},
        {"name": "A", "email": "not-an-email", "role": "recruiter"},
    ):
        resp = c.post("/admin/staff/invite", data=data)
        assert resp.status_code == 400, data
    with firm_context(app, firms.a.firm) as s:
        assert s.scalar(select(User).where(User.email == "a@alpha.example")) is None


def test_resend_invitation(app, firms, client_for, run_jobs, smtp_sink):
    c = admin_client(client_for, firms.a)
    c.post("/admin/staff/invite", data={"name": "Nina New", "email": "nina@alpha.example", "role": "recruiter"})
    with firm_context(app, firms.a.firm) as s:
        nina = s.scalar(select(User).where(User.email == "nina@alpha.example"))
    assert "Invited" in c.get("/admin/staff").get_data(as_text=True)
    assert c.post(f"/admin/staff/{nina.id}/resend").status_code == 302
    run_jobs()
    assert len(smtp_sink.wait_for(2)) == 2
    resp = c.post(f"/admin/staff/{firms.a.recruiter.id}/resend", follow_redirects=True)
    assert "has already chosen a password" in resp.get_data(as_text=True)


def test_change_role(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.get(f"/admin/staff/{firms.a.recruiter.id}").status_code == 200
    assert c.post(f"/admin/staff/{firms.a.recruiter.id}", data={"role": "admin"}).status_code == 302
    assert get_user(app, firms.a.firm, firms.a.recruiter.id).role == Role.ADMIN
    rec = client_for(firms.a.firm)
    login_as(rec, firms.a.recruiter)
    assert rec.get("/admin/").status_code == 200  # the new role applies on the next request
    assert c.post(f"/admin/staff/{firms.a.recruiter.id}", data={"role": "recruiter"}).status_code == 302
    assert rec.get("/admin/").status_code == 403
    [e1, e2] = audit_entries(app, firms.a.firm)
    assert e1.details == {"changes": {"role": {"old": "recruiter", "new": "admin"}}}
    assert e2.details == {"changes": {"role": {"old": "admin", "new": "recruiter"}}}
    assert c.post(f"/admin/staff/{firms.a.recruiter.id}", data={"role": "candidate"}).status_code == 400


def test_the_last_admin_cannot_demote_themselves(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post(f"/admin/staff/{firms.a.admin.id}", data={"role": "recruiter"})
    assert resp.status_code == 400
    assert "at least one active admin" in resp.get_data(as_text=True)
    assert get_user(app, firms.a.firm, firms.a.admin.id).role == Role.ADMIN
    # With a second admin it is allowed, and the former admin lands in the recruiter backend.
    make_user(app, firms.a.firm, Role.ADMIN, email="second@alpha.example")
    resp = c.post(f"/admin/staff/{firms.a.admin.id}", data={"role": "recruiter"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/recruiter/")
    assert c.get("/admin/").status_code == 403


def test_an_inactive_admin_does_not_count(app, firms, client_for):
    other = make_user(app, firms.a.firm, Role.ADMIN, email="gone@alpha.example", active=False)
    c = admin_client(client_for, firms.a)
    assert c.post(f"/admin/staff/{firms.a.admin.id}", data={"role": "recruiter"}).status_code == 400
    assert get_user(app, firms.a.firm, other.id).role == Role.ADMIN


def test_deactivate_ends_sessions_and_hands_work_over(app, firms, client_for, auth):
    a = firms.a
    other = make_user(app, a.firm, Role.RECRUITER, email="other@alpha.example", name="Olga Other")
    search = make_search(app, a.firm, a.recruiter)
    extra = make_candidate(app, a.firm, owner=a.recruiter, with_login=False)
    b_search = make_search(app, firms.b.firm, firms.b.recruiter)
    # The recruiter is signed in (also with a remember-me cookie on another device).
    rec = client_for(a.firm)
    login_as(rec, a.recruiter)
    remembered = client_for(a.firm)
    login_as(remembered, a.recruiter, remember=True)
    assert rec.get("/recruiter/").status_code == 200
    c = admin_client(client_for, a)
    page = c.get(f"/admin/staff/{a.recruiter.id}/deactivate").get_data(as_text=True)
    assert "Olga Other" in page and "1 search and 2 candidates" in page
    assert firms.b.recruiter.email not in page
    resp = c.post(f"/admin/staff/{a.recruiter.id}/deactivate", data={"reassign_to": other.id})
    assert resp.status_code == 302
    # The open sessions are refused on their next request.
    resp = rec.get("/recruiter/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    remembered.delete_cookie("session", domain="alpha.localhost")
    resp = remembered.get("/recruiter/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    # Nor can they sign in again.
    resp = auth(client_for(a.firm)).login(a.recruiter.email, PASSWORD)
    assert resp.status_code == 400
    with firm_context(app, a.firm) as s:
        assert s.get(Search, search.id).owner_id == other.id
        assert s.get(Candidate, extra.id).owner_id == other.id
        assert s.get(Candidate, a.candidate.id).owner_id == other.id
        assert not s.get(User, a.recruiter.id).active
    with firm_context(app, firms.b.firm) as s:
        assert s.get(Search, b_search.id).owner_id == firms.b.recruiter.id
    [entry] = audit_entries(app, a.firm)
    assert entry.action == "staff.deactivated"
    assert entry.details == {"reassigned_to": "other@alpha.example", "searches": 1, "candidates": 2}
    listing = c.get("/admin/staff").get_data(as_text=True)
    assert "Deactivated" in listing


def test_deactivate_needs_an_active_colleague_of_the_same_firm(app, firms, client_for):
    a = firms.a
    gone = make_user(app, a.firm, Role.RECRUITER, email="gone@alpha.example", active=False)
    c = admin_client(client_for, a)
    for target in (firms.b.recruiter.id, firms.b.admin.id, gone.id, a.candidate_user.id, a.recruiter.id, 0):
        resp = c.post(f"/admin/staff/{a.recruiter.id}/deactivate", data={"reassign_to": target})
        assert resp.status_code == 400, target
    assert get_user(app, a.firm, a.recruiter.id).active
    with firm_context(app, a.firm):
        with pytest.raises(DomainError, match="active recruiter of this firm"):
            staff.deactivate(a.firm, a.admin, a.recruiter.id, firms.b.recruiter.id)
        with pytest.raises(DomainError, match="choose who takes them over"):
            staff.deactivate(a.firm, a.admin, a.recruiter.id, None)
    with firm_context(app, firms.b.firm) as s:
        assert s.get(User, firms.b.recruiter.id).active


def test_someone_who_owns_nothing_can_be_deactivated_without_hand_over(app, firms, client_for):
    idle = make_user(app, firms.a.firm, Role.RECRUITER, email="idle@alpha.example")
    c = admin_client(client_for, firms.a)
    assert "Nobody" in c.get(f"/admin/staff/{idle.id}/deactivate").get_data(as_text=True)
    assert c.post(f"/admin/staff/{idle.id}/deactivate", data={"reassign_to": 0}).status_code == 302
    assert not get_user(app, firms.a.firm, idle.id).active


def test_admins_cannot_deactivate_themselves(app, firms, client_for):
    make_user(app, firms.a.firm, Role.ADMIN, email="second@alpha.example")
    c = admin_client(client_for, firms.a)
    resp = c.post(f"/admin/staff/{firms.a.admin.id}/deactivate", data={"reassign_to": firms.a.recruiter.id})
    assert resp.status_code == 400 and "your own account" in resp.get_data(as_text=True)
    assert get_user(app, firms.a.firm, firms.a.admin.id).active


def test_reactivate(app, firms, client_for):
    idle = make_user(app, firms.a.firm, Role.RECRUITER, email="idle@alpha.example")
    c = admin_client(client_for, firms.a)
    c.post(f"/admin/staff/{idle.id}/deactivate", data={"reassign_to": 0})
    assert c.post(f"/admin/staff/{idle.id}/reactivate").status_code == 302
    assert get_user(app, firms.a.firm, idle.id).active
    login_as(client_for(firms.a.firm), idle)
    assert [e.action for e in audit_entries(app, firms.a.firm)] == ["staff.deactivated", "staff.reactivated"]
    resp = c.post(f"/admin/staff/{idle.id}/reactivate", follow_redirects=True)
    assert "already active" in resp.get_data(as_text=True)


def _staff_page_queries(count_queries, client) -> int:
    with count_queries() as n:
        assert client.get("/admin/staff").status_code == 200
    return n.count


def test_staff_list_query_count_does_not_grow(app, firms, client_for, count_queries):
    c = admin_client(client_for, firms.a)
    make_search(app, firms.a.firm, firms.a.recruiter)
    one = _staff_page_queries(count_queries, c)
    for i in range(50):
        u = make_user(app, firms.a.firm, Role.RECRUITER, email=f"r{i}@alpha.example")
        make_search(app, firms.a.firm, u, title=f"Role {i}")
    fifty = _staff_page_queries(count_queries, c)
    assert fifty == one
    assert c.get("/admin/staff").get_data(as_text=True).count('class="staff-name"') == 52
