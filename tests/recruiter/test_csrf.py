"""Every recruiter POST needs the CSRF token; the pages carry it, so the forms go through."""

import re

from tests.recruiter.test_hostile_input import _dump
from tests.recruiter.test_tenancy import _objects


def test_every_recruiter_post_without_the_token_is_refused(app, rec):
    ids = _objects(app, rec.f)
    app.config["WTF_CSRF_ENABLED"] = True
    before = _dump(app)
    posts = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("recruiter.") or "POST" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", str(ids[arg]))
        resp = rec.client.post(
            url,
            data={
                "stage": "screening",
                "version": 1,
                "body": "x",
                "name": "N",
                "title": "T",
                "client_name": "C",
                "state": "filled",
            },
        )
        assert resp.status_code == 400, (url, resp.status_code)
        assert "This form had expired" in resp.get_data(as_text=True)
        posts += 1
    assert posts >= 20
    assert _dump(app) == before


def test_the_board_form_carries_a_working_token(app, rec):
    ids = _objects(app, rec.f)
    app.config["WTF_CSRF_ENABLED"] = True
    page = rec.client.get(f"/recruiter/searches/{ids['search_id']}/board").get_data(as_text=True)
    card = page[page.index(f'id="card-{ids["candidacy_id"]}"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', card).group(1)
    version = re.search(r'name="version" value="(\d+)"', card).group(1)
    resp = rec.client.post(
        f"/recruiter/candidacies/{ids['candidacy_id']}/move",
        data={"csrf_token": token, "version": version, "stage": "screening"},
    )
    assert resp.status_code == 303
