"""Job alerts on the careers site (issue 18, item 6): double opt-in, the weekly digest of new
matching jobs (never the same job twice, never a confidential client's name), one-click
unsubscribe, rate limits, the honeypot, hostile input and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.models import JobAlert, JobAlertSent, RemotePreference, SearchState, utcnow
from tests.careers.alerts_support import advertise, confirm_path, digests, plan, subscribe
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.worker import make_search, messages


def _alerts(app, firm):
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(JobAlert).order_by(JobAlert.id)))
        for r in rows:
            s.expunge(r)
    return rows


def test_double_opt_in_get_shows_a_button_only_post_confirms(app, firms, client_for):
    a = firms.a
    advertise(app, a.firm, "Python Developer")
    c = client_for(a.firm)
    assert c.get("/careers/alerts").status_code == 200
    resp = subscribe(c, keywords="python")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/careers/alerts/sent")
    (alert,) = _alerts(app, a.firm)
    assert alert.confirmed_at is None and alert.confirm_token_hash
    path = confirm_path(app)
    assert path.split("/")[-1] not in alert.confirm_token_hash, "only the token's hash is stored"
    (confirm_msg,) = messages(app, kind="job_alert_confirm")
    assert confirm_msg.show_in_portal is False and confirm_msg.to_email == "visitor@example.com"
    assert plan(app, a.firm) == 0, "no digest before the confirmation"
    # A link scanner fetching the link (GET, twice) confirms nothing.
    for _ in range(2):
        page = client_for(a.firm).get(path)
        assert page.status_code == 200 and "Start my job alert" in page.get_data(as_text=True)
        assert "Set-Cookie" not in page.headers
    assert _alerts(app, a.firm)[0].confirmed_at is None
    assert plan(app, a.firm) == 0
    done = client_for(a.firm).post(path)
    assert done.status_code == 200 and "Your job alert is on" in done.get_data(as_text=True)
    assert "Set-Cookie" not in done.headers
    assert _alerts(app, a.firm)[0].confirmed_at is not None
    # Single use: the link is spent.
    assert client_for(a.firm).post(path).status_code == 404
    assert client_for(a.firm).get(path).status_code == 404
    assert plan(app, a.firm) == 1
    (digest,) = digests(app)
    assert "Python Developer" in digest.body_text and digest.stream == "job_alerts"
    assert digest.list_unsubscribe and "/careers/alerts/unsubscribe/" in digest.list_unsubscribe


def test_the_confirmation_link_expires(app, firms, client_for):
    a = firms.a
    subscribe(client_for(a.firm))
    path = confirm_path(app)
    with time_machine.travel(utcnow() + timedelta(days=app.config["JOB_ALERT_CONFIRM_DAYS"], minutes=1)):
        assert client_for(a.firm).get(path).status_code == 404
        assert client_for(a.firm).post(path).status_code == 404
    assert _alerts(app, a.firm)[0].confirmed_at is None


def test_the_answer_is_the_same_whether_or_not_the_address_has_alerts(app, firms, client_for):
    a = firms.a
    c = client_for(a.firm)
    subscribe(c, "known@example.com")
    client_for(a.firm).post(confirm_path(app, "known@example.com"))
    known = subscribe(client_for(a.firm), "known@example.com")
    unknown = subscribe(client_for(a.firm), "nobody@example.com")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    page_known = client_for(a.firm).get(known.headers["Location"]).get_data(as_text=True)
    page_unknown = client_for(a.firm).get(unknown.headers["Location"]).get_data(as_text=True)
    assert page_known == page_unknown
    # Confirming the same criteria again keeps one alert running, not two.
    client_for(a.firm).post(confirm_path(app, "known@example.com"))
    active = [x for x in _alerts(app, a.firm) if x.email == "known@example.com" and x.confirmed_at]
    assert len(active) == 1


def test_digest_lists_only_matching_advertised_jobs(app, firms, client_for):
    a = firms.a
    advertise(app, a.firm, "Senior Python Engineer", location="Berlin", remote_policy=RemotePreference.HYBRID)
    advertise(app, a.firm, "Python Data Scientist", location="Remote", remote_policy=RemotePreference.REMOTE)
    advertise(app, a.firm, "Python Engineer Munich", location="Munich", remote_policy=RemotePreference.HYBRID)
    advertise(app, a.firm, "Java Engineer", location="Berlin", remote_policy=RemotePreference.HYBRID)
    advertise(app, a.firm, "Python On-site", location="Berlin", remote_policy=RemotePreference.ONSITE)
    make_search(app, a.firm, title="Python Not Advertised", location="Berlin", remote_policy=RemotePreference.HYBRID)
    advertise(app, a.firm, "Python Filled", location="Berlin", state=SearchState.FILLED)
    advertise(app, a.firm, "Python Expired", location="Berlin", advertise_until=utcnow() - timedelta(days=1))
    advertise(app, a.firm, "Python Expected", location="Berlin", remote_policy=RemotePreference.ANY, anticipated=True)
    subscribe(client_for(a.firm), keywords="python", location="berlin", remote="hybrid")
    client_for(a.firm).post(confirm_path(app))
    assert plan(app, a.firm) == 1
    (digest,) = digests(app)
    body = digest.body_text
    for title in ("Senior Python Engineer", "Python Expected"):
        assert title in body
    for title in (
        "Python Data Scientist",  # remote, not hybrid
        "Python Engineer Munich",
        "Java Engineer",
        "Python On-site",
        "Python Not Advertised",
        "Python Filled",
        "Python Expired",
    ):
        assert title not in body, title
    assert "(expected soon)" in body


def test_a_firm_without_a_careers_site_sends_no_digest(app, firms, client_for):
    a = firms.a
    advertise(app, a.firm, "Python Developer")
    subscribe(client_for(a.firm))
    client_for(a.firm).post(confirm_path(app))
    with firm_context(app, a.firm) as s:
        from portal.models import Firm

        s.get(Firm, a.firm.id).careers_enabled = False
    assert plan(app, a.firm) == 0
    assert client_for(a.firm).get("/careers/alerts").status_code == 404


def test_never_the_same_job_twice_over_several_weeks(app, firms, client_for):
    a = firms.a
    start = utcnow().replace(hour=7, minute=20, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        advertise(app, a.firm, "Data Engineer")
        subscribe(client_for(a.firm))
        client_for(a.firm).post(confirm_path(app))
        assert plan(app, a.firm) == 1
        assert plan(app, a.firm) == 0, "a second run the same day sends nothing"
    with time_machine.travel(start + timedelta(days=3), tick=False):
        advertise(app, a.firm, "Platform Engineer")
        assert plan(app, a.firm) == 0, "at most one digest a week"
    with time_machine.travel(start + timedelta(days=7), tick=False):
        assert plan(app, a.firm) == 1
    with time_machine.travel(start + timedelta(days=14), tick=False):
        assert plan(app, a.firm) == 0, "nothing new: nothing sent"
    with time_machine.travel(start + timedelta(days=21), tick=False):
        advertise(app, a.firm, "ML Engineer")
        assert plan(app, a.firm) == 1
    bodies = [m.body_text for m in digests(app)]
    assert len(bodies) == 3
    assert "Data Engineer" in bodies[0] and "Platform Engineer" not in bodies[0]
    assert "Platform Engineer" in bodies[1] and "Data Engineer" not in bodies[1]
    assert "ML Engineer" in bodies[2] and "Platform Engineer" not in bodies[2] and "Data Engineer" not in bodies[2]
    with firm_context(app, a.firm) as s:
        assert s.scalar(select(func.count()).select_from(JobAlertSent)) == 3


def test_a_confidential_client_is_never_named_nor_matched(app, firms, client_for):
    a = firms.a
    advertise(
        app,
        a.firm,
        "Chief Financial Officer",
        client="Globex Secret Corp",
        confidential=True,
        public_summary="A listed maker of medical devices",
        description_md="Report to the board of Globex Secret Corp.",
    )
    advertise(app, a.firm, "Head of Sales", client="Initech")
    subscribe(client_for(a.firm), "one@example.com", keywords="globex")
    client_for(a.firm).post(confirm_path(app, "one@example.com"))
    subscribe(client_for(a.firm), "two@example.com")
    client_for(a.firm).post(confirm_path(app, "two@example.com"))
    plan(app, a.firm)
    (digest,) = digests(app)
    assert digest.to_email == "two@example.com"
    for text in (digest.subject, digest.body_text, digest.body_html):
        assert "Globex" not in text
    assert "Confidential client" in digest.body_text and "A listed maker of medical devices" in digest.body_text
    assert "Initech" in digest.body_text


def test_one_click_unsubscribe_stops_the_next_digest(app, firms, client_for):
    a = firms.a
    advertise(app, a.firm, "Data Engineer")
    subscribe(client_for(a.firm))
    client_for(a.firm).post(confirm_path(app))
    start = utcnow()
    assert plan(app, a.firm, start) == 1
    (digest,) = digests(app)
    path = digest.list_unsubscribe.split("localhost", 1)[1]
    path = path[path.index("/") :]
    assert path in digest.body_text
    page = client_for(a.firm).get(path)
    assert page.status_code == 200 and "Stop the emails" in page.get_data(as_text=True)
    assert _alerts(app, a.firm)[0].unsubscribed_at is None, "GET changes nothing"
    resp = client_for(a.firm).post(path, data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
    assert client_for(a.firm).post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    advertise(app, a.firm, "Platform Engineer")
    assert plan(app, a.firm, start + timedelta(days=7)) == 0
    assert len(digests(app)) == 1


def test_another_firms_tokens_are_404(app, firms, client_for):
    a, b = firms.a, firms.b
    advertise(app, a.firm, "Data Engineer")
    subscribe(client_for(a.firm))
    path = confirm_path(app)
    assert client_for(b.firm).get(path).status_code == 404
    assert client_for(b.firm).post(path).status_code == 404
    client_for(a.firm).post(path)
    plan(app, a.firm)
    (digest,) = digests(app)
    unsub = digest.list_unsubscribe.split("localhost", 1)[1]
    unsub = unsub[unsub.index("/") :]
    assert client_for(b.firm).get(unsub).status_code == 404
    assert client_for(b.firm).post(unsub, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert _alerts(app, a.firm)[0].unsubscribed_at is None


def test_rate_limits_per_address_and_per_email(app, firms, client_for, monkeypatch):
    a = firms.a
    monkeypatch.setitem(app.config, "RATELIMIT_ALERTS_EMAIL", "2 per hour")
    monkeypatch.setitem(app.config, "RATELIMIT_ALERTS", "3 per hour")
    c = client_for(a.firm)
    # Per email address, from several visitor addresses, whatever the spelling.
    assert subscribe(c, "same@example.com", ip="10.0.0.1").status_code == 303
    assert subscribe(c, "same@example.com", ip="10.0.0.2").status_code == 303
    refused = subscribe(c, " SAME@example.com", ip="10.0.0.3")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    # Per visitor address, with a new email each time.
    for n in range(3):
        assert subscribe(c, f"person{n}@example.com", ip="10.0.0.9").status_code == 303
    assert subscribe(c, "person9@example.com", ip="10.0.0.9").status_code == 429
    assert len(_alerts(app, a.firm)) == 5
    # Only posting counts: the form still shows.
    assert c.get("/careers/alerts", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_the_honeypot_writes_nothing_and_answers_the_same(app, firms, client_for):
    a = firms.a
    resp = subscribe(client_for(a.firm), website="http://spam.example")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/careers/alerts/sent")
    assert _alerts(app, a.firm) == [] and messages(app, kind="job_alert_confirm") == []
    form = client_for(a.firm).get("/careers/alerts").get_data(as_text=True)
    assert 'aria-hidden="true"' in form and 'tabindex="-1"' in form


def test_only_the_form_page_sets_a_cookie(app, firms, client_for):
    a = firms.a
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        form = client_for(a.firm).get("/careers/alerts")
        assert form.status_code == 200 and 'name="csrf_token"' in form.get_data(as_text=True)
        sent = client_for(a.firm).get("/careers/alerts/sent")
        assert sent.status_code == 200 and "Set-Cookie" not in sent.headers
        # CSRF is on: a post without the token is refused and writes nothing.
        assert subscribe(client_for(a.firm)).status_code == 400
        assert _alerts(app, a.firm) == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


LONG = "x" * 20_000
HOSTILE = [LONG, "<script>alert(1)</script>", "a\x00b@example.com", "\x01\x02\x1b[31m", "é" * 5000]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_gets_a_clear_answer_never_a_500(app, firms, client_for, value):
    a = firms.a
    c = client_for(a.firm)
    resp = c.post("/careers/alerts", data={"email": value, "keywords": value, "location": value, "remote": value})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'class="error' in page
    # Hostile criteria with a good address: refused on the form (too long) or stored as text.
    resp = c.post("/careers/alerts", data={"email": "ok@example.com", "keywords": value[:200], "location": value[:120]})
    assert resp.status_code in (303, 400)
    for token in (value[:3000], "../../etc/passwd"):
        for method in (c.get, c.post):
            assert method(f"/careers/alerts/confirm/{token}").status_code == 404
            assert method(f"/careers/alerts/unsubscribe/{token}").status_code == 404


def test_recruiters_see_alert_emails_in_the_firms_messages(app, firms, client_for):
    """A visitor's email has no candidate: the staff pages of messages still show it."""
    a = firms.a
    subscribe(client_for(a.firm))
    (msg,) = messages(app, kind="job_alert_confirm")
    staff = client_for(a.firm)
    login_as(staff, a.recruiter)
    assert staff.get("/recruiter/messages").status_code == 200
    assert staff.get(f"/recruiter/messages/{msg.id}").status_code == 200


def test_a_link_can_fill_in_the_criteria(app, firms, client_for):
    c = client_for(firms.a.firm)
    page = c.get("/careers/alerts?keywords=data+engineer&location=Berlin&remote=hybrid&website=x")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="data engineer"' in html and 'value="Berlin"' in html
    assert '<option selected value="hybrid">' in html or 'value="hybrid" selected' in html
    hostile = c.get("/careers/alerts", query_string={"keywords": "<script>alert(1)</script>" * 1000})
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.get_data(as_text=True)
