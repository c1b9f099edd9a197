"""Every recruiter page renders for the recruiter, with data, and works without JavaScript."""

from portal.models import Stage
from tests.support.recruiter import add, make_search, people


def test_every_page_renders_with_data(app, rec):
    f = rec.f
    s = make_search(app, f, description_md="Build **things**", location="Berlin")
    cands = people(app, f, 3)
    cy = add(app, f, s, cands[0], Stage.CONTACTED)
    add(app, f, s, cands[1])
    c = rec.client
    pages = [
        "/recruiter/",
        "/recruiter/?scope=firm",
        "/recruiter/searches",
        "/recruiter/searches?state=all",
        "/recruiter/searches/new",
        f"/recruiter/searches/{s.id}",
        f"/recruiter/searches/{s.id}/edit",
        f"/recruiter/searches/{s.id}/board",
        f"/recruiter/searches/{s.id}/add?q=Cand",
        f"/recruiter/searches/{s.id}/activity",
        "/recruiter/candidates",
        "/recruiter/candidates/new",
        f"/recruiter/candidates/{cands[0].id}",
        f"/recruiter/candidates/{cands[0].id}/edit",
        f"/recruiter/candidates/{cands[0].id}/activity",
        "/recruiter/candidates/import",
        f"/recruiter/candidacies/{cy.id}",
    ]
    for url in pages:
        resp = c.get(url)
        assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:2000])
        assert "<script>" not in resp.get_data(as_text=True)


def test_candidates_and_admins_only(app, firms, client_for):
    from tests.support.fixtures.clients import login_as

    c = client_for(firms.a.firm)
    assert c.get("/recruiter/").status_code == 302  # to the login page
    login_as(c, firms.a.candidate_user)
    assert c.get("/recruiter/").status_code == 403
    c2 = client_for(firms.a.firm)
    login_as(c2, firms.a.admin)
    assert c2.get("/recruiter/searches").status_code == 200


def test_every_page_renders_in_the_staff_members_language(app, rec):
    """A recruiter who reads German (or Arabic) gets every page in that locale: <html lang>,
    dates by Babel in the locale (no strftime), numbers and plurals through the catalogs."""
    import re

    from portal.extensions import db
    from portal.models import User
    from tests.factories import firm_context

    f = rec.f
    s = make_search(app, f, description_md="Build **things**", location="Berlin", pay_min=50000, pay_max=60000)
    cands = people(app, f, 2)
    cy = add(app, f, s, cands[0], Stage.CONTACTED)
    pages = [
        "/recruiter/",
        "/recruiter/searches",
        "/recruiter/searches/new",
        f"/recruiter/searches/{s.id}",
        f"/recruiter/searches/{s.id}/edit",
        f"/recruiter/searches/{s.id}/board",
        f"/recruiter/searches/{s.id}/activity",
        "/recruiter/candidates",
        f"/recruiter/candidates/{cands[0].id}",
        "/recruiter/candidates/import",
        f"/recruiter/candidacies/{cy.id}",
        "/recruiter/reports?period=week",
        "/recruiter/messages",
        "/recruiter/held-mail",
        "/recruiter/office-hours",
        "/recruiter/profile",
    ]
    for language, lang_attr in (("de", 'lang="de"'), ("ar", 'lang="ar" dir="rtl"')):
        with firm_context(app, f.firm):
            db.session.get(User, f.recruiter.id).language = language
        for url in pages:
            resp = rec.client.get(url)
            html = resp.get_data(as_text=True)
            assert resp.status_code == 200, (language, url, html[:2000])
            assert lang_attr in html, (language, url)
        if language == "de":
            page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
            assert re.search(r"\d{1,2}\. \w+\.? \d{4}", page)  # "7. Dez. 2026": a German date
            assert "50.000" in rec.client.get(f"/recruiter/searches/{s.id}").get_data(as_text=True)  # German amount
