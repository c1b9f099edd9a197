"""A visitor starts a job alert on a phone (375 px, no JavaScript needed): the form, the answer,
the confirmation link from the email, the button that confirms; screenshots are saved."""

from __future__ import annotations

import re

import pytest

from tests.careers.alerts_support import advertise
from tests.support.fixtures.browser import screenshot


@pytest.mark.browser
def test_a_visitor_starts_a_job_alert_on_a_phone(app, firms, live_server, phone, run_jobs, smtp_sink):
    a = firms.a
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"
    advertise(app, a.firm, "Data Engineer")
    origin = f"http://{a.firm.slug}.localhost:{live_server.port}"
    phone.goto(f"{origin}/careers/alerts")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "careers-alerts-375")
    phone.fill("#keywords", "data")
    phone.select_option("#remote", "hybrid")
    phone.fill("#email", "phone.visitor@example.com")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert phone.url.endswith("/careers/alerts/sent") and "Check your email" in phone.content()
    screenshot(phone, "careers-alerts-sent-375")
    run_jobs()
    body = smtp_sink.messages[-1].email.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/careers/alerts/confirm/\S+", body).group(0)
    phone.goto(link)
    screenshot(phone, "careers-alert-confirm-375")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert "Your job alert is on" in phone.content()
    assert "data, hybrid" in phone.content()
