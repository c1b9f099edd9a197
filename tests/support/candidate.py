"""Test data for the candidate portal, built through the real services where they exist."""

from __future__ import annotations

from portal.extensions import db
from portal.markdown import render_markdown
from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    Client,
    CloseReason,
    Consent,
    Feedback,
    Message,
    MessageState,
    Note,
    Search,
    Stage,
    utcnow,
)
from portal.services import consent as consent_service
from portal.services import pipeline
from tests.factories import firm_context, seq

# A tiny but real PDF (store_cv checks the content, not the name).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_search(app, f, title="Staff Engineer", client="Initech", confidential=False, **kw) -> Search:
    with firm_context(app, f.firm):
        c = db.session.scalar(db.select(Client).where(Client.name == client))
        if c is None:
            c = Client(firm_id=f.firm.id, name=client)
            db.session.add(c)
            db.session.flush()
        desc = kw.pop("description_md", "A role on a **great** team.")
        s = Search(
            firm_id=f.firm.id,
            client_id=c.id,
            title=title,
            owner_id=kw.pop("owner_id", f.recruiter.id),
            confidential=confidential,
            description_md=desc,
            description_html=render_markdown(desc),
            **kw,
        )
        db.session.add(s)
        db.session.flush()
    return s


def add(app, f, search, candidate, stage=Stage.SCREENING) -> Candidacy:
    with firm_context(app, f.firm):
        cy = pipeline.add_to_search(
            f.firm, f.recruiter, db.session.get(Search, search.id), db.session.get(Candidate, candidate.id), stage
        )
    return cy


def move(app, f, candidacy_id, stage):
    with firm_context(app, f.firm):
        return pipeline.move(f.firm, f.recruiter, db.session.get(Candidacy, candidacy_id), stage)


def close(app, f, candidacy_id, reason=CloseReason.NOT_A_FIT, explanation="We needed more Go experience."):
    with firm_context(app, f.firm):
        return pipeline.close(f.firm, f.recruiter, db.session.get(Candidacy, candidacy_id), reason, explanation)


def request_consent(app, f, candidacy_id) -> Consent:
    with firm_context(app, f.firm):
        return consent_service.request_consent(f.firm, f.recruiter, db.session.get(Candidacy, candidacy_id))


def approve(app, f, candidate, consent_id):
    with firm_context(app, f.firm):
        return consent_service.answer_consent(f.firm, db.session.get(Candidate, candidate.id), consent_id, True)


def feedback(app, f, candidacy_id, md="Great conversation; the client liked your *system design*.") -> Feedback:
    with firm_context(app, f.firm):
        fb = Feedback(
            firm_id=f.firm.id,
            candidacy_id=candidacy_id,
            author_id=f.recruiter.id,
            body_md=md,
            body_html=render_markdown(md),
        )
        db.session.add(fb)
        db.session.flush()
    return fb


def note(app, f, candidate_id, candidacy_id=None, md="INTERNAL-NOTE-SECRET salary is negotiable") -> Note:
    with firm_context(app, f.firm):
        n = Note(
            firm_id=f.firm.id,
            candidate_id=candidate_id,
            candidacy_id=candidacy_id,
            author_id=f.recruiter.id,
            body_md=md,
            body_html=render_markdown(md),
        )
        db.session.add(n)
        db.session.flush()
    return n


def message(
    app,
    f,
    candidate,
    subject="Hello",
    body="Body text",
    state=MessageState.SENT,
    show_in_portal=True,
    audience=Audience.CANDIDATE,
) -> Message:
    with firm_context(app, f.firm):
        m = Message(
            firm_id=f.firm.id,
            kind="generic",
            audience=audience,
            candidate_id=candidate.id,
            to_email=candidate.email,
            to_name=candidate.name,
            subject=subject,
            body_text=body,
            body_html=f"<p>{body}</p>",
            dedupe_key=f"test:{seq()}",
            state=state,
            show_in_portal=show_in_portal,
            created_at=utcnow(),
        )
        db.session.add(m)
        db.session.flush()
    return m
