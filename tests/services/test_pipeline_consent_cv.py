"""Service rules (pipeline, consent, CV, undo, feedback chain) tested directly."""

import io
import zipfile

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal import storage
from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    CloseReason,
    Consent,
    ConsentState,
    Feedback,
    Message,
    MessageState,
    Search,
    SearchState,
    Stage,
)
from portal.services import DomainError, NotFound, cv, pipeline
from portal.services import consent as consent_service
from portal.services import feedback as feedback_service
from tests.factories import firm_context
from tests.support.recruiter import add, make_search, people


def _cy(cid):
    return db.session.get(Candidacy, cid)


# ------------------------------------------------------------------ pipeline


def test_add_to_search_rules(app, firms):
    f = firms.a
    s = make_search(app, f)
    closed = make_search(app, f, title="Closed", state=SearchState.CANCELLED)
    a, b = people(app, f, 2)
    with firm_context(app, f.firm):
        cand = db.session.get(Candidate, a.id)
        with pytest.raises(DomainError, match="closed"):
            pipeline.add_to_search(f.firm, f.recruiter, db.session.get(Search, closed.id), cand)
        with pytest.raises(DomainError, match="start at"):
            pipeline.add_to_search(f.firm, f.recruiter, db.session.get(Search, s.id), cand, Stage.OFFER)
        cy = pipeline.add_to_search(f.firm, f.recruiter, db.session.get(Search, s.id), cand)
        # Identified: the candidate is not told (they do not know yet).
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
        with pytest.raises(DomainError, match="already in this search"):
            pipeline.add_to_search(f.firm, f.recruiter, db.session.get(Search, s.id), cand)
        db.session.get(Candidate, b.id).deleted_at = cy.created_at
        with pytest.raises(DomainError, match="deleted"):
            pipeline.add_to_search(f.firm, f.recruiter, db.session.get(Search, s.id), db.session.get(Candidate, b.id))


def test_move_rules(app, firms):
    f = firms.a
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.CONTACTED)
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="Close"):
            pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.CLOSED)
        with pytest.raises(DomainError, match="already at"):
            pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.CONTACTED)
        with pytest.raises(DomainError, match="explanation"):
            pipeline.close(f.firm, f.recruiter, _cy(cy.id), CloseReason.WITHDREW, "x" * 6000)
        pipeline.close(f.firm, f.recruiter, _cy(cy.id), CloseReason.WITHDREW, "")
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="closed"):
            pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.SCREENING)
        with pytest.raises(DomainError, match="already closed"):
            pipeline.close(f.firm, f.recruiter, _cy(cy.id), CloseReason.WITHDREW, "")


def test_moving_back_below_presented_and_forward_again_needs_no_new_consent(app, firms):
    f = firms.a
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    with firm_context(app, f.firm):
        c = consent_service.request_consent(f.firm, f.recruiter, _cy(cy.id))
        consent_service.answer_consent(f.firm, f.candidate, c.id, approve=True)
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.INTERVIEWING)  # jumping over presented
        first_sent = db.session.get(Consent, c.id).cv_sent_at
        assert first_sent is not None
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.SCREENING)
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.PRESENTED)
        assert db.session.get(Consent, c.id).cv_sent_at == first_sent


def test_close_search_refuses_open_state_and_twice(app, firms):
    f = firms.a
    s = make_search(app, f)
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="filled or cancelled"):
            pipeline.close_search(f.firm, f.recruiter, db.session.get(Search, s.id), SearchState.ON_HOLD)
        assert pipeline.close_search(f.firm, f.recruiter, db.session.get(Search, s.id), SearchState.CANCELLED) == 0
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="already closed"):
            pipeline.close_search(f.firm, f.recruiter, db.session.get(Search, s.id), SearchState.FILLED)


def test_placed_candidacies_are_not_closed_with_the_search(app, firms):
    f = firms.a
    s = make_search(app, f)
    placed, other = people(app, f, 2)
    cy = add(app, f, s, placed, Stage.SCREENING)
    add(app, f, s, other, Stage.CONTACTED)
    with firm_context(app, f.firm):
        c = consent_service.request_consent(f.firm, f.recruiter, _cy(cy.id))
        consent_service.answer_consent(f.firm, db.session.get(Candidate, placed.id), c.id, approve=True)
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.PLACED)
        assert pipeline.close_search(f.firm, f.recruiter, db.session.get(Search, s.id), SearchState.FILLED) == 1
        assert _cy(cy.id).stage == Stage.PLACED


# ------------------------------------------------------------------ undo


def test_undo_rules(app, firms):
    f = firms.a
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), people(app, f, 1)[0], Stage.IDENTIFIED)
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="no move to undo"):
            pipeline.undo_last_change(f.firm, f.recruiter, _cy(cy.id))
        ch = pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.CONTACTED)
    with firm_context(app, f.firm):
        assert pipeline.undoable(_cy(cy.id)) is not None
        pipeline.undo_last_change(f.firm, f.recruiter, _cy(cy.id), change_id=ch.id)
    with firm_context(app, f.firm):
        assert _cy(cy.id).stage == Stage.IDENTIFIED
        # The add itself (from nothing) is not undoable.
        with pytest.raises(DomainError, match="no move to undo"):
            pipeline.undo_last_change(f.firm, f.recruiter, _cy(cy.id))
    app.config["GRACE_SECONDS"] = 0
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.CONTACTED)
    with firm_context(app, f.firm):
        assert pipeline.undoable(_cy(cy.id)) is None
        with pytest.raises(DomainError, match="Too late"):
            pipeline.undo_last_change(f.firm, f.recruiter, _cy(cy.id))


def test_undo_after_feedback_cancels_only_the_move(app, firms):
    """Changes held in one grace window are separate messages of one group: undoing the
    move cancels the move's message and the feedback still goes out."""
    f = firms.a
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), f.candidate, Stage.CONTACTED)
    with firm_context(app, f.firm):
        first = db.session.scalars(select(Message.id).where(Message.state == MessageState.PENDING)).all()
        feedback_service.post_feedback(f.firm, f.recruiter, _cy(cy.id), "Thanks for the call.")
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.SCREENING)
    with firm_context(app, f.firm):
        pipeline.undo_last_change(f.firm, f.recruiter, _cy(cy.id))
    with firm_context(app, f.firm):
        assert _cy(cy.id).stage == Stage.CONTACTED
        pending = db.session.scalars(
            select(Message).where(Message.state == MessageState.PENDING).order_by(Message.id)
        ).all()
        assert [m.kind for m in pending if m.id not in first] == ["feedback_posted"]
        assert "Thanks for the call." in pending[-1].body_text


def test_each_change_in_the_grace_window_reaches_the_candidate_exactly_once(app, firms):
    from portal.models import Firm
    from worker.delivery import compose

    f = firms.a
    app.config["GRACE_SECONDS"] = 300
    cy = add(app, f, make_search(app, f), f.candidate, Stage.CONTACTED)
    with firm_context(app, f.firm):
        feedback_service.post_feedback(f.firm, f.recruiter, _cy(cy.id), "First thought.")
    with firm_context(app, f.firm):
        feedback_service.post_feedback(f.firm, f.recruiter, _cy(cy.id), "Second thought.")
    with firm_context(app, f.firm):
        pipeline.move(f.firm, f.recruiter, _cy(cy.id), Stage.SCREENING)
    with firm_context(app, f.firm):
        group = db.session.scalars(
            select(Message)
            .where(Message.state == MessageState.PENDING, Message.coalesce_key == pipeline.coalesce_key(_cy(cy.id)))
            .order_by(Message.id)
        ).all()
        assert len({m.due_at for m in group}) == 1  # one window: sent together
        email = compose(db.session.get(Firm, f.firm.id), group)
        for text in ("First thought.", "Second thought."):
            assert email.body_text.count(text) == 1 and email.body_html.count(text) == 1
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 2


# ------------------------------------------------------------------ consent


def test_consent_rules(app, firms):
    f = firms.a
    s = make_search(app, f, confidential=True, client="Secret Corp")
    cy = add(app, f, s, f.candidate, Stage.SCREENING)
    (nomail,) = people(app, f, 1, email=None)
    cy2 = add(app, f, s, nomail, Stage.SCREENING)
    with firm_context(app, f.firm):
        assert not consent_service.client_revealed(_cy(cy.id))
        with pytest.raises(DomainError, match="no email address"):
            consent_service.request_consent(f.firm, f.recruiter, _cy(cy2.id))
        c = consent_service.request_consent(f.firm, f.recruiter, _cy(cy.id))
        assert c.client_name == "Secret Corp" and c.role_title == s.title
        msg = db.session.scalar(select(Message).where(Message.kind == "consent_requested"))
        assert "Secret Corp" in msg.body_text  # the candidate is told who before saying yes
    with firm_context(app, f.firm):
        assert consent_service.client_revealed(_cy(cy.id))
        with pytest.raises(DomainError, match="already requested"):
            consent_service.request_consent(f.firm, f.recruiter, _cy(cy.id))
        with pytest.raises(NotFound):
            consent_service.answer_consent(f.firm, db.session.get(Candidate, nomail.id), c.id, approve=True)
        with pytest.raises(DomainError, match="comment"):
            consent_service.answer_consent(f.firm, f.candidate, c.id, approve=True, comment="x" * 3000)
        consent_service.answer_consent(f.firm, f.candidate, c.id, approve=True)
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="already approved"):
            consent_service.request_consent(f.firm, f.recruiter, _cy(cy.id))
        assert consent_service.approved(_cy(cy.id)).state == ConsentState.APPROVED
        pipeline.close(f.firm, f.recruiter, _cy(cy.id), CloseReason.WITHDREW, "")
    with firm_context(app, f.firm):
        with pytest.raises(DomainError, match="closed"):
            consent_service.request_consent(f.firm, f.recruiter, _cy(cy.id))


# ------------------------------------------------------------------ CV


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_cv_sniffing():
    assert cv.sniff(b"%PDF-1.7 rest") == cv.PDF
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "x")
        zf.writestr("word/document.xml", "x")
    assert cv.sniff(buf.getvalue()) == cv.DOCX
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("xl/workbook.xml", "x")  # a spreadsheet is not a CV
    assert cv.sniff(other.getvalue()) is None
    assert cv.sniff(b"<html>%PDF-") is None and cv.sniff(b"") is None


def test_cv_store_replace_and_path_safety(app, firms):
    f = firms.a
    (c,) = people(app, f, 1)
    with firm_context(app, f.firm):
        cand = db.session.get(Candidate, c.id)
        with pytest.raises(DomainError, match="Choose a file"):
            cv.store_cv(cand, None)
        cv.store_cv(cand, _upload(b"%PDF-1.4 a", "../../etc/passwd.pdf"))
        first = cv.stored_cv(cand)
        first_key = cand.cv_path
        assert first.data == b"%PDF-1.4 a" and first_key.startswith(f"{f.firm.id}/cv/{cand.id}-")
        assert first.download_name == "etc_passwd.pdf"
        cv.store_cv(cand, _upload(b"%PDF-1.4 b", "new.pdf"))
        assert not storage.backend().exists(first_key)
        assert cv.stored_cv(cand).data == b"%PDF-1.4 b"
        # A path outside the old upload folder is never served.
        cand.cv_path = "../../../etc/passwd"
        assert cv.stored_cv(cand) is None
        cand.cv_path = None
        assert cv.stored_cv(cand) is None
