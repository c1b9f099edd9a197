"""Shared helpers of the careers tests: an advertised search, an application posted through
the form, the confirmation email's link."""

from __future__ import annotations

import re
from io import BytesIO

from portal.extensions import db
from portal.models import Search
from tests.factories import firm_context
from tests.support.candidate import PDF_BYTES
from tests.support.recruiter import make_search

LINK = re.compile(r"https?://[^\s\"<>]+/login/link/([A-Za-z0-9_\-]+)")


def advertised(app, f, **kw) -> Search:
    search = make_search(app, f, **kw)
    with firm_context(app, f.firm):
        db.session.get(Search, search.id).advertised = True
    return search


def form(email: str = "new.person@example.com", name: str = "Nora New", **extra) -> dict:
    data = {
        "name": name,
        "email": email,
        "phone": "+44 20 7946 0000",
        "location": "London",
        "note": "I would love to talk.",
        "accept_privacy": "y",
        "cv": (BytesIO(PDF_BYTES), "Nora CV.pdf"),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post_apply(client, search_id: int, data: dict, query: str = ""):
    return client.post(f"/careers/jobs/{search_id}/apply{query}", data=data, content_type="multipart/form-data")


def mailed_link(run_jobs, smtp_sink, to: str) -> str:
    """The path of the sign-in link in the newest email to `to`."""
    run_jobs()
    for mail in reversed(smtp_sink.messages):
        text = mail.email.get_body(preferencelist=("plain",)).get_content()
        match = LINK.search(text)
        if mail.rcpt_tos == [to] and match:
            return "/login/link/" + match.group(1)
    raise AssertionError(f"no sign-in link was emailed to {to}")
