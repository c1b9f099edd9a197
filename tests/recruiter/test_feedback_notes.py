"""Feedback (candidate-visible, previewed, messaged) and internal notes (never candidate-facing)."""

import io
import re
import zipfile
from urllib.parse import urljoin, urlsplit

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidacy, Feedback, Message, MessageState, Note, Stage
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import add, approve_consent, flashes, make_search

SECRET = "ZQX-internal-only-7731"


def test_preview_renders_without_saving(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), rec.f.candidate, Stage.CONTACTED)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback",
        data={"body": "Great **first call**.\n\n- clear\n- kind", "action": "preview"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Preview: what" in html and "<strong>first call</strong>" in html and "<li>clear</li>" in html
    assert 'value="post"' in html and "Great **first call**." in html  # the text stays in the box
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0
        assert (
            db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == "feedback_posted")) == 0
        )


def test_posting_feedback_saves_it_and_writes_one_grace_message(app, rec, run_jobs, smtp_sink):
    app.config["GRACE_SECONDS"] = 300
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.CONTACTED)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback",
        data={"body": "You were **great** on the call.", "action": "post"},
        follow_redirects=True,
    )
    assert "Feedback posted" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        fb = db.session.scalar(select(Feedback))
        assert fb.body_html == "<p>You were <strong>great</strong> on the call.</p>"
        msgs = db.session.scalars(select(Message).where(Message.candidacy_id == cy.id).order_by(Message.id)).all()
    feedback_msg = msgs[-1]
    assert feedback_msg.kind == "feedback_posted" and feedback_msg.dedupe_key == f"feedback:{fb.id}"
    assert feedback_msg.coalesce_key == f"candidacy:{cy.id}" and feedback_msg.state == MessageState.PENDING
    assert feedback_msg.due_at > feedback_msg.created_at  # held for the grace window
    assert "You were **great** on the call." in feedback_msg.body_text
    assert "<strong>great</strong>" in feedback_msg.body_html
    assert "We have been in touch" in feedback_msg.body_text  # where they stand, in candidate words
    # It joins the pending "contacted" message's grace window: the two go out as one email.
    assert msgs[0].kind == "stage_changed" and msgs[0].state == MessageState.PENDING
    assert msgs[0].due_at == feedback_msg.due_at
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "<strong>great</strong>" in page


def test_a_move_right_after_feedback_goes_out_with_it_in_one_email(app, rec):
    app.config["GRACE_SECONDS"] = 300
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.CONTACTED)
    rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Strong *systems* answers.", "action": "post"}
    )
    with firm_context(app, f.firm):
        version = db.session.get(Candidacy, cy.id).version
    rec.client.post(f"/recruiter/candidacies/{cy.id}/move", data={"stage": "screening", "version": version})
    with firm_context(app, f.firm):
        msgs = db.session.scalars(select(Message).where(Message.candidacy_id == cy.id).order_by(Message.id)).all()
    pending = [m for m in msgs if m.state == MessageState.PENDING]
    assert [m.kind for m in pending] == ["stage_changed", "feedback_posted", "stage_changed"]
    assert len({m.due_at for m in pending}) == 1  # one grace window: one email
    from portal.models import Firm
    from worker.delivery import compose

    with firm_context(app, f.firm):
        email = compose(db.session.get(Firm, f.firm.id), pending)
    assert email.body_text.count("Strong *systems* answers.") == 1
    assert email.body_html.count("<em>systems</em>") == 1


def test_feedback_on_a_closed_candidacy_never_replaces_the_close_the_loop_message(app, rec):
    app.config["GRACE_SECONDS"] = 300
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "client_declined", "explanation": "They chose someone local.", "version": cy.version},
    )
    rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Your portfolio was superb.", "action": "post"}
    )
    with firm_context(app, f.firm):
        kinds = {m.kind: m.state for m in db.session.scalars(select(Message).where(Message.candidacy_id == cy.id))}
    assert kinds["candidacy_closed"] == MessageState.PENDING and kinds["feedback_posted"] == MessageState.PENDING


def test_feedback_is_refused_before_the_candidate_knows_about_the_search(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), rec.f.candidate, Stage.IDENTIFIED)
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Hi", "action": "post"})
    assert resp.status_code == 400 and "does not know about this search yet" in resp.get_data(as_text=True)
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_empty_or_html_feedback_gets_a_clear_message(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), rec.f.candidate, Stage.CONTACTED)
    for body, message in (
        ("", "Write the feedback first."),
        ("<script>alert(1)</script>", "HTML is not allowed"),
        ("x" * 20_000, "Field cannot be longer than 10000"),
    ):
        for action in ("preview", "post"):
            resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": body, "action": action})
            assert resp.status_code == 400 and message in resp.get_data(as_text=True), (body[:20], action)
    with firm_context(app, rec.f.firm):
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_notes_on_candidate_and_candidacy_pages(app, rec):
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.CONTACTED)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/notes", data={"body": "Salary *flexible*"}, follow_redirects=True
    )
    assert "Internal note saved" in flashes(resp.get_data(as_text=True))
    resp = rec.client.post(
        f"/recruiter/candidates/{f.candidate.id}/notes", data={"body": "Met at a meetup"}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert "Met at a meetup" in html and "Salary <em>flexible</em>" in html
    with firm_context(app, f.firm):
        notes = db.session.scalars(select(Note).order_by(Note.id)).all()
    assert [(n.candidacy_id, n.author_id) for n in notes] == [(cy.id, f.recruiter.id), (None, f.recruiter.id)]
    assert (
        rec.client.post(
            f"/recruiter/candidates/{f.candidate.id}/notes", data={"body": ""}, follow_redirects=True
        ).status_code
        == 200
    )
    with firm_context(app, f.firm):
        assert db.session.scalar(select(func.count()).select_from(Note)) == 2
    with firm_context(app, f.firm):
        # A note message never exists: notes write nothing to the outbox.
        assert not db.session.scalars(select(Message).where(Message.body_text.contains("meetup"))).all()


def _crawl_candidate_portal(app, client, start_paths, limit=80) -> dict[str, str]:
    """Every candidate-facing page reachable from the candidate's pages (GET, same host)."""
    seen: dict[str, str] = {}
    queue = list(start_paths)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        resp = client.get(path)
        if resp.mimetype == "application/zip" or resp.get_data()[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(resp.get_data())) as zf:  # an export: read every file in it
                body = "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        else:
            body = resp.get_data().decode("utf-8", "replace")
        seen[path] = body
        if resp.status_code in (301, 302, 303):
            queue.append(urlsplit(resp.headers["Location"]).path)
        for href in re.findall(r'href="([^"#]+)', body):
            target = urljoin(path, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/me") or "logout" in parts.path:
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_an_internal_note_never_reaches_the_candidate(app, rec, client_for, run_jobs, smtp_sink):
    """Notes in every place a recruiter can write them; then everything the candidate can see:
    every message (subject, text, HTML), every email sent, and every candidate page reachable."""
    f = rec.f
    s = make_search(app, f)
    cy = add(app, f, s, f.candidate, Stage.CONTACTED)
    rec.client.post(f"/recruiter/candidacies/{cy.id}/notes", data={"body": f"Candidacy note {SECRET}"})
    rec.client.post(f"/recruiter/candidates/{f.candidate.id}/notes", data={"body": f"Profile note {SECRET}"})
    rec.client.post(
        f"/recruiter/candidates/{f.candidate.id}/edit",
        data={
            "name": f.candidate.name,
            "email": f.candidate.email,
            "job_seeking": "open",
            "note": f"Edit note {SECRET}",
        },
    )
    # Everything else that writes to the candidate afterwards.
    rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Good call today.", "action": "post"})
    rec.client.post(f"/recruiter/candidacies/{cy.id}/consent")
    approve_consent(app, f, add(app, f, make_search(app, f, title="Second role"), f.candidate, Stage.SCREENING))
    with firm_context(app, f.firm):
        version = db.session.get(Candidacy, cy.id).version
    rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "not_a_fit", "explanation": "We need more Go.", "version": version},
    )
    with firm_context(app, f.firm):
        assert db.session.scalar(select(func.count()).select_from(Note)) == 3
        msgs = db.session.scalars(select(Message)).all()
    assert len(msgs) >= 5
    for m in msgs:
        assert SECRET not in m.subject + m.body_text + m.body_html, m.kind
    run_jobs()
    sent = smtp_sink.wait_for(4)
    assert sent and all(SECRET not in m.data.decode("utf-8", "replace") for m in sent)
    # The candidate's own pages (whatever the candidate portal offers: home, searches, messages, export).
    cand = client_for(f.firm)
    login_as(cand, f.candidate_user)
    start = [
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("candidate.") and "GET" in r.methods and not r.arguments
    ]
    pages = _crawl_candidate_portal(app, cand, start)
    assert "/me/" in pages and len(pages) >= 5, sorted(pages)
    zips = [body for p, body in pages.items() if p.endswith(".zip")]
    assert zips and f.candidate.email in zips[0], "the data export is part of the crawl, unpacked"
    # The crawl does see what the candidate may see (so the absence of the note means something).
    assert any("Good call today." in body for body in pages.values())
    assert any("Good call today." in body for body in zips)
    for path, body in pages.items():
        assert SECRET not in body, path
    # And the recruiter does see them.
    assert SECRET in rec.client.get(f"/recruiter/candidates/{f.candidate.id}").get_data(as_text=True)
    assert SECRET in rec.client.get(f"/recruiter/candidates/{f.candidate.id}/activity").get_data(as_text=True)


def test_the_candidate_cannot_open_recruiter_pages_with_notes(app, rec, client_for):
    f = rec.f
    cy = add(app, f, make_search(app, f), f.candidate, Stage.CONTACTED)
    rec.client.post(f"/recruiter/candidacies/{cy.id}/notes", data={"body": SECRET})
    cand = client_for(f.firm)
    login_as(cand, f.candidate_user)
    for url in (
        f"/recruiter/candidacies/{cy.id}",
        f"/recruiter/candidates/{f.candidate.id}",
        f"/recruiter/candidates/{f.candidate.id}/activity",
        f"/recruiter/searches/{cy.search_id}/activity",
    ):
        resp = cand.get(url)
        assert resp.status_code == 403 and SECRET not in resp.get_data(as_text=True)


def test_feedback_and_notes_are_separate_services():
    """The feedback service (candidate-facing) never touches the notes table."""
    import inspect

    from portal.services import feedback

    assert "Note" not in inspect.getsource(feedback)


def test_previewing_feedback_leaves_the_note_box_empty(app, rec):
    """Both forms have a "body": the preview must not copy the feedback into the note form."""
    cy = add(app, rec.f, make_search(app, rec.f), rec.f.candidate, Stage.CONTACTED)
    html = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Feedback words", "action": "preview"}
    ).get_data(as_text=True)
    notes = html[html.index('id="notes"') :]
    assert "Feedback words" not in notes
    assert html.count("Feedback words") == 2  # the feedback box and the preview
