"""An id beyond the database's integer range is a 404 on every route, never a 500."""

import re

from tests.support.fixtures.clients import login_as


def test_every_id_route_answers_404_for_an_out_of_range_id(app, firms, client_for):
    client = client_for(firms.a.firm)
    login_as(client, firms.a.admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "int" not in {type(c).__name__ for c in rule._converters.values()} and "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:[^>]+>", "99999999999999999999", rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in sorted(rule.methods & {"GET", "POST"}):
            resp = client.open(path, method=method)
            assert resp.status_code == 404, (method, path, resp.status_code)
            checked += 1
    assert checked > 10
