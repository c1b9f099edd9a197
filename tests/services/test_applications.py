"""The applications service and the promises it keeps for applicants (issue 18, item 4):
an applicant is an active candidate for the cadence (a check-in once cadence_days pass without
a word), a close is a close-the-loop message with the reason, "New applications" on
needs-attention lists them oldest first until moved on, in a bounded number of queries."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.models import Candidacy, Candidate, CloseReason, Firm, Message, Search, Stage, User, utcnow
from portal.services import applications, cadence, pipeline
from portal.services.applications import ApplicantInput
from tests.careers.helpers import advertised
from tests.factories import firm_context
from tests.support.candidate import PDF_BYTES
from tests.support.fixtures.clients import login_as


def _apply(app, f, search, email, name="Ann Applicant", **kw) -> int:
    """Apply through the service; returns the candidacy id."""
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        row = s.get(Search, search.id)
        upload = FileStorage(BytesIO(PDF_BYTES), filename="cv.pdf")
        applications.apply(firm, row, ApplicantInput(name=name, email=email, accepted_privacy=True, **kw), upload)
        person = s.scalar(select(Candidate).where(Candidate.email == email))
        return s.scalar(select(Candidacy.id).where(Candidacy.candidate_id == person.id, Candidacy.search_id == row.id))


def test_an_applicant_is_counted_by_the_cadence(app, firms):
    f = firms.a
    search = advertised(app, f)
    cy_id = _apply(app, f, search, "cadence@example.com")
    now = utcnow()
    with firm_context(app, f.firm) as s:
        cy = s.get(Candidacy, cy_id)
        assert cy.stage == Stage.APPLIED
        # The confirmation email started the clock: nothing is due yet.
        assert cadence.plan_checkins(s.get(Firm, f.firm.id), now, horizon=now + timedelta(minutes=70)) == 0
        person = s.get(Candidate, cy.candidate_id)
        person.last_contacted_at = now - timedelta(days=8)
        cy.created_at = cy.stage_changed_at = now - timedelta(days=8)
    with firm_context(app, f.firm) as s:
        assert cadence.plan_checkins(s.get(Firm, f.firm.id), now, horizon=now + timedelta(minutes=70)) == 1
        checkin = s.scalar(select(Message).where(Message.kind == "checkin"))
        assert checkin.to_email == "cadence@example.com"
        assert "We have your application" in checkin.body_text
        assert "{days}" not in checkin.body_text


def test_a_rejected_applicant_gets_the_close_the_loop_message(app, firms):
    f = firms.a
    search = advertised(app, f, title="Closing Role")
    cy_id = _apply(app, f, search, "closed@example.com")
    with firm_context(app, f.firm) as s:
        cy = s.get(Candidacy, cy_id)
        pipeline.close(
            s.get(Firm, f.firm.id), s.get(User, f.recruiter.id), cy, CloseReason.NOT_A_FIT, "We need more Go."
        )
    with firm_context(app, f.firm) as s:
        msg = s.scalar(select(Message).where(Message.kind == "candidacy_closed", Message.candidacy_id == cy_id))
        assert msg is not None and msg.to_email == "closed@example.com" and "We need more Go." in msg.body_text


def test_the_stage_words_use_the_firms_cadence(app, firms):
    from portal.web.templating import candidate_stage_text

    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        firm.cadence_days = 5
        label, explanation = candidate_stage_text(Stage.APPLIED, firm)
    assert label == "We have your application"
    assert explanation == "We have your application and will reply within 5 days."
    assert list(Stage)[0] == Stage.APPLIED and Stage.APPLIED.label == "Applied"


def test_an_applicant_who_is_staff_gets_the_same_email_without_a_link(app, firms):
    search = advertised(app, firms.a)
    _apply(app, firms.a, search, firms.a.recruiter.email)
    with firm_context(app, firms.a.firm) as s:
        msg = s.scalar(select(Message).where(Message.kind == "application_received"))
        assert msg.credential is None and msg.to_email == firms.a.recruiter.email
        person = s.scalar(select(Candidate).where(Candidate.email == firms.a.recruiter.email))
        assert person.user_id is None  # a staff login is never linked to a candidate


def _section(html: str, ident: str) -> str:
    match = re.search(rf'<section[^>]*id="{ident}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_new_applications_on_needs_attention_oldest_first_until_moved(app, firms, client_for):
    f = firms.a
    search = advertised(app, f, title="Applied Role")
    first = _apply(app, f, search, "first@example.com", name="First Person")
    _apply(app, f, search, "second@example.com", name="Second Person")
    with firm_context(app, f.firm) as s:
        s.get(Candidacy, first).created_at = utcnow() - timedelta(days=3)
    rec = client_for(f.firm)
    login_as(rec, f.recruiter)
    html = _section(rec.get("/recruiter/").get_data(as_text=True), "applications")
    assert "New applications" in html and html.index("First Person") < html.index("Second Person")
    with firm_context(app, f.firm) as s:
        pipeline.move(s.get(Firm, f.firm.id), s.get(User, f.recruiter.id), s.get(Candidacy, first), Stage.CONTACTED)
    html = _section(rec.get("/recruiter/").get_data(as_text=True), "applications")
    assert "First Person" not in html and "Second Person" in html
    board = rec.get(f"/recruiter/searches/{search.id}/board").get_data(as_text=True)
    assert 'data-stage="applied"' in board and board.index('data-stage="applied"') < board.index(
        'data-stage="identified"'
    )


@pytest.mark.parametrize("url", ["/recruiter/", "/recruiter/?scope=firm", "/recruiter/?show=applications"])
def test_needs_attention_costs_the_same_with_1_and_50_applications(app, firms, client_for, count_queries, url):
    f = firms.a
    search = advertised(app, f, title="Busy Role")
    _apply(app, f, search, "n0@example.com")
    rec = client_for(f.firm)
    login_as(rec, f.recruiter)
    rec.get(url)
    with count_queries() as q:
        html = rec.get(url).get_data(as_text=True)
    one = q.count
    assert _section(html, "applications").count("Open application") == 1
    for n in range(1, 50):
        _apply(app, f, search, f"n{n}@example.com", name=f"Person {n}")
    with count_queries() as q:
        html = rec.get(url).get_data(as_text=True)
    assert q.count == one
    expected = 50 if "show=" in url else 10
    assert _section(html, "applications").count("Open application") == expected


def test_the_application_is_in_the_export_and_its_note_goes_with_the_account(app, firms):
    from portal.models import Application
    from portal.services import data_rights

    search = advertised(app, firms.a, title="Export Role")
    _apply(app, firms.a, search, "export@example.com", note="MY-APPLICATION-NOTE")
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(Firm, firms.a.firm.id)
        person = s.scalar(select(Candidate).where(Candidate.email == "export@example.com"))
        data = data_rights.export_data(firm, person)
        assert data["applications"] == [
            {"date": data["applications"][0]["date"], "role": "Export Role", "note": "MY-APPLICATION-NOTE"}
        ]
        data_rights.delete_account(firm, person, s.get(User, person.user_id))
    with firm_context(app, firms.a.firm) as s:
        assert s.scalar(select(Application.note)) is None
