"""Service-level rules of the pipeline and consent (promises 2, 3 and 6)."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidacy, Client, CloseReason, Consent, ConsentState, Message, Search, SearchState, Stage
from portal.services import Conflict, DomainError, pipeline
from portal.services import consent as consent_service
from tests.factories import firm_context


def _search(app, f, **kw):
    with firm_context(app, f.firm):
        client = Client(firm_id=f.firm.id, name=kw.pop("client", "Initech"))
        db.session.add(client)
        db.session.flush()
        s = Search(
            firm_id=f.firm.id,
            client_id=client.id,
            title=kw.pop("title", "Staff Engineer"),
            owner_id=f.recruiter.id,
            **kw,
        )
        db.session.add(s)
    return s


def test_presenting_needs_consent_then_records_cv_sent(app, firms):
    f = firms.a
    s = _search(app, f)
    with firm_context(app, f.firm):
        c = pipeline.add_to_search(
            f.firm,
            f.recruiter,
            db.session.get(Search, s.id),
            db.session.get(type(f.candidate), f.candidate.id),
            Stage.SCREENING,
        )
    with firm_context(app, f.firm):
        cy = db.session.get(Candidacy, c.id)
        with pytest.raises(DomainError, match="consent"):
            pipeline.move(f.firm, f.recruiter, cy, Stage.PRESENTED)
        consent = consent_service.request_consent(f.firm, f.recruiter, cy)
    with firm_context(app, f.firm):
        with pytest.raises(DomainError):
            pipeline.move(f.firm, f.recruiter, db.session.get(Candidacy, c.id), Stage.PRESENTED)
        consent_service.answer_consent(f.firm, f.candidate, consent.id, approve=True, comment="ok")
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="already answered"):
            consent_service.answer_consent(f.firm, f.candidate, consent.id, approve=False)
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, db.session.get(Candidacy, c.id), Stage.PRESENTED)
    with firm_context(app, f.firm):
        row = db.session.get(Consent, consent.id)
        assert row.state == ConsentState.APPROVED and row.cv_sent_at is not None
        kinds = db.session.scalars(select(Message.kind).order_by(Message.id)).all()
        assert kinds.count("consent_requested") == 1 and "consent_answered" in kinds


def test_stale_version_is_a_conflict(app, firms):
    f = firms.a
    s = _search(app, f)
    with firm_context(app, f.firm):
        c = pipeline.add_to_search(
            f.firm, f.recruiter, db.session.get(Search, s.id), db.session.get(type(f.candidate), f.candidate.id)
        )
    seen = c.version
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, db.session.get(Candidacy, c.id), Stage.CONTACTED, seen)
    with firm_context(app, f.firm):
        with pytest.raises(Conflict):
            pipeline.move(f.firm, f.recruiter, db.session.get(Candidacy, c.id), Stage.SCREENING, seen)


def test_closing_a_search_closes_every_open_candidacy_with_one_message_each(app, firms):
    f = firms.a
    s = _search(app, f, confidential=True, client="Secret Corp")
    from tests.factories import make_candidate

    people = [f.candidate] + [make_candidate(app, f.firm) for _ in range(3)]
    with firm_context(app, f.firm):
        for p in people:
            pipeline.add_to_search(
                f.firm, f.recruiter, db.session.get(Search, s.id), db.session.get(type(p), p.id), Stage.CONTACTED
            )
    with firm_context(app, f.firm):
        n = pipeline.close_search(
            f.firm,
            f.recruiter,
            db.session.get(Search, s.id),
            SearchState.FILLED,
            CloseReason.ROLE_CLOSED,
            "The client hired internally.",
        )
        assert n == 4
    with firm_context(app, f.firm):
        assert (
            db.session.scalar(select(func.count()).select_from(Candidacy).where(Candidacy.stage != Stage.CLOSED)) == 0
        )
        closes = db.session.scalars(select(Message).where(Message.kind == "candidacy_closed")).all()
        assert sorted(m.candidate_id for m in closes) == sorted(p.id for p in people)
        assert all("Secret Corp" not in m.body_text + m.body_html for m in closes)
        assert all("hired internally" in m.body_text for m in closes)
