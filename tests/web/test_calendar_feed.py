"""Private calendar feeds: a candidate's and a recruiter's feed parse with icalendar, need no
cookie, show only what their reader may see, stop working when renewed, and never open on another
firm's host."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest

from portal.models import Consent, utcnow
from portal.models.interview import InterviewFormat, InterviewKind, InterviewState
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.interviews import change_interview, make_interview_at
from tests.support.worker import make_candidacy, make_search


def _feed_path(client, page: str) -> str:
    html = client.get(page).get_data(as_text=True)
    webcal = re.search(r'href="(webcal://[^"]+)"', html)
    assert webcal, "no Add to calendar link"
    https = re.search(r'value="(https?://[^"]+\.ics)"', html)
    assert https and https.group(1).split("://", 1)[1] == webcal.group(1).split("://", 1)[1]
    return "/" + webcal.group(1).split("://", 1)[1].split("/", 1)[1]


def _events(resp) -> list:
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(resp.data)
    return list(cal.walk("VEVENT"))


@pytest.fixture
def world(app, firms):
    a = firms.a
    now = utcnow()
    secret = make_search(app, a.firm, client="Globex", title="Data Engineer", confidential=True)
    told = make_search(app, a.firm, client="Initech", title="Analyst", confidential=True)
    cy_secret = make_candidacy(app, a.firm, a.candidate, secret)
    cy_told = make_candidacy(app, a.firm, a.candidate, told)
    with firm_context(app, a.firm) as s:
        s.add(
            Consent(
                candidacy_id=cy_told.id,
                candidate_id=cy_told.candidate_id,
                search_id=cy_told.search_id,
                requested_by_id=a.recruiter.id,
                client_name="Initech",
                role_title="x",
            )
        )
    ids = {
        "secret": make_interview_at(
            app,
            a,
            now + timedelta(days=2),
            candidacy=cy_secret,
            format=InterviewFormat.ON_SITE,
            location="Globex tower, 5 Bank Street",
            internal_notes="SECRET-NOTE fee 30%",
        ),
        "told": make_interview_at(app, a, now + timedelta(days=3), candidacy=cy_told),
        "cancelled": make_interview_at(app, a, now + timedelta(days=4), candidacy=cy_told),
        "booking": make_interview_at(app, a, now + timedelta(days=5), kind=InterviewKind.OFFICE_HOURS),
    }
    change_interview(app, a.firm, ids["cancelled"], state=InterviewState.CANCELLED, sequence=1)
    return ids


def test_candidate_feed_without_a_cookie(app, firms, client_for, world):
    a = firms.a
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    path = _feed_path(me, "/me/settings")
    resp = client_for(a.firm).get(path)  # a calendar app: no cookie
    assert resp.headers["Cache-Control"].startswith("private")
    events = {str(e["UID"]): e for e in _events(resp)}
    assert len(events) == 4
    text = resp.get_data(as_text=True)
    assert "Globex" not in text and "SECRET-NOTE" not in text
    assert "Data Engineer at Confidential client" in text and "5 Bank Street" in text
    assert "Analyst at Initech" in text  # told: named
    statuses = sorted(str(e["STATUS"]) for e in events.values())
    assert statuses == ["CANCELLED", "CONFIRMED", "CONFIRMED", "CONFIRMED"]
    assert "Office hours with" in text


def test_recruiter_feed_shows_their_interviews_and_bookings_without_internal_notes(app, firms, client_for, world):
    a = firms.a
    me = client_for(a.firm)
    login_as(me, a.recruiter)
    path = _feed_path(me, "/recruiter/profile")
    text = client_for(a.firm).get(path).get_data(as_text=True)
    assert len(_events(client_for(a.firm).get(path))) == 4
    assert "Globex" in text  # the recruiter knows the client
    assert "SECRET-NOTE" not in text and "Office hours: " in text
    # Another recruiter's feed does not hold them.
    other = client_for(a.firm)
    login_as(other, a.admin)
    assert _events(client_for(a.firm).get(_feed_path(other, "/recruiter/profile"))) == []


def test_a_new_link_stops_the_old_one(app, firms, client_for, world):
    a = firms.a
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    old = _feed_path(me, "/me/settings")
    resp = me.post("/me/settings/calendar-link")
    assert resp.status_code == 303
    new = _feed_path(me, "/me/settings")
    assert new != old
    assert client_for(a.firm).get(old).status_code == 404
    assert client_for(a.firm).get(new).status_code == 200
    staff = client_for(a.firm)
    login_as(staff, a.recruiter)
    old_staff = _feed_path(staff, "/recruiter/profile")
    assert staff.post("/recruiter/profile/calendar-link").status_code == 303
    assert client_for(a.firm).get(old_staff).status_code == 404


def test_other_firm_host_and_forged_tokens_are_404(app, firms, client_for, world):
    a, b = firms.a, firms.b
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    path = _feed_path(me, "/me/settings")
    assert client_for(b.firm).get(path).status_code == 404
    user_id, mac = path.rsplit("/", 1)[1][: -len(".ics")].split("-", 1)
    for forged in (
        f"{user_id}-{'A' * len(mac)}",
        f"{int(user_id) + 1}-{mac}",
        f"{user_id}-",
        "x-y",
        "0" * 40,
        "9" * 30 + "-abc",
        "<script>",
    ):
        assert client_for(a.firm).get(f"/calendar/{forged}.ics").status_code == 404, forged
