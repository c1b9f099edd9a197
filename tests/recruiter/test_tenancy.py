"""Another firm's search, candidate, CV, candidacy (and every other id) is a 404, for every
recruiter route that takes an id (the list comes from the URL map, so new routes are covered)."""

import io
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    CandidateUpdate,
    ConversationMessage,
    Debrief,
    HeldMail,
    Interest,
    Interview,
    InterviewFormat,
    InterviewKind,
    Message,
    MessageState,
    Search,
    Stage,
    UpdateKind,
    utcnow,
)
from tests.factories import firm_context
from tests.support import conversations as conv
from tests.support.interviews import make_office_hours
from tests.support.recruiter import add, make_search

PDF = b"%PDF-1.4\n%%EOF\n"


def _objects(app, f, rec_client=None):
    s = make_search(app, f, title=f"{f.firm.slug} role")
    cy = add(app, f, s, f.candidate, Stage.CONTACTED)
    with firm_context(app, f.firm):
        i = Interest(firm_id=f.firm.id, candidate_id=f.candidate.id, search_id=s.id)
        u = CandidateUpdate(firm_id=f.firm.id, candidate_id=f.candidate.id, kind=UpdateKind.UPDATE, body="b")
        db.session.add_all([i, u])
        m = db.session.scalar(select(Message).where(Message.candidacy_id == cy.id))
        m.state = MessageState.FAILED
        # A held interview of the candidacy and the candidate's debrief (the follow-up routes).
        iv = Interview(
            firm_id=f.firm.id,
            candidacy_id=cy.id,
            candidate_id=f.candidate.id,
            kind=InterviewKind.CLIENT,
            format=InterviewFormat.VIDEO,
            starts_at=utcnow() - timedelta(days=2),
        )
        db.session.add(iv)
        db.session.flush()
        d = Debrief(firm_id=f.firm.id, interview_id=iv.id, candidate_id=f.candidate.id, how_it_went="ok", interest=3)
        db.session.add(d)
        h = HeldMail(firm_id=f.firm.id, reason="wrong_sender", subject="Re: news", body="Hi", mail_from="x@y.example")
        db.session.add(h)
        db.session.flush()
        ids = {
            "search_id": s.id,
            "candidate_id": f.candidate.id,
            "candidacy_id": cy.id,
            "interest_id": i.id,
            "update_id": u.id,
            "message_id": m.id,
            "client_id": s.client_id,
            "interview_id": iv.id,
            "debrief_id": d.id,
            "held_id": h.id,
        }
    ids["office_hours_id"] = make_office_hours(app, f)
    post = conv.write(app, f.firm, f.candidate, "A question", files=[("a.pdf", "application/pdf", PDF)])
    ids["post_id"], ids["attachment_id"] = post.id, post.attachments[0].id
    return ids


def _recruiter_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("recruiter.") and rule.arguments:
            yield rule


def test_every_id_route_answers_404_for_another_firms_ids(app, rec, client_for):
    from tests.support.fixtures.clients import login_as

    b_ids = _objects(app, rec.firms.b)
    a_ids = _objects(app, rec.f)
    # Firm B's recruiter uploads a CV, so "another firm's CV" exists.
    b_client = client_for(rec.firms.b.firm)
    login_as(b_client, rec.firms.b.recruiter)
    assert (
        b_client.post(
            f"/recruiter/candidates/{b_ids['candidate_id']}/cv/upload",
            data={"cv": (io.BytesIO(PDF), "cv.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 303
    )
    assert b_client.get(f"/recruiter/candidates/{b_ids['candidate_id']}/cv").status_code == 200
    checked = 0
    for rule in _recruiter_routes(app):
        unknown = set(rule.arguments) - set(b_ids)
        assert not unknown, f"{rule.rule}: add its argument to this test"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", str(b_ids[arg]))
            data = {
                "version": 1,
                "stage": "screening",
                "reason": "not_a_fit",
                "body": "x",
                "change_id": 1,
                "candidate_id": b_ids["candidate_id"],
                "search_id": b_ids["search_id"],
                "name": "X",
                "job_seeking": "open",
                "state": "filled",
            }
            resp = rec.client.open(url, method=method, data=data if method == "POST" else None)
            assert resp.status_code == 404, (method, url, resp.status_code)
            checked += 1
    assert checked >= 20
    # Nothing of firm B changed.
    with firm_context(app, rec.firms.b.firm):
        assert db.session.get(Candidacy, b_ids["candidacy_id"]).stage == Stage.CONTACTED
        assert db.session.get(Search, b_ids["search_id"]).state.value == "open"
        assert db.session.get(Candidate, b_ids["candidate_id"]).cv_path is not None
        assert db.session.get(Interest, b_ids["interest_id"]).handled_at is None
        b_post = db.session.get(ConversationMessage, b_ids["post_id"])
        assert b_post.answered_at is None and b_post.no_reply_reason is None
        assert db.session.scalar(select(func.count()).select_from(ConversationMessage)) == 1  # no reply written
    # Sanity: the same routes work with firm A's own ids (GET pages).
    for rule in _recruiter_routes(app):
        if "GET" in rule.methods:
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", str(a_ids[arg]))
            assert rec.client.get(url).status_code in (200, 303), url  # /cv: no CV yet, back to the profile


def test_adding_another_firms_candidate_to_my_search_is_a_404(app, rec):
    a_search = make_search(app, rec.f)
    resp = rec.client.post(
        f"/recruiter/searches/{a_search.id}/candidates",
        data={"candidate_id": rec.firms.b.candidate.id, "stage": "identified"},
    )
    assert resp.status_code == 404
    b_search = make_search(app, rec.firms.b)
    resp = rec.client.post(
        f"/recruiter/candidates/{rec.f.candidate.id}/searches", data={"search_id": b_search.id, "stage": "identified"}
    )
    assert resp.status_code in (303, 404)
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(Candidacy.id)) is None


def test_lists_show_only_this_firm(app, rec):
    make_search(app, rec.firms.b, title="Beta Secret Role")
    other = rec.firms.b.candidate
    for url in (
        "/recruiter/searches?state=all",
        "/recruiter/candidates",
        "/recruiter/?scope=firm",
        f"/recruiter/searches/{make_search(app, rec.f).id}/add?q=Candidate",
    ):
        html = rec.client.get(url).get_data(as_text=True)
        assert "Beta Secret Role" not in html and other.email not in html and f">{other.name}<" not in html, url
