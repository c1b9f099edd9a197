"""Who may open what: candidates only, and only their own rows (another's id is a 404)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import Stage, utcnow
from portal.models.interview import InterviewKind
from tests.factories import make_candidate
from tests.support import candidate as h
from tests.support import conversations as conv
from tests.support.fixtures.clients import login_as
from tests.support.interview_services import schedule as schedule_interview
from tests.support.interviews import make_interview, make_interview_at


def _candidate_rules(app):
    """The signed-in candidate's routes: all but the public pages reached from an email (the
    unsubscribe, tests/candidate/test_preferences.py; the survey, tests/surveys/test_page.py:
    each looks its token up in the request's firm only, so another firm's is a 404)."""
    from portal.candidate.blueprint import PUBLIC_ENDPOINTS

    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("candidate.") and r.endpoint not in PUBLIC_ENDPOINTS
    ]


def _path(rule, value=999999):
    return re.sub(r"<(?:int:)?(\w+)>", str(value), rule.rule)


def test_every_candidate_route_needs_a_candidate_login(app, firms, client_for):
    anon = client_for(firms.a.firm)
    staff = client_for(firms.a.firm)
    login_as(staff, firms.a.recruiter)
    for rule in _candidate_rules(app):
        method = "get" if "GET" in rule.methods else "post"
        resp = getattr(anon, method)(_path(rule))
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], rule.rule
        assert getattr(staff, method)(_path(rule)).status_code == 403, rule.rule


def test_a_candidate_login_does_not_work_on_another_firms_host(app, firms, client_for, cand_client, auth):
    # The session cookie is per host; even so, firm B's host must not know firm A's user.
    c = client_for(firms.b.firm)
    resp = auth(c).login(firms.a.candidate.email, "correct-horse-battery")
    assert resp.status_code == 400


def _saved_search(app, firm, candidate) -> int:
    from portal.models import Candidate, Firm
    from portal.services import job_alerts
    from tests.factories import firm_context

    with firm_context(app, firm) as s:
        return job_alerts.save_for_candidate(s.get(Firm, firm.id), s.get(Candidate, candidate.id), "", "", "").id


@pytest.fixture
def others(app, firms):
    """Rows of another candidate of firm A and of firm B's candidate, one of each kind."""
    out = {}
    for key, f, cand in (
        ("same", firms.a, make_candidate(app, firms.a.firm, name="Other Person")),
        ("other_firm", firms.b, firms.b.candidate),
    ):
        s = h.make_search(app, f, title=f"Secret role {key}")
        cy = h.add(app, f, s, cand, Stage.SCREENING)
        consent = h.request_consent(app, f, cy.id)
        fb = h.feedback(app, f, cy.id, md=f"FEEDBACK-{key}-PRIVATE")
        msg = h.message(app, f, cand, subject=f"MESSAGE-{key}-PRIVATE")
        soon = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=5)
        scheduled = schedule_interview(app, f, cy.id, at=soon)
        alert = _saved_search(app, f.firm, cand)
        booking = make_interview_at(
            app, f, utcnow() + timedelta(days=2), candidate_id=cand.id, kind=InterviewKind.OFFICE_HOURS
        )
        iv = make_interview(app, f, cy, utcnow() - timedelta(days=1))
        post = conv.write(app, f.firm, cand, f"POST-{key}-PRIVATE", files=[("a.png", "image/png", conv.PNG_BYTES)])
        out[key] = dict(
            attachment=post.attachments[0].id,
            search=s,
            candidacy=cy,
            consent=consent,
            feedback=fb,
            message=msg,
            candidate=cand,
            booking=booking,
            interview=iv,
            alert=alert,
            scheduled=scheduled,
        )
    return out


@pytest.mark.parametrize("key", ["same", "other_firm"])
def test_foreign_ids_are_404(app, firms, cand_client, others, key):
    o = others[key]
    assert cand_client.get(f"/me/searches/{o['candidacy'].id}").status_code == 404
    assert cand_client.get(f"/me/consents/{o['consent'].id}").status_code == 404
    assert cand_client.post(f"/me/consents/{o['consent'].id}", data={"approve": "y"}).status_code == 404
    assert cand_client.get(f"/me/messages/{o['message'].id}").status_code == 404
    assert cand_client.get(f"/me/messages/files/{o['attachment']}").status_code == 404
    # Writing about another's search is a 404; replying to another's message is not threaded to it.
    assert cand_client.post("/me/messages", data={"body": "Hi", "candidacy_id": o["candidacy"].id}).status_code == 404
    page = cand_client.get(f"/me/messages?reply_to={o['message'].id}").get_data(as_text=True)
    assert "PRIVATE" not in page
    assert cand_client.post(f"/me/office-hours/bookings/{o['booking']}/cancel").status_code == 404
    debrief = f"/me/interviews/{o['interview'].id}/debrief"
    assert cand_client.get(debrief).status_code == 404
    assert cand_client.post(debrief, data={"how_it_went": "x", "interest": "3"}).status_code == 404
    assert cand_client.post(f"/me/alerts/{o['alert']}/delete").status_code == 404
    for path in ("", "/invite.ics"):
        assert cand_client.get(f"/me/interviews/{o['scheduled']}{path}").status_code == 404
    for action in ("pick", "none-suits", "reschedule", "decline"):
        data = {"slot": "1", "sequence": "0", "reason": "r", "decline_reason": "r", "availability": "a"}
        assert cand_client.post(f"/me/interviews/{o['scheduled']}/{action}", data=data).status_code == 404
    if key == "other_firm":
        # Firm A's candidate can mark interest in firm A's roles only.
        assert cand_client.post(f"/me/roles/{o['search'].id}/interest").status_code == 404
        assert cand_client.get(f"/me/roles/{o['search'].id}").status_code == 404
        assert (
            cand_client.post(
                "/me/keep-in-touch/referral",
                data={"name": "Friend", "email": "friend@example.com", "search_id": o["search"].id},
            ).status_code
            == 400
        )


def test_every_id_route_is_covered_by_a_foreign_id_check(app):
    """A new id-taking route must be added to test_foreign_ids_are_404."""
    covered = {
        "candidate.candidacy",
        "candidate.consent",
        "candidate.message",
        "candidate.message_file",
        "candidate.express_interest",
        "candidate.role",
        "candidate.office_hours_cancel",
        "candidate.interview_debrief",
        "candidate.delete_alert",
        "candidate.interview",
        "candidate.interview_ics",
        "candidate.interview_pick",
        "candidate.interview_none_suits",
        "candidate.interview_reschedule",
        "candidate.interview_decline",
    }
    with_ids = {r.endpoint for r in _candidate_rules(app) if "<" in r.rule}
    assert with_ids <= covered, with_ids - covered


def test_lists_show_only_own_rows(app, firms, cand_client, others):
    mine = h.make_search(app, firms.a, title="My own role")
    cy = h.add(app, firms.a, mine, firms.a.candidate, Stage.SCREENING)
    h.feedback(app, firms.a, cy.id, md="MY-FEEDBACK")
    h.request_consent(app, firms.a, cy.id)
    h.message(app, firms.a, firms.a.candidate, subject="MY-MESSAGE")
    pages = {
        p: cand_client.get(p).get_data(as_text=True)
        for p in ("/me/", "/me/feedback", "/me/consents", "/me/messages", "/me/settings/my-data.json")
    }
    assert "MY-FEEDBACK" in pages["/me/feedback"]
    assert "MY-MESSAGE" in pages["/me/messages"]
    assert "My own role" in pages["/me/consents"]
    for path, html in pages.items():
        for key in ("same", "other_firm"):
            assert f"FEEDBACK-{key}-PRIVATE" not in html, path
            assert f"MESSAGE-{key}-PRIVATE" not in html, path
            assert f"Secret role {key}" not in html, path


def test_cv_download_is_only_ever_ones_own(app, firms, cand_client, client_for):
    from io import BytesIO

    assert cand_client.get("/me/profile/cv").status_code == 404  # none yet
    other = make_candidate(app, firms.a.firm, name="Cv Owner")
    c2 = client_for(firms.a.firm)
    login_as(c2, other.login)
    c2.post("/me/profile/cv", data={"cv": (BytesIO(h.PDF_BYTES), "other.pdf")}, content_type="multipart/form-data")
    assert c2.get("/me/profile/cv").status_code == 200
    assert cand_client.get("/me/profile/cv").status_code == 404
