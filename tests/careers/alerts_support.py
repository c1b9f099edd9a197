"""Helpers for the job-alert tests: advertised searches, subscribing through the real form,
the confirmation link from the outbox, and one digest run."""

from __future__ import annotations

import re

from portal.models import Firm, utcnow
from portal.services import job_alert_digest
from tests.factories import firm_context
from tests.support.worker import make_search, messages


def advertise(app, firm, title, **kw):
    kw.setdefault("advertised_at", utcnow())
    return make_search(app, firm, title=title, advertised=True, **kw)


def subscribe(client, email="visitor@example.com", ip="127.0.0.1", **criteria):
    data = {"email": email, "keywords": "", "location": "", "remote": "", **criteria}
    return client.post("/careers/alerts", data=data, environ_base={"REMOTE_ADDR": ip})


def confirm_path(app, email="visitor@example.com") -> str:
    """The path of the newest confirmation link emailed to this address."""
    (msg, *_rest) = reversed(messages(app, kind="job_alert_confirm", to_email=email))
    return re.search(r"https?://[^/\s]+(/careers/alerts/confirm/\S+)", msg.body_text).group(1)


def plan(app, firm, now=None) -> int:
    with firm_context(app, firm) as s:
        return job_alert_digest.plan_digests(s.get(Firm, firm.id), now or utcnow())


def digests(app, **where):
    return messages(app, kind="job_alert_digest", **where)
