"""An interview's invitation reaches the candidate through the real worker and a real SMTP
server as a text/calendar part (RFC 6047: method=REQUEST or CANCEL, the same as its METHOD),
beside the text and HTML; a reschedule keeps the UID and raises the SEQUENCE; a cancellation is
METHOD:CANCEL. Read back with two independent parsers (icalendar and vobject)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.models import Stage
from portal.models.interview import Interview
from portal.services import interviews
from tests.factories import firm_context
from tests.support import candidate as cs
from tests.support import interview_services as ivs


def _calendar_part(sink_message):
    parts = [p for p in sink_message.email.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_invitations_travel_as_text_calendar_through_the_worker(app, firms, run_jobs, smtp_sink):
    f = firms.a
    search = cs.make_search(app, f, title="Data Lead", client="Globex")
    cy = cs.add(app, f, search, f.candidate, Stage.SCREENING)
    soon = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=6)
    iv_id = ivs.schedule(app, f, cy.id, at=soon, candidate_notes_md="Zoë will ask about **Postgres** — bring notes.")
    run_jobs()
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interviews.reschedule(f.firm, db.session.merge(f.recruiter), iv, starts_at=soon + timedelta(days=1))
    run_jobs()
    with firm_context(app, f.firm):
        interviews.cancel(f.firm, db.session.merge(f.recruiter), db.session.get(Interview, iv_id))
    run_jobs()
    sent = [m for m in smtp_sink.wait_for(4) if "interview" in m.email["Subject"].lower()]  # + the stage change
    assert [m.rcpt_tos for m in sent] == [[f.candidate.email]] * 3
    seen = []
    for m in sent:
        part = _calendar_part(m)
        ics = part.get_content()
        cal, event, other = ivs.parse_both(ics)
        method = str(cal["method"])
        assert part.get_param("method") == method == other.method.value
        types = [p.get_content_type() for p in m.email.walk()]
        assert types[:3] == ["multipart/alternative", "text/plain", "text/html"]
        seen.append((method, str(event["uid"]), int(event["sequence"]), event.decoded("dtstart")))
        assert "Zoë" in str(event["description"]) and "INTERNAL-IV-SECRET" not in m.data.decode("utf-8", "replace")
    assert [s[0] for s in seen] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({s[1] for s in seen}) == 1
    assert [s[2] for s in seen] == [0, 1, 2]
    assert seen[1][3] - seen[0][3] == timedelta(days=1)
    assert "Your interview is cancelled" in sent[2].email["Subject"]


def test_a_proposal_email_carries_no_calendar_and_links_to_the_pick_page(app, firms, run_jobs, smtp_sink):
    f = firms.a
    search = cs.make_search(app, f)
    cy = cs.add(app, f, search, f.candidate, Stage.SCREENING)
    soon = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=6)
    iv_id = ivs.schedule(app, f, cy.id, slots=[soon, soon + timedelta(days=1)])
    run_jobs()
    [m] = [m for m in smtp_sink.wait_for(2) if "interview" in m.email["Subject"].lower()]
    assert not [p for p in m.email.walk() if p.get_content_type() == "text/calendar"]
    text = m.email.get_body(("plain",)).get_content()
    assert f"/me/interviews/{iv_id}#pick" in text and "Please choose a time" in m.email["Subject"]
