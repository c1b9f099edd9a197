"""Activity history per candidate, per search and per candidacy."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Message, MessageState, Stage
from tests.factories import firm_context
from tests.support.recruiter import add, approve_consent, make_search


def test_candidate_and_search_activity_show_every_kind_of_event(app, rec, run_jobs, smtp_sink):
    f = rec.f
    s = make_search(app, f, title="Platform Lead", client="Hooli")
    cy = add(app, f, s, f.candidate, Stage.CONTACTED)
    rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Sharp *answers*.", "action": "post"})
    rec.client.post(f"/recruiter/candidacies/{cy.id}/notes", data={"body": "Prefers mornings"})
    rec.client.post(f"/recruiter/candidates/{f.candidate.id}/notes", data={"body": "General profile note"})
    approve_consent(app, f, cy)
    run_jobs()
    smtp_sink.wait_for(3)
    with firm_context(app, f.firm):  # one message fails
        m = db.session.scalars(select(Message).where(Message.kind == "feedback_posted")).first()
        m.state = MessageState.FAILED
        m.last_error = "550 mailbox full"
    with firm_context(app, f.firm):
        from portal.models import Candidacy

        version = db.session.get(Candidacy, cy.id).version
    rec.client.post(f"/recruiter/candidacies/{cy.id}/move", data={"stage": "presented", "version": version})

    cand_html = rec.client.get(f"/recruiter/candidates/{f.candidate.id}/activity").get_data(as_text=True)
    for expected in (
        "Added at “Contacted”",
        "Moved from “Contacted” to “Presented to client”",
        "Feedback to the candidate",
        "Sharp <em>answers</em>",
        "Internal note",
        "Prefers mornings",
        "General profile note",
        "Consent requested to present to Hooli",
        "The candidate approved presentation to Hooli",
        "CV sent to Hooli",
        "550 mailbox full",
        ">failed<",
        ">sent<",
        "Platform Lead",
    ):
        assert expected in cand_html, expected
    search_html = rec.client.get(f"/recruiter/searches/{s.id}/activity").get_data(as_text=True)
    for expected in (
        "Moved from “Contacted” to “Presented to client”",
        "Prefers mornings",
        "CV sent to Hooli",
        "Feedback to the candidate",
        ">failed<",
    ):
        assert expected in search_html, expected
    assert "General profile note" not in search_html  # not tied to this search
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "Moved from “Contacted” to “Presented to client”" in page and "Prefers mornings" in page
    # Newest first.
    assert cand_html.index("Moved from “Contacted”") < cand_html.index("Added at “Contacted”")


def test_activity_of_a_candidate_lists_interest_and_updates(app, rec):
    from portal.models import CandidateUpdate, Interest, UpdateKind

    f = rec.f
    s = make_search(app, f, title="Data Lead")
    with firm_context(app, f.firm):
        db.session.add(Interest(firm_id=f.firm.id, candidate_id=f.candidate.id, search_id=s.id))
        db.session.add(
            CandidateUpdate(
                firm_id=f.firm.id,
                candidate_id=f.candidate.id,
                kind=UpdateKind.REFERRAL,
                body="My friend Sam would be great.",
            )
        )
    html = rec.client.get(f"/recruiter/candidates/{f.candidate.id}/activity").get_data(as_text=True)
    assert "Said “I&#39;m interested” in Data Lead" in html or "Said “I'm interested” in Data Lead" in html
    assert "My friend Sam would be great." in html
