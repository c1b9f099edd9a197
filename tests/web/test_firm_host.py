def test_login_page_served_per_firm(firms, client_for):
    resp = client_for(firms.a.firm).get("/login")
    assert resp.status_code == 200
    assert b"Alpha Search" in resp.data
    assert b"Beta Search" not in resp.data
