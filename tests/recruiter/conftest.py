"""Fixtures for the recruiter backend tests: a signed-in recruiter, data builders, a query counter."""
from __future__ import annotations

import re
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import Candidacy, Candidate, Client, Search, Stage
from tests.conftest import login_as
from tests.factories import firm_context, make_candidate


@pytest.fixture
def rec(app, firms, client_for):
    """A client signed in as firm A's recruiter (and the firms)."""
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    return SimpleNamespace(client=c, f=firms.a, firms=firms)


def make_search(app, f, *, owner=None, client="Initech", title="Staff Engineer", **kw) -> Search:
    with firm_context(app, f.firm):
        from sqlalchemy import select

        cl = db.session.scalar(select(Client).where(Client.name == client))
        if cl is None:
            cl = Client(firm_id=f.firm.id, name=client)
            db.session.add(cl)
            db.session.flush()
        s = Search(firm_id=f.firm.id, client_id=cl.id, title=title,
                   owner_id=(owner or f.recruiter).id, **kw)
        db.session.add(s)
        db.session.flush()
        s.client  # load while bound
    return s


def add(app, f, search, candidate, stage=Stage.IDENTIFIED, actor=None) -> Candidacy:
    from portal.services import pipeline

    with firm_context(app, f.firm):
        cy = pipeline.add_to_search(f.firm, actor or f.recruiter, db.session.get(Search, search.id),
                                    db.session.get(Candidate, candidate.id), stage)
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


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(app):
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def flashes(html: str) -> str:
    """The text of the flash messages on a page."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", m))
                    for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', html, re.S))
