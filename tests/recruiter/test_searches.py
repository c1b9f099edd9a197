"""Clients and searches: create, edit, list, filter, close."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Client,
    Engagement,
    Message,
    RemotePreference,
    Search,
    SearchState,
    Seniority,
    Stage,
)
from tests.factories import firm_context, make_user
from tests.support.recruiter import add, flashes, make_search, people

FORM = {
    "title": "Head of Data",
    "client_name": "Globex",
    "confidential": "y",
    "description_md": "We build **data** products.\n\n- fast\n- fun",
    "requirements_md": "5 years of *SQL*",
    "seniority": "senior",
    "location": "Berlin",
    "remote_policy": "hybrid",
    "pay_min": "90000",
    "pay_max": "120000",
    "pay_currency": "eur",
    "engagement": "contingency",
    "owner_id": "",
    "state": "open",
    "anticipated": "y",
}


def _one(app, f, model, *where):
    with firm_context(app, f.firm):
        return db.session.scalar(select(model).where(*where))


def test_create_search_stores_markdown_source_and_sanitised_html(app, rec):
    resp = rec.client.post("/recruiter/searches/new", data=FORM)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    s = _one(app, rec.f, Search, Search.title == "Head of Data")
    assert s.client.name == "Globex" and s.confidential and s.anticipated
    assert s.description_md.startswith("We build **data**")
    assert "<strong>data</strong>" in s.description_html and "<li>fast</li>" in s.description_html
    assert s.requirements_html == "<p>5 years of <em>SQL</em></p>"
    assert (s.seniority, s.remote_policy, s.engagement) == (
        Seniority.SENIOR,
        RemotePreference.HYBRID,
        Engagement.CONTINGENCY,
    )
    assert (s.pay_min, s.pay_max, s.pay_currency) == (90000, 120000, "EUR")
    assert s.owner_id == rec.f.recruiter.id  # "Me" by default
    page = rec.client.get(f"/recruiter/searches/{s.id}").get_data(as_text=True)
    assert "<strong>data</strong>" in page and "Confidential" in page


def test_existing_client_is_reused_case_insensitively(app, rec):
    make_search(app, rec.f, client="Globex")
    rec.client.post("/recruiter/searches/new", data={**FORM, "client_name": "globex"})
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(func.count()).select_from(Client)) == 1


def test_pay_range_and_currency_are_validated(app, rec):
    cases = [
        ({"pay_min": "200", "pay_max": "100"}, "lower than the minimum"),
        ({"pay_min": "-5"}, "Number must be between"),
        ({"pay_currency": "EU"}, "three-letter"),
        ({"pay_currency": "E1R"}, "three-letter"),
        ({"title": ""}, "This field is required"),
    ]
    for change, message in cases:
        resp = rec.client.post("/recruiter/searches/new", data={**FORM, **change})
        assert resp.status_code == 400
        assert message in resp.get_data(as_text=True), change
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(func.count()).select_from(Search)) == 0


def test_owner_must_be_staff_of_this_firm(app, rec):
    other = rec.firms.b.recruiter
    resp = rec.client.post("/recruiter/searches/new", data={**FORM, "owner_id": str(other.id)})
    assert resp.status_code == 400
    resp = rec.client.post("/recruiter/searches/new", data={**FORM, "owner_id": str(rec.f.candidate_user.id)})
    assert resp.status_code == 400
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(func.count()).select_from(Search)) == 0


def test_edit_search_and_refuse_closing_through_the_edit_form(app, rec):
    s = make_search(app, rec.f)
    data = {**FORM, "title": "Principal Engineer", "state": "on_hold"}
    assert rec.client.post(f"/recruiter/searches/{s.id}/edit", data=data).status_code == 303
    s2 = _one(app, rec.f, Search, Search.id == s.id)
    assert s2.title == "Principal Engineer" and s2.state == SearchState.ON_HOLD
    resp = rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**data, "state": "filled"})
    assert resp.status_code == 400
    assert _one(app, rec.f, Search, Search.id == s.id).state == SearchState.ON_HOLD


def test_edit_form_is_prefilled(app, rec):
    s = make_search(app, rec.f, title="Data Lead", location="Lisbon", description_md="Hello *there*")
    page = rec.client.get(f"/recruiter/searches/{s.id}/edit").get_data(as_text=True)
    assert 'value="Data Lead"' in page and 'value="Lisbon"' in page and "Hello *there*" in page
    assert 'value="Initech"' in page


def test_list_filters_by_state_owner_client_and_text(app, rec):
    f = rec.f
    other = make_user(app, f.firm, email="other@alpha.example", name="Olga Other")
    make_search(app, f, title="Backend Engineer", client="Initech")
    make_search(app, f, title="Designer", client="Hooli", owner=other)
    make_search(app, f, title="Old Role", client="Initech", state=SearchState.FILLED)
    make_search(app, f, title="Paused Role", client="Hooli", state=SearchState.ON_HOLD)

    def titles(query):
        html = rec.client.get("/recruiter/searches" + query).get_data(as_text=True)
        return {t for t in ("Backend Engineer", "Designer", "Old Role", "Paused Role") if t in html}

    assert titles("") == {"Backend Engineer", "Designer", "Paused Role"}
    assert titles("?state=all") == {"Backend Engineer", "Designer", "Old Role", "Paused Role"}
    assert titles("?state=filled") == {"Old Role"}
    assert titles("?state=on_hold") == {"Paused Role"}
    assert titles(f"?owner={other.id}") == {"Designer"}
    assert titles("?owner=me") == {"Backend Engineer", "Paused Role"}
    with firm_context(app, f.firm):
        hooli = db.session.scalar(select(Client.id).where(Client.name == "Hooli"))
    assert titles(f"?client={hooli}") == {"Designer", "Paused Role"}
    assert titles("?q=backend") == {"Backend Engineer"}
    assert titles("?q=hooli") == {"Designer", "Paused Role"}
    assert rec.client.get("/recruiter/searches?state=nonsense&owner=x").status_code == 200


def test_list_pages_without_counting(app, rec, count_queries):
    for i in range(55):
        make_search(app, rec.f, title=f"Role {i:02d}")
    with count_queries() as q:
        first = rec.client.get("/recruiter/searches").get_data(as_text=True)
    assert "Role 54" in first and "Role 04" not in first and 'rel="next"' in first
    assert not any(
        "count(*)" in s.lower() and "searches" in s.lower() and "group by" not in s.lower() for s in q.statements
    )
    import re

    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = rec.client.get(next_url).get_data(as_text=True)
    assert "Role 04" in second and "Role 54" not in second and 'rel="next"' not in second


def test_searches_list_query_count_does_not_grow(app, rec, count_queries):
    f = rec.f
    s = make_search(app, f)
    add(app, f, s, people(app, f, 1)[0])
    rec.client.get("/recruiter/searches")
    with count_queries() as one:
        rec.client.get("/recruiter/searches")
    owners = [make_user(app, f.firm, name=f"Owner {i}") for i in range(5)]
    pool = people(app, f, 10)
    for i in range(49):
        s = make_search(app, f, title=f"Role {i}", client=f"Client {i % 7}", owner=owners[i % 5])
        add(app, f, s, pool[i % 10])
    with count_queries() as fifty:
        html = rec.client.get("/recruiter/searches").get_data(as_text=True)
    assert html.count("/board") >= 50
    assert fifty.count == one.count


def test_search_detail_and_board_query_counts_do_not_grow(app, rec, count_queries):
    f = rec.f
    s = make_search(app, f)
    add(app, f, s, people(app, f, 1)[0], Stage.CONTACTED)
    urls = [f"/recruiter/searches/{s.id}", f"/recruiter/searches/{s.id}/board", f"/recruiter/searches/{s.id}/activity"]
    for u in urls:
        rec.client.get(u)
    counts_one = {}
    for u in urls:
        with count_queries() as q:
            assert rec.client.get(u).status_code == 200
        counts_one[u] = q.count
    from tests.support.recruiter import approve_consent, move

    for i, c in enumerate(people(app, f, 49)):
        cy = add(app, f, s, c, [Stage.IDENTIFIED, Stage.CONTACTED, Stage.SCREENING][i % 3])
        if i % 5 == 0:
            approve_consent(app, f, cy)
            if i % 10 == 0:
                move(app, f, cy, Stage.PRESENTED)
    for u in urls:
        with count_queries() as q:
            html = rec.client.get(u).get_data(as_text=True)
        assert q.count == counts_one[u], (u, counts_one[u], q.count)
        if u.endswith("/board"):
            assert html.count('class="board-card"') == 50


def test_closing_a_search_from_its_page_closes_everything_and_tells_each_candidate(app, rec, run_jobs, smtp_sink):
    f = rec.f
    s = make_search(app, f, confidential=True, client="Secret Corp")
    pool = people(app, f, 4)
    for i, c in enumerate(pool):
        add(app, f, s, c, [Stage.IDENTIFIED, Stage.CONTACTED, Stage.SCREENING, Stage.CONTACTED][i])
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/close",
        data={
            "state": "filled",
            "reason": "role_closed",
            "explanation": "The client hired internally.",
            "confirm": "1",
        },
        follow_redirects=True,
    )
    assert "4 open candidacies were closed" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        assert db.session.get(Search, s.id).state == SearchState.FILLED
        assert (
            db.session.scalar(select(func.count()).select_from(Candidacy).where(Candidacy.stage != Stage.CLOSED)) == 0
        )
        closes = db.session.scalars(select(Message).where(Message.kind == "candidacy_closed")).all()
    assert sorted(m.candidate_id for m in closes) == sorted(c.id for c in pool)
    assert all("hired internally" in m.body_text and "Secret Corp" not in m.body_text + m.body_html for m in closes)
    run_jobs()
    # One email each: a close alone, or merged with the move just before it (the grace window),
    # then its subject says the news.
    sent = [m for m in smtp_sink.wait_for(4) if "Staff Engineer" in m.email["Subject"]]
    assert sorted(m.rcpt_tos[0] for m in sent) == sorted(c.email for c in pool)
    for m in sent:
        assert m.email["Subject"] in (
            "Staff Engineer: an update on your application",
            "This search has ended for you: Staff Engineer",
        )
        assert "hired internally" in m.email.get_body(("plain",)).get_content()
    # The search page offers no second close; a second POST is refused with a message.
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/close", data={"state": "cancelled", "reason": "role_closed"}, follow_redirects=True
    )
    assert "already closed" in flashes(resp.get_data(as_text=True))


def test_reopening_a_closed_search_keeps_candidacies_closed(app, rec):
    f = rec.f
    s = make_search(app, f)
    add(app, f, s, people(app, f, 1)[0], Stage.CONTACTED)
    rec.client.post(
        f"/recruiter/searches/{s.id}/close", data={"state": "cancelled", "reason": "role_closed", "confirm": "1"}
    )
    assert rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**FORM, "state": "open"}).status_code == 303
    with firm_context(app, f.firm):
        s2 = db.session.get(Search, s.id)
        assert s2.state == SearchState.OPEN and s2.closed_at is None
        assert db.session.scalar(select(Candidacy.stage)) == Stage.CLOSED
