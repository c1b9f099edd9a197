"""Small builders for matching tests. They run inside an open firm context (flush only),
so a test can build, score and roll back without committing."""

from __future__ import annotations

import itertools

from portal.extensions import db
from portal.models import Candidate, Client, Search, SearchState
from portal.services import skills

_n = itertools.count(1)


def client(firm, name: str | None = None) -> Client:
    c = Client(firm_id=firm.id, name=name or f"Client {next(_n)}")
    db.session.add(c)
    db.session.flush()
    return c


def search(
    firm,
    *,
    required=(),
    nice=(),
    client_obj: Client | None = None,
    title: str | None = None,
    state: SearchState = SearchState.OPEN,
    **kw,
) -> Search:
    s = Search(firm_id=firm.id, client=client_obj or client(firm), title=title or f"Role {next(_n)}", state=state, **kw)
    db.session.add(s)
    db.session.flush()
    skills.set_search_skills(firm, s, list(required), list(nice))
    return s


def person(firm, skill_names=(), **kw) -> Candidate:
    n = next(_n)
    kw.setdefault("name", f"Person {n}")
    kw.setdefault("email", f"person{n}@{firm.slug}.example")
    c = Candidate(firm_id=firm.id, **kw)
    db.session.add(c)
    db.session.flush()
    skills.set_candidate_skills(firm, c, list(skill_names))
    return c
