"""Adding a candidate to a search from their page: the recruiter's own open searches in a short
list, any other open search through a finder by title or client (a firm with thousands of open
searches had one list of the first 500 by title, which could not reach the others)."""

from __future__ import annotations

from portal.models import SearchState
from tests.support.recruiter import add, flashes, make_search, people


def _options(page: str) -> str:
    return page.split('id="search_id"', 1)[1].split("</select>", 1)[0] if 'id="search_id"' in page else ""


def test_the_candidate_page_lists_my_open_searches_and_links_to_the_finder(app, rec):
    f = rec.f
    mine = make_search(app, f, title="Data Lead")
    theirs = make_search(app, f, title="Platform Engineer", owner=f.admin, client="Globex")
    closed = make_search(app, f, title="Old Role", state=SearchState.FILLED)
    (c,) = people(app, f, 1)
    page = rec.client.get(f"/recruiter/candidates/{c.id}").get_data(as_text=True)
    options = _options(page)
    assert f'value="{mine.id}"' in options
    assert f'value="{theirs.id}"' not in options and f'value="{closed.id}"' not in options
    assert f"/recruiter/candidates/{c.id}/add-to-search" in page

    # The finder reaches another recruiter's search by its title or its client.
    for q in ("platform", "GLOBEX"):
        found = rec.client.get(f"/recruiter/candidates/{c.id}/add-to-search?q={q}").get_data(as_text=True)
        assert "Platform Engineer" in found and f'name="search_id" value="{theirs.id}"' in found
        assert "Old Role" not in found
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/searches",
        data={"search_id": theirs.id, "stage": "contacted"},
        follow_redirects=True,
    )
    assert "added to Platform Engineer" in flashes(resp.get_data(as_text=True))

    # Now in it: neither the list nor the finder offers it again.
    found = rec.client.get(f"/recruiter/candidates/{c.id}/add-to-search?q=platform").get_data(as_text=True)
    assert f'value="{theirs.id}"' not in found and "No open search matches" in found


def test_a_closed_search_is_refused_and_another_firms_is_a_404(app, rec):
    f = rec.f
    closed = make_search(app, f, title="Old Role", state=SearchState.FILLED)
    other = make_search(app, rec.firms.b, title="Their Role")
    (c,) = people(app, f, 1)
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/searches",
        data={"search_id": closed.id, "stage": "identified"},
        follow_redirects=True,
    )
    assert "This search is closed" in flashes(resp.get_data(as_text=True))
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/searches", data={"search_id": other.id, "stage": "identified"}
    )
    assert resp.status_code == 404
    assert rec.client.get(f"/recruiter/candidates/{rec.firms.b.candidate.id}/add-to-search?q=a").status_code == 404
    found = rec.client.get(f"/recruiter/candidates/{c.id}/add-to-search?q=their").get_data(as_text=True)
    assert "Their Role" not in found


def test_the_finder_takes_any_text_as_words(app, rec):
    f = rec.f
    make_search(app, f, title="Growth 100% remote")
    make_search(app, f, title="Sales Lead")
    (c,) = people(app, f, 1)
    found = rec.client.get(f"/recruiter/candidates/{c.id}/add-to-search?q=100%25").get_data(as_text=True)
    assert "Growth 100% remote" in found and "Sales Lead" not in found  # % is a character, not a wildcard
    for q in ("<script>alert(1)</script>", "a\x00b", "x" * 20_000, ""):
        resp = rec.client.get(f"/recruiter/candidates/{c.id}/add-to-search", query_string={"q": q})
        assert resp.status_code == 200
        assert "<script>alert(1)</script>" not in resp.get_data(as_text=True)


def test_the_finder_shows_the_first_matches_and_says_so(app, rec, monkeypatch):
    from portal.services import searches

    monkeypatch.setattr(searches, "ADDABLE_LIMIT", 3)
    f = rec.f
    for i in range(5):
        make_search(app, f, title=f"Analyst {i}")
    (c,) = people(app, f, 1)
    cy = add(app, f, make_search(app, f, title="Analyst 00"), c)
    assert cy
    found = rec.client.get(f"/recruiter/candidates/{c.id}/add-to-search?q=analyst").get_data(as_text=True)
    assert [t for t in ("Analyst 0", "Analyst 1", "Analyst 2") if f"<strong>{t}</strong>" in found] == [
        "Analyst 0",
        "Analyst 1",
        "Analyst 2",
    ]
    assert "<strong>Analyst 00</strong>" not in found and "<strong>Analyst 3</strong>" not in found
    assert "Only the first 3 by title are shown" in found
