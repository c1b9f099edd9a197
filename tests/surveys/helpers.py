"""Test data for the experience survey: occasions made through the real services, the planner
run at a chosen moment, and the survey links as the mail server received them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Candidate, Firm, Message, MessageState, Stage, SurveyResponse, utcnow
from portal.services import surveys
from tests.factories import firm_context
from tests.support import candidate as portal_data
from tests.support.interviews import make_interview

LINK = re.compile(r"https?://[^/\s]+(/survey/([A-Za-z0-9_-]+)\?score=(\d+))")


def closed_candidacy(app, f, candidate=None, sent_days_ago: float = 2):
    """A candidacy closed with its close-the-loop message sent `sent_days_ago` days ago."""
    search = portal_data.make_search(app, f, title=f"Role for {sent_days_ago}")
    cy = portal_data.add(app, f, search, candidate or f.candidate, Stage.SCREENING)
    portal_data.close(app, f, cy.id)
    with firm_context(app, f.firm):
        db.session.execute(
            update(Message)
            .where(Message.candidacy_id == cy.id, Message.kind == surveys.CLOSE_KIND)
            .values(state=MessageState.SENT, sent_at=utcnow() - timedelta(days=sent_days_ago))
        )
    return cy


def placed_candidacy(app, f, candidate=None):
    """A candidacy placed now (with the consent the presentation needs)."""
    candidate = candidate or f.candidate
    search = portal_data.make_search(app, f, title="Placed role")
    cy = portal_data.add(app, f, search, candidate, Stage.SCREENING)
    consent = portal_data.request_consent(app, f, cy.id)
    portal_data.approve(app, f, candidate, consent.id)
    portal_data.move(app, f, cy.id, Stage.PLACED)
    return cy


def held_interview(app, f, candidate=None, days_ago: float = 2):
    search = portal_data.make_search(app, f, title="Interviewed role")
    cy = portal_data.add(app, f, search, candidate or f.candidate, Stage.SCREENING)
    return make_interview(app, f, cy, utcnow() - timedelta(days=days_ago))


def plan(app, f, now: datetime | None = None) -> int:
    with firm_context(app, f.firm) as s:
        return surveys.plan_surveys(s.get(Firm, f.firm.id), now or utcnow())


def responses(app, f) -> list[SurveyResponse]:
    with firm_context(app, f.firm) as s:
        return list(s.scalars(select(SurveyResponse).order_by(SurveyResponse.id)))


def survey_messages(app, f) -> list[Message]:
    with firm_context(app, f.firm) as s:
        return list(s.scalars(select(Message).where(Message.kind == surveys.SURVEY_KIND).order_by(Message.id)))


def set_candidate(app, f, candidate_id: int, **values) -> None:
    with firm_context(app, f.firm) as s:
        c = s.get(Candidate, candidate_id)
        for k, v in values.items():
            setattr(c, k, v)


def delivered_links(run_jobs, smtp_sink, to: str) -> dict[int, str]:
    """Deliver what is queued; the survey email to `to`: score -> the path and query of its link."""
    run_jobs()
    mails = [m for m in smtp_sink.messages if m.rcpt_tos == [to] and "informed" in str(m.email["Subject"])]
    assert len(mails) == 1, [m.email["Subject"] for m in smtp_sink.messages]
    email = mails[0].email
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    links = {int(m.group(3)): m.group(1) for m in LINK.finditer(text)}
    assert sorted(links) == list(range(11)), text
    # The HTML's eleven buttons carry the same links, with one token for the whole email.
    assert {m.group(1) for m in LINK.finditer(html)} == set(links.values())
    assert len({m.group(2) for m in LINK.finditer(text)}) == 1
    return links
