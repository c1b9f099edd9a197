"""Pipelines: the board per search, the candidacy page, moves (with undo), closing, consent,
feedback (with a preview) and internal notes. Every action is a plain form; board.js only
adds drag and drop that submits the same move form. The rules live in the services, never here."""

from __future__ import annotations

from flask import flash, g, render_template, request, session, url_for
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import PIPELINE, Candidacy, Consent, Search, Stage, User, utcnow
from portal.recruiter.blueprint import bp
from portal.recruiter.common import get_or_404
from portal.recruiter.conversations import conversation_context
from portal.recruiter.forms import CloseForm, ConsentForm, FeedbackForm, MoveForm, NoteForm, UndoForm
from portal.services import activity as activity_service
from portal.services import board as board_service
from portal.services import consent as consent_service
from portal.services import disclosure, interview_attention, interview_pages, new_applications, pipeline
from portal.services import feedback as feedback_service
from portal.services import notes as notes_service
from portal.web.actions import act, actor, back, submit

BOARD_COLUMNS = PIPELINE + (Stage.CLOSED,)


def _consents_by_candidacy(ids: list[int]) -> dict[int, list[Consent]]:
    out: dict[int, list[Consent]] = {i: [] for i in ids}
    if ids:
        for c in db.session.scalars(
            select(Consent)
            .where(Consent.candidacy_id.in_(ids))
            .order_by(Consent.requested_at.desc(), Consent.id.desc())
        ):
            out[c.candidacy_id].append(c)
    return out


def _undo_offer(candidacy: Candidacy | None = None, search: Search | None = None) -> dict | None:
    """The move this recruiter just made, if it can still be undone (shown as a button), on the
    pages of the candidacy it concerns only: its own page (`candidacy`) and its search's board
    (`search`). Another candidacy's page, another board: None, and the offer waits in the session."""
    offer = session.get("undo")
    if not offer:
        return None
    if candidacy is not None and offer.get("candidacy") != candidacy.id:
        return None
    if search is not None and offer.get("search") != search.id:
        return None
    moved = candidacy or db.session.get(Candidacy, offer.get("candidacy"))
    change = pipeline.latest_change(moved) if moved is not None else None
    if change is None or change.id != offer.get("change") or pipeline.undoable(moved, change) is None:
        session.pop("undo", None)
        return None
    return {
        "candidacy": moved,
        "change": change,
        "form": UndoForm(change_id=change.id, next=request.full_path.rstrip("?")),
    }


@bp.route("/searches/<int:search_id>/board")
def board(search_id: int):
    search = get_or_404(Search, search_id)
    columns = board_service.board(search, BOARD_COLUMNS)
    here = url_for("recruiter.board", search_id=search.id)
    return render_template(
        "recruiter/board.html",
        search=search,
        columns=columns,
        here=here,
        undo=_undo_offer(search=search),
        pipeline_stages=PIPELINE,
        # Every card links to /recruiter/candidacies/<id>/...: built once, not url_for per card.
        candidacy_url=url_for("recruiter.candidacy", candidacy_id=1).removesuffix("1"),
    )


def _candidacy_page(
    candidacy: Candidacy,
    feedback_form: FeedbackForm | None = None,
    preview_html: str | None = None,
    status: int = 200,
    close_refused: disclosure.ClientNamed | None = None,
    close_reason: str | None = None,
    feedback_refused: disclosure.ClientNamed | None = None,
):
    here = url_for("recruiter.candidacy", candidacy_id=candidacy.id)
    consents = _consents_by_candidacy([candidacy.id])[candidacy.id]
    owner = db.session.get(User, candidacy.search.owner_id) if candidacy.search.owner_id else None
    return render_template(
        "recruiter/candidacy.html",
        **conversation_context(candidacy.candidate, candidacy),
        candidacy=candidacy,
        search=candidacy.search,
        candidate=candidacy.candidate,
        consents=consents,
        consent=consents[0] if consents else None,
        owner=owner,
        here=here,
        feedback=feedback_service.for_candidacy(candidacy),
        interviews=interview_pages.for_candidacy(candidacy),
        notes=notes_service.for_candidacy(candidacy),
        events=activity_service.for_candidacy(candidacy),
        application=new_applications.for_candidacy(candidacy),
        # Only the submitted form reads the request; the others render empty.
        move_form=MoveForm(formdata=None),
        close_form=CloseForm(formdata=None),
        consent_form=ConsentForm(formdata=None),
        feedback_form=feedback_form or FeedbackForm(formdata=None),
        preview_html=preview_html,
        note_form=NoteForm(formdata=None),
        undo=_undo_offer(candidacy=candidacy),
        pipeline_stages=PIPELINE,
        close_refused=close_refused,
        close_reason=close_reason,
        feedback_refused=feedback_refused,
        followups=interview_attention.for_candidacy(g.firm, candidacy, utcnow()),
    ), status


@bp.route("/candidacies/<int:candidacy_id>")
def candidacy(candidacy_id: int):
    return _candidacy_page(get_or_404(Candidacy, candidacy_id))


def _remember_undo(candidacy: Candidacy, change) -> bool:
    """Offer to undo `change` on the candidacy's pages while it can be undone. True when offered:
    the offer (a banner with the button) then says what happened, so no flash repeats it."""
    if pipeline.undoable(candidacy, change) is None:
        session.pop("undo", None)
        return False
    session["undo"] = {"candidacy": candidacy.id, "search": candidacy.search_id, "change": change.id}
    return True


@bp.route("/candidacies/<int:candidacy_id>/move", methods=["POST"])
def candidacy_move(candidacy_id: int):
    candidacy, form = get_or_404(Candidacy, candidacy_id), MoveForm()
    name = candidacy.candidate.name

    def done(change):
        if _remember_undo(candidacy, change):
            return None
        return _("%(name)s moved to “%(stage)s”.", name=name, stage=change.to_stage.label)

    return act(
        lambda: pipeline.move(g.firm, actor(), candidacy, form.stage.data, expected_version=form.version.data),
        form=form,
        refused=_("Not moved"),
        done=done,
        back_to=url_for("recruiter.board", search_id=candidacy.search_id),
    )


def _close(candidacy: Candidacy, form: CloseForm):
    """Close the candidacy with the reason and explanation the form gives (the service's rules)."""
    return pipeline.close(
        g.firm, actor(), candidacy, form.reason.data, form.explanation.data or "", expected_version=form.version.data
    )


def _close_done(candidacy: Candidacy, form: CloseForm):
    """What a successful close says; the close can be undone like a move."""
    name = candidacy.candidate.name

    def done(change):
        if _remember_undo(candidacy, change):
            return None  # the undo banner says it
        return _(
            "%(name)s's candidacy is closed (%(reason)s); they will be told why.",
            name=name,
            reason=form.reason.data.internal_label,
        )

    return done


@bp.route("/candidacies/<int:candidacy_id>/close", methods=["POST"])
def candidacy_close(candidacy_id: int):
    candidacy, form = get_or_404(Candidacy, candidacy_id), CloseForm()
    try:
        return act(
            lambda: _close(candidacy, form),
            form=form,
            refused=_("Not closed"),
            done=_close_done(candidacy, form),
            passes=(disclosure.ClientNamed,),
            back_to=url_for("recruiter.board", search_id=candidacy.search_id),
        )
    except disclosure.ClientNamed as exc:  # the page again: the form open, a version without the name
        return _candidacy_page(
            get_or_404(Candidacy, candidacy_id), close_refused=exc, close_reason=form.reason.data.value, status=400
        )


@bp.route("/candidacies/<int:candidacy_id>/undo", methods=["POST"])
def candidacy_undo(candidacy_id: int):
    candidacy, form = get_or_404(Candidacy, candidacy_id), UndoForm()

    def done(change):
        session.pop("undo", None)
        return _(
            "Undone: %(name)s is back at “%(stage)s”. The candidate will not hear about that move.",
            name=candidacy.candidate.name,
            stage=change.from_stage.label,
        )

    return act(
        lambda: pipeline.undo_last_change(g.firm, actor(), candidacy, change_id=form.change_id.data),
        form=form,
        refused=_("Not undone"),
        invalid=_("Nothing was undone: the form was incomplete."),
        done=done,
        back_to=url_for("recruiter.board", search_id=candidacy.search_id),
    )


@bp.route("/candidacies/<int:candidacy_id>/consent", methods=["POST"])
def candidacy_consent(candidacy_id: int):
    candidacy = get_or_404(Candidacy, candidacy_id)
    return act(
        lambda: consent_service.request_consent(g.firm, actor(), candidacy),
        form=ConsentForm(),
        refused=_("Consent not requested"),
        done=_(
            "Consent requested: %(name)s has been asked whether we may present them to %(client)s.",
            name=candidacy.candidate.name,
            client=candidacy.search.client.name,
        ),
        back_to=url_for("recruiter.candidacy", candidacy_id=candidacy.id) + "#consent",
    )


@bp.route("/candidacies/<int:candidacy_id>/feedback", methods=["POST"])
def candidacy_feedback(candidacy_id: int):
    """Preview (server-side, no JavaScript needed) or post the feedback."""
    candidacy, form = get_or_404(Candidacy, candidacy_id), FeedbackForm()
    action, body = request.form.get("action", "preview"), form.body.data
    if action == "post-without":  # the version without the client's name the refusal offered
        action, body = "post", request.form.get("body_without", "")
    if action != "post":
        out = submit(form, lambda: feedback_service.preview(body, candidacy), field=form.body)
        return _candidacy_page(
            candidacy, form, preview_html=out.value, status=200 if out else 400, feedback_refused=_named(out.error)
        )
    out = submit(form, lambda: feedback_service.post_feedback(g.firm, actor(), candidacy, body), field=form.body)
    if not out:
        return _candidacy_page(candidacy, form, status=400, feedback_refused=_named(out.error))
    flash(
        _("Feedback posted. %(name)s sees it on their page and gets an email.", name=candidacy.candidate.name),
        "success",
    )
    return back(url_for("recruiter.candidacy", candidacy_id=candidacy.id) + "#feedback")


def _named(error) -> disclosure.ClientNamed | None:
    return error if isinstance(error, disclosure.ClientNamed) else None


@bp.route("/candidacies/<int:candidacy_id>/notes", methods=["POST"])
def candidacy_note(candidacy_id: int):
    candidacy, form = get_or_404(Candidacy, candidacy_id), NoteForm()
    return act(
        lambda: notes_service.add_note(g.firm, actor(), candidacy.candidate, form.body.data, candidacy=candidacy),
        form=form,
        refused=_("Note not saved"),
        done=_("Internal note saved."),
        back_to=url_for("recruiter.candidacy", candidacy_id=candidacy.id) + "#notes",
    )
