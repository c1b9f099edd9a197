"""After the interview, on the recruiter's side: the candidacy page's block per held interview
(debrief, outcome, "Write feedback for this interview"), the feedback page, needs-attention
(most overdue first), the digest, the check-in wording, the board card, and bounded queries
(the same with 1 and 50 interviews)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    Debrief,
    Feedback,
    Firm,
    Interview,
    InterviewKind,
    InterviewOutcome,
    Message,
    Stage,
    utcnow,
)
from portal.services import cadence, cadence_digest
from tests.factories import firm_context, make_candidate
from tests.support.candidate import add, make_search
from tests.support.fixtures.clients import login_as
from tests.support.interviews import make_interview
from tests.support.recruiter import flashes


def _section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start : html.find("</section>", start)]


def test_outcome_and_feedback_for_one_interview(app, firms, rec, client_for):
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    iv = make_interview(app, f, cy, utcnow() - timedelta(days=1))
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    block = _section(page, "interviews-followup")
    assert "Write feedback for this interview" in block and "feedback due by" in block
    assert "No debrief from the candidate yet." in block
    resp = rec.client.post(f"/recruiter/interviews/{iv.id}/outcome", data={"outcome": "awaiting_client"})
    assert resp.status_code == 303 and "Outcome saved." in flashes(
        rec.client.get(resp.headers["Location"]).get_data(as_text=True)
    )
    bad = rec.client.post(f"/recruiter/interviews/{iv.id}/outcome", data={"outcome": "hired!"})
    assert bad.status_code == 303
    with firm_context(app, f.firm):
        assert db.session.get(Interview, iv.id).outcome == InterviewOutcome.AWAITING_CLIENT
    form = rec.client.get(f"/recruiter/interviews/{iv.id}/feedback")
    assert form.status_code == 200 and "Write feedback" in form.get_data(as_text=True)
    for body, words in (
        ("", "Write the feedback first."),
        ('<script>alert("x")</script>', "HTML"),
        ("x" * 20_000, "10000"),
    ):
        resp = rec.client.post(f"/recruiter/interviews/{iv.id}/feedback", data={"body": body})
        assert resp.status_code == 400 and words in resp.get_data(as_text=True), words
        assert "<script>alert" not in resp.get_data(as_text=True)
    resp = rec.client.post(
        f"/recruiter/interviews/{iv.id}/feedback", data={"body": "The client liked your **queue design**."}
    )
    assert resp.status_code == 303
    with firm_context(app, f.firm):
        fb = db.session.scalar(select(Feedback))
        assert fb.interview_id == iv.id and db.session.get(Interview, iv.id).feedback_at is not None
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "feedback written" in _section(page, "interviews-followup")
    assert "Feedback owed after an interview" not in rec.client.get("/recruiter/").get_data(as_text=True)
    # The candidate reads it on their search's page.
    c = client_for(f.firm)
    login_as(c, f.candidate_user)
    assert "queue design" in c.get(f"/me/searches/{cy.id}").get_data(as_text=True)


def test_an_interview_not_yet_held_has_no_feedback_page_action(app, firms, rec):
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    later = make_interview(app, f, cy, utcnow() + timedelta(days=1))
    resp = rec.client.post(f"/recruiter/interviews/{later.id}/feedback", data={"body": "Too early"})
    assert resp.status_code == 400 and "has not taken place yet" in resp.get_data(as_text=True)
    resp = rec.client.post(f"/recruiter/interviews/{later.id}/outcome", data={"outcome": "progressed"})
    assert "has not taken place yet" in flashes(rec.client.get(resp.headers["Location"]).get_data(as_text=True))


def _owed_world(app, f, ages_in_days):
    s = make_search(app, f, title="Platform Engineer")
    out = []
    for age in ages_in_days:
        person = make_candidate(app, f.firm, owner=f.recruiter, with_login=False, name=f"Person {age}d")
        cy = add(app, f, s, person, Stage.SCREENING)
        out.append(make_interview(app, f, cy, utcnow() - timedelta(days=age, hours=2)))
    return out


def test_needs_attention_most_overdue_first(app, firms, rec):
    f = rec.f
    _owed_world(app, f, [5, 0, 12, 8])
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    section = _section(html, "interview_feedback")
    names = re.findall(r"<strong>(Person \d+d)</strong>", section)
    assert names == ["Person 12d", "Person 8d", "Person 5d", "Person 0d"]
    assert "overdue" in section and "due " in section
    assert section.count("Write feedback") == 4


def test_digest_lists_interviews_owed_feedback_most_overdue_first(app, firms):
    f = firms.a
    _owed_world(app, f, [3, 9])
    with firm_context(app, f.firm):
        firm = db.session.get(Firm, f.firm.id)
        assert cadence_digest.plan_recruiter_digests(firm, utcnow()) >= 1
        body = db.session.scalar(
            select(Message.body_text).where(
                Message.kind == "recruiter_digest", Message.recipient_user_id == f.recruiter.id
            )
        )
    assert "Feedback owed after an interview" in body
    assert body.index("Person 9d") < body.index("Person 3d")
    assert "overdue" in body


def test_checkin_mentions_the_next_interview_in_the_candidates_zone(app, firms):
    f = firms.a
    with firm_context(app, f.firm):
        db.session.get(Candidate, f.candidate.id).timezone = "America/New_York"
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    starts = (utcnow() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    make_interview(app, f, cy, starts)
    with firm_context(app, f.firm):
        db.session.get(Candidate, f.candidate.id).last_contacted_at = utcnow() - timedelta(days=30)
        db.session.get(Candidacy, cy.id).created_at = utcnow() - timedelta(days=30)
    with firm_context(app, f.firm):
        firm = db.session.get(Firm, f.firm.id)
        assert cadence.plan_checkins(firm, utcnow(), horizon=utcnow()) == 1
        body = db.session.scalar(select(Message.body_text).where(Message.kind == "checkin"))
    from zoneinfo import ZoneInfo

    local = starts.astimezone(ZoneInfo("America/New_York"))
    # In the locale's words (English: "Thursday, December 10 at 10:00 AM", a narrow no-break space before AM).
    at = f"{local.hour % 12 or 12}:{local:%M}\u202f{local:%p}"
    assert f"Your interview on {local:%A}, {local:%B} {local.day} at {at}" in body


def test_board_card_shows_the_next_interview(app, firms, rec):
    f = rec.f
    s = make_search(app, f)
    cy = add(app, f, s, f.candidate, Stage.SCREENING)
    make_interview(app, f, cy, utcnow() + timedelta(days=2))
    html = rec.client.get(f"/recruiter/searches/{s.id}/board").get_data(as_text=True)
    card = html[html.index(f'id="card-{cy.id}"') :]
    assert "Interview " in card[: card.index("</article>")]


def _count(count_queries, client, url):
    client.get(url)
    with count_queries() as q:
        assert client.get(url).status_code == 200, url
    return q.count


def test_pages_with_interviews_have_bounded_queries(app, firms, rec, client_for, count_queries):
    """Needs attention, the candidacy page, the board and the candidate's home: the same number
    of statements with 1 and with 50 interviews."""
    f = rec.f

    def world(n, tag):
        s = make_search(app, f, title=f"Role {tag}", client=f"Client {tag}")
        cand = make_candidate(app, f.firm, owner=f.recruiter, name=f"Cand {tag}")
        cy = add(app, f, s, cand, Stage.SCREENING)
        others = [make_candidate(app, f.firm, owner=f.recruiter, with_login=False) for _ in range(n)]
        for i in range(n):
            held = make_interview(app, f, cy, utcnow() - timedelta(days=i + 1))
            make_interview(app, f, cy, utcnow() + timedelta(days=i + 1))
            ocy = add(app, f, s, others[i], Stage.SCREENING)
            make_interview(app, f, ocy, utcnow() - timedelta(days=i + 1))
            make_interview(app, f, ocy, utcnow() + timedelta(days=i + 2))
            with firm_context(app, f.firm):
                db.session.add(Debrief(interview_id=held.id, candidate_id=cand.id, how_it_went=f"ok {i}", interest=3))
        make_interview(app, f, cy, utcnow() - timedelta(days=2), kind=InterviewKind.OFFICE_HOURS, candidacy_id=None)
        return s, cand, cy

    counts = {}
    for n, tag in ((1, "small"), (50, "big")):
        s, cand, cy = world(n, tag)
        c = client_for(f.firm)
        login_as(c, cand.login)
        counts[tag] = {
            "dashboard": _count(count_queries, rec.client, "/recruiter/"),
            "dashboard-firm": _count(count_queries, rec.client, "/recruiter/?scope=firm"),
            "feedback-section": _count(count_queries, rec.client, "/recruiter/?show=interview_feedback"),
            "debriefs-section": _count(count_queries, rec.client, "/recruiter/?show=debriefs"),
            "candidacy": _count(count_queries, rec.client, f"/recruiter/candidacies/{cy.id}"),
            "board": _count(count_queries, rec.client, f"/recruiter/searches/{s.id}/board"),
            "home": _count(count_queries, c, "/me/"),
            "search": _count(count_queries, c, f"/me/searches/{cy.id}"),
        }
        if tag == "big":
            page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
            assert page.count("Write feedback for this interview") == 50
            home = c.get("/me/").get_data(as_text=True)
            assert home.count("Your interview on") >= 5
    assert counts["small"] == counts["big"], counts
