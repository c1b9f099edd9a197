"""The first demo login the README lists (candidate@demo.example) shows the richest journey:
something to do now (a consent to answer), several searches at different stages, feedback, an
ended search with its reason, and roles that may fit; candidate2 still has its own journey."""

from __future__ import annotations

import re
from types import SimpleNamespace

from tests.support.fixtures.clients import login_as


def _signed_in(app, client_for, email):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    c = client_for(SimpleNamespace(slug="demo"))
    login_as(c, SimpleNamespace(email=email), app.config["DEMO_PASSWORD"])
    return c


def test_the_first_demo_login_has_open_items_and_several_searches(app, client_for):
    c = _signed_in(app, client_for, "candidate@demo.example")
    home = c.get("/me/").get_data(as_text=True)
    assert "Hello, Alex" in home
    # Something to do, first: the consent request, linked to its page.
    todo = home[home.index('id="todo"') : home.index("Your searches")]
    consent_id = re.search(r'href="/me/consents/(\d+)"', todo).group(1)
    assert "Senior Backend Engineer" in todo
    # Several searches, at different stages, each with its stepper.
    cards = re.findall(r'<article class="card search-card', home)
    assert len(cards) >= 3
    for words in ("Getting to know you", "Interviewing", "This search has ended for you", "Not a fit for this role"):
        assert words in home, words
    assert "Hooli wants someone who has already led a team" in home  # the reason, in the recruiter's words
    assert home.count('aria-current="step"') >= 3
    # Feedback and roles that may fit.
    feedback = c.get("/me/feedback").get_data(as_text=True)
    assert "strong match" in feedback and "rolling" in feedback
    assert "Backend Engineer, Payments API" in c.get("/me/roles").get_data(as_text=True)
    # The consent page asks, with the role's details.
    assert "Yes, send my profile" in c.get(f"/me/consents/{consent_id}").get_data(as_text=True)


def test_candidate2_keeps_its_journey(app, client_for):
    c = _signed_in(app, client_for, "candidate2@demo.example")
    home = c.get("/me/").get_data(as_text=True)
    assert "Hello, Priya" in home and "Product Designer" in home
    assert re.search(r'id="todo".*href="/me/consents/\d+"', home, re.S)
