"""Builders for the recruiter tests (searches, candidacies through the pipeline service,
consent, people) and `flashes` (the flash messages on a page). The `rec` fixture is in
tests/support/fixtures/recruiter.py; count_queries in tests/support/fixtures/queries.py."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Candidacy, Candidate, Client, Search, Stage
from tests.factories import firm_context, make_candidate


def make_search(app, f, *, owner=None, client="Initech", title="Staff Engineer", **kw) -> Search:
    with firm_context(app, f.firm):
        from sqlalchemy import select

        cl = db.session.scalar(select(Client).where(Client.name == client))
        if cl is None:
            cl = Client(firm_id=f.firm.id, name=client)
            db.session.add(cl)
            db.session.flush()
        s = Search(firm_id=f.firm.id, client_id=cl.id, title=title, owner_id=(owner or f.recruiter).id, **kw)
        db.session.add(s)
        db.session.flush()
        _ = s.client  # load while bound
    return s


def add(app, f, search, candidate, stage=Stage.IDENTIFIED, actor=None) -> Candidacy:
    from portal.services import pipeline

    with firm_context(app, f.firm):
        cy = pipeline.add_to_search(
            f.firm,
            actor or f.recruiter,
            db.session.get(Search, search.id),
            db.session.get(Candidate, candidate.id),
            stage,
        )
    return cy


def move(app, f, candidacy, stage, actor=None):
    from portal.services import pipeline

    with firm_context(app, f.firm):
        return pipeline.move(f.firm, actor or f.recruiter, db.session.get(Candidacy, candidacy.id), stage)


def approve_consent(app, f, candidacy):
    from portal.services import consent

    with firm_context(app, f.firm):
        cy = db.session.get(Candidacy, candidacy.id)
        c = consent.request_consent(f.firm, f.recruiter, cy)
    with firm_context(app, f.firm):
        cand = db.session.get(Candidate, cy.candidate_id)
        consent.answer_consent(f.firm, cand, c.id, approve=True)
    return c


def people(app, f, n, **kw) -> list[Candidate]:
    return [make_candidate(app, f.firm, with_login=False, owner=f.recruiter, **kw) for _ in range(n)]


def flashes(html: str) -> str:
    """The text of the flash messages on a page."""
    import html as html_lib

    return " ".join(
        html_lib.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', html, re.S)
    )
