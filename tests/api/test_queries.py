"""Every API list keeps a bounded number of SQL statements per page: the same with 1 row as
with 50 (skills, tags, clients are loaded in one statement each, never one per row)."""

from __future__ import annotations

from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    CandidateTag,
    Client,
    Interview,
    InterviewFormat,
    InterviewKind,
    Message,
    Search,
)
from portal.services import skills
from tests.factories import firm_context

LISTS = (
    "/api/v1/candidates",
    "/api/v1/clients",
    "/api/v1/searches",
    "/api/v1/candidacies",
    "/api/v1/messages",
    "/api/v1/interviews",
)


def _fill(app, ns, n: int, start: int) -> None:
    """n of everything the lists show (one transaction), each candidate and search with skills and tags."""
    with firm_context(app, ns.firm) as s:
        for i in range(start, start + n):
            cand = Candidate(name=f"Q {i}", email=f"q{i}@x.example")
            s.add(cand)
            s.flush()
            cand.tags.append(CandidateTag(firm_id=ns.firm.id, name=f"t{i}"))
            skills.set_candidate_skills(ns.firm, cand, ["Python", f"Skill {i % 5}"])
            client = Client(name=f"Client {i}")
            s.add(client)
            s.flush()
            search = Search(client_id=client.id, title=f"Role {i}", owner_id=ns.recruiter.id)
            s.add(search)
            s.flush()
            skills.set_search_skills(ns.firm, search, ["Python"], [f"Nice {i % 5}"])
            cy = Candidacy(search_id=search.id, candidate_id=cand.id, added_by_id=ns.recruiter.id)
            s.add(cy)
            s.flush()
            s.add(
                Message(
                    kind="generic",
                    audience=Audience.CANDIDATE,
                    candidate_id=cand.id,
                    candidacy_id=cy.id,
                    subject="Hi",
                    body_text="Hi",
                    body_html="<p>Hi</p>",
                    dedupe_key=f"q:{i}",
                )
            )
            s.add(
                Interview(
                    candidacy_id=cy.id, candidate_id=cand.id, kind=InterviewKind.CLIENT, format=InterviewFormat.VIDEO
                )
            )


def _counts(api, count_queries, n: int) -> dict[str, int]:
    counts = {}
    for path in LISTS:
        api.get(f"{path}?limit=50")  # warm (the key's last use is written at most once a minute)
        with count_queries() as q:
            resp = api.get(f"{path}?limit=50")
        assert resp.status_code == 200 and len(resp.get_json()["data"]) >= n, path
        counts[path] = q.count
    return counts


def test_a_page_of_1_and_a_page_of_50_send_the_same_statements(app, api_client, firms, count_queries):
    api = api_client(firms.a)
    _fill(app, firms.a, 1, 0)
    one = _counts(api, count_queries, 1)
    _fill(app, firms.a, 49, 1)
    fifty = _counts(api, count_queries, 50)
    assert one == fifty
    assert max(one.values()) <= 6, one
    # The candidates' skill and tag names are one statement of rows (were two eager loads: 5).
    assert one["/api/v1/candidates"] == 4, one
