"""Sharing a job (issue 18, item 7) and joining the talent pool without a role (item 5).

A signed-in candidate sees "Share this job" with a personal link on an advertised role; an
application through it is an Application of source "referral" naming them, a referral
CandidateUpdate as the portal's referral feature writes one, and "referred by <name>" on the
recruiter's needs-attention and candidacy page. Joining the pool gives a candidate with the
skills (normalised) and preferences given, no candidacy, an Application with no search."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationSource,
    Candidacy,
    Candidate,
    CandidateUpdate,
    RemotePreference,
    Search,
    UpdateKind,
)
from portal.services import referrals, skills
from tests.careers.helpers import advertised, form, post_apply
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as


def _match(app, f, search):
    with firm_context(app, f.firm):
        skills.set_candidate_skills(f.firm, db.session.get(Candidate, f.candidate.id), ["Python", "Go"])
        skills.set_search_skills(f.firm, db.session.get(Search, search.id), ["Python", "Go"], [])


def test_a_candidate_shares_a_job_and_the_application_is_recorded_as_referred(app, firms, client_for):
    f = firms.a
    search = advertised(app, f, title="Go Engineer")
    _match(app, f, search)
    me = client_for(f.firm)
    login_as(me, f.candidate_user)
    page = me.get(f"/me/roles/{search.id}").get_data(as_text=True)
    assert "Share this job" in page
    with firm_context(app, f.firm):
        token = referrals.token_for(db.session.get(Candidate, f.candidate.id))
    link = f"http://alpha.localhost/careers/jobs/{search.id}?ref={token}"
    assert f'value="{link}"' in page
    assert token not in referrals.token_for.__doc__  # (a per-candidate HMAC, not a stored secret)

    # The shared job page sets no cookie and its "Apply" carries the referral on.
    visitor = client_for(f.firm)
    job_page = visitor.get(f"/careers/jobs/{search.id}?ref={token}")
    assert "Set-Cookie" not in job_page.headers
    assert f'href="/careers/jobs/{search.id}/apply?ref={token}"' in job_page.get_data(as_text=True)
    form_page = visitor.get(f"/careers/jobs/{search.id}/apply?ref={token}")
    assert "Set-Cookie" not in form_page.headers or "ref=" not in form_page.headers["Set-Cookie"]
    assert f'value="{token}"' in form_page.get_data(as_text=True)
    resp = post_apply(visitor, search.id, form(email="friend@example.com", name="Fay Friend", ref=token))
    assert resp.status_code == 303
    with firm_context(app, f.firm) as s:
        row = s.scalar(
            select(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Candidate.email == "friend@example.com")
        )
        assert row.source == ApplicationSource.REFERRAL and row.referred_by_candidate_id == f.candidate.id
        update = s.scalar(select(CandidateUpdate).where(CandidateUpdate.candidate_id == f.candidate.id))
        assert update.kind == UpdateKind.REFERRAL and update.referral_email == "friend@example.com"
        assert update.search_id == search.id
        cy = s.scalar(select(Candidacy).where(Candidacy.candidate_id == row.candidate_id))
        referrer_name = s.get(Candidate, f.candidate.id).name
    rec = client_for(f.firm)
    login_as(rec, f.recruiter)
    dash = rec.get("/recruiter/").get_data(as_text=True)
    assert "New applications" in dash and "Fay Friend" in dash and f"Referred by {referrer_name}" in dash
    assert "Referral" in dash  # the referral update, as the portal's referral feature shows it
    detail = rec.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert f"referred by {referrer_name}" in detail


def test_a_forged_or_other_firms_token_is_ignored(app, firms, client_for):
    search = advertised(app, firms.a)
    with firm_context(app, firms.b.firm):
        theirs = referrals.token_for(db.session.get(Candidate, firms.b.candidate.id))
    with firm_context(app, firms.a.firm):
        mine = referrals.token_for(db.session.get(Candidate, firms.a.candidate.id))
    forged = mine[:-1] + ("0" if mine[-1] != "0" else "1")
    c = client_for(firms.a.firm)
    for n, token in enumerate((theirs, forged, "abc", "1-" + "0" * 32)):
        assert post_apply(c, search.id, form(email=f"x{n}@example.com", ref=token)).status_code == 303
    with firm_context(app, firms.a.firm) as s:
        assert {a.source for a in s.scalars(select(Application))} == {ApplicationSource.CAREERS}


def test_no_share_link_on_an_unadvertised_role(app, firms, client_for):
    f = firms.a
    from tests.support.recruiter import make_search

    search = make_search(app, f, title="Quiet role")
    _match(app, f, search)
    me = client_for(f.firm)
    login_as(me, f.candidate_user)
    page = me.get(f"/me/roles/{search.id}")
    assert page.status_code == 200 and "Share this job" not in page.get_data(as_text=True)


def test_joining_the_pool_without_a_role(app, firms, client_for, run_jobs, smtp_sink):
    f = firms.a
    with firm_context(app, f.firm):
        skills.resolve(f.firm, ["JavaScript"])
    c = client_for(f.firm)
    assert "Join" in c.get("/careers/join").get_data(as_text=True)
    data = form(
        email="pool@example.com",
        name="Pat Pool",
        skills="javascript, Kubernetes, kubernetes",
        desired_roles="Platform engineer",
        desired_locations="Berlin, remote",
        remote="remote",
        cv=None,
    )
    resp = c.post("/careers/join", data=data, content_type="multipart/form-data")
    assert resp.status_code == 303 and resp.headers["Location"] == "/careers/joined"
    assert "talent pool" in c.get("/careers/joined").get_data(as_text=True)
    with firm_context(app, f.firm) as s:
        person = s.scalar(select(Candidate).where(Candidate.email == "pool@example.com"))
        assert sorted(cs.skill.name for cs in person.skills) == ["JavaScript", "Kubernetes"]
        assert person.desired_roles == "Platform engineer" and person.remote_preference == RemotePreference.REMOTE
        assert s.scalar(select(Candidacy).where(Candidacy.candidate_id == person.id)) is None
        row = s.scalar(select(Application).where(Application.candidate_id == person.id))
        assert row.search_id is None
    run_jobs()
    assert any(m.rcpt_tos == ["pool@example.com"] for m in smtp_sink.messages)
    # Joining again adds nothing twice.
    again = c.post("/careers/join", data=form(email="pool@example.com", cv=None), content_type="multipart/form-data")
    assert again.status_code == 303
    with firm_context(app, f.firm) as s:
        assert len(s.scalars(select(Application).where(Application.search_id.is_(None))).all()) == 1


def test_joining_with_hostile_input_is_a_form_error(app, firms, client_for):
    c = client_for(firms.a.firm)
    for bad in (
        {"skills": "<script>x</script>"},
        {"skills": "a" * 20000},
        {"remote": "moon"},
        {"desired_roles": "r" * 20000},
    ):
        resp = c.post("/careers/join", data=form(cv=None, **bad), content_type="multipart/form-data")
        assert resp.status_code == 400, bad
