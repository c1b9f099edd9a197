"""The recruiter's office hours: publish, change, stop and offer again; clear messages for bad
or hostile input (never a 500, nothing stored); another recruiter's entry is not theirs to change;
the reminder settings on the firm's contact rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Firm
from portal.models.interview import InterviewFormat, OfficeHours
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.interviews import make_office_hours

GOOD = {
    "weekday": "1",
    "start_minute": "600",
    "end_minute": "720",
    "slot_minutes": "30",
    "timezone": "Europe/Berlin",
    "format": "video",
    "location": "https://meet.example/me",
    "note": "Bring your CV",
}
LONG = "x" * 20_000
SCRIPT = "<script>alert(1)</script>"


def _entries(app, firm) -> list[OfficeHours]:
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(OfficeHours).order_by(OfficeHours.id)))
        for r in rows:
            s.expunge(r)
    return rows


def _form(prefix: str, **changes) -> dict:
    return {f"{prefix}-{k}": v for k, v in {**GOOD, **changes}.items()}


def test_publish_change_stop_and_offer_again(app, firms, client_for):
    a = firms.a
    me = client_for(a.firm)
    login_as(me, a.recruiter)
    assert me.get("/recruiter/office-hours").status_code == 200
    assert me.post("/recruiter/office-hours", data=_form("new")).status_code == 303
    (h,) = _entries(app, a.firm)
    assert (h.recruiter_id, h.weekday, h.start_minute, h.end_minute, h.timezone) == (
        a.recruiter.id,
        1,
        600,
        720,
        "Europe/Berlin",
    )
    assert (h.format, h.location, h.note, h.active) == (
        InterviewFormat.VIDEO,
        "https://meet.example/me",
        "Bring your CV",
        True,
    )
    page = me.get("/recruiter/office-hours").get_data(as_text=True)
    assert "Tuesdays, 10:00–12:00 (Europe/Berlin)" in page
    resp = me.post(f"/recruiter/office-hours/{h.id}", data=_form(f"oh{h.id}", format="on_site", location="1 Main St"))
    assert resp.status_code == 303
    (h,) = _entries(app, a.firm)
    assert (h.format, h.location) == (InterviewFormat.ON_SITE, "1 Main St")
    assert me.post(f"/recruiter/office-hours/{h.id}/active", data={"active": "0"}).status_code == 303
    assert _entries(app, a.firm)[0].active is False
    assert me.post(f"/recruiter/office-hours/{h.id}/active", data={"active": "1"}).status_code == 303
    assert _entries(app, a.firm)[0].active is True


def test_another_recruiters_entry_is_not_found(app, firms, client_for):
    a = firms.a
    hid = make_office_hours(app, a)  # a.recruiter's
    other = client_for(a.firm)
    login_as(other, a.admin)
    assert other.post(f"/recruiter/office-hours/{hid}", data=_form(f"oh{hid}")).status_code == 404
    assert other.post(f"/recruiter/office-hours/{hid}/active", data={"active": "0"}).status_code == 404
    assert _entries(app, a.firm)[0].active is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_minute": "600"}, "The end must come after the start."),
        ({"end_minute": "615", "slot_minutes": "30"}, "at least one slot"),
        ({"slot_minutes": "25"}, "Not a valid choice"),
        ({"weekday": "9"}, "Not a valid choice"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"start_minute": "abc"}, "Invalid Choice"),
        ({"location": LONG}, "500"),
        ({"note": LONG}, "300"),
        ({"note": SCRIPT}, "without HTML"),
        ({"location": "<b>x</b>"}, "without HTML"),
        ({"note": "a\x00b" + "c" * 400}, "300"),
    ],
)
def test_bad_and_hostile_input_is_refused_on_the_form(app, firms, client_for, changes, message):
    a = firms.a
    me = client_for(a.firm)
    login_as(me, a.recruiter)
    resp = me.post("/recruiter/office-hours", data=_form("new", **changes))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html and "<script>alert(1)" not in html
    assert _entries(app, a.firm) == []
    hid = make_office_hours(app, a)
    resp = me.post(f"/recruiter/office-hours/{hid}", data=_form(f"oh{hid}", **changes))
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert _entries(app, a.firm)[0].start_minute == 600  # unchanged


def test_reminder_settings_on_the_contact_rules(app, firms, client_for):
    a = firms.a
    admin = client_for(a.firm)
    login_as(admin, a.admin)
    page = admin.get("/admin/contact-rules").get_data(as_text=True)
    assert "Interview reminders" in page and 'value="24"' in page
    with firm_context(app, a.firm) as s:
        f = s.get(Firm, a.firm.id)
        base = {
            "timezone": f.timezone,
            "cadence_days": f.cadence_days,
            "checkin_weekday": f.checkin_weekday,
            "checkin_hour": f.checkin_hour,
            "nurture_weeks": f.nurture_weeks,
            "availability_prompt_weeks": f.availability_prompt_weeks,
            "feedback_window_days": f.feedback_window_days,
            "reply_window_days": f.reply_window_days,
        }
    for first, second, ok in (
        ("48", "2", True),
        ("0", "1", True),
        ("2", "2", False),
        ("200", "1", False),
        ("x", "1", False),
        ("24", "-1", False),
    ):
        resp = admin.post(
            "/admin/contact-rules", data={**base, "reminder_first_hours": first, "reminder_second_hours": second}
        )
        assert (resp.status_code in (302, 303)) is ok, (first, second, resp.status_code)
    with firm_context(app, a.firm) as s:
        f = s.get(Firm, a.firm.id)
        assert (f.reminder_first_hours, f.reminder_second_hours) == (0, 1)
    resp = admin.post("/admin/contact-rules", data={**base, "reminder_first_hours": "2", "reminder_second_hours": "2"})
    assert "fewer hours than the first" in resp.get_data(as_text=True)
