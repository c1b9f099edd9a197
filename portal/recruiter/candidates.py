"""The talent pool and candidate pages: create, edit, CV, invitation, notes, CSV import.
Thin: each action runs one service in the transaction scope (portal/web/actions.py); the rules
live in the services, and nothing here commits."""

from __future__ import annotations

import base64
import binascii
import io

from flask import flash, g, redirect, render_template, request, send_file, url_for

from portal import transaction
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Candidate, JobSeeking, Stage, User
from portal.recruiter.blueprint import bp
from portal.recruiter.common import errors_text, get_or_404, staff_choices
from portal.recruiter.conversations import conversation_context
from portal.recruiter.forms import (
    ActionForm,
    AddToSearchForm,
    CandidateForm,
    ContactForm,
    CVForm,
    ImportConfirmForm,
    ImportForm,
    NoteForm,
    PoolFilterForm,
    opt,
)
from portal.services import DomainError, csv_import, cv, pipeline, talent_pool
from portal.services import activity as activity_service
from portal.services import candidates as candidate_service
from portal.services import contact as contact_service
from portal.services import notes as notes_service
from portal.services import searches as search_service
from portal.web.actions import act, actor, attempt, back, flash_outcome, run, submit


@bp.route("/candidates")
def talent():
    form = PoolFilterForm(request.args)
    staff = search_service.staff_names(g.firm)
    form.owner.choices = [opt("", _("Anyone")), opt("me", _("Me"))] + [opt(uid, name) for uid, name in staff]
    filters, error = _pool_filters(form)
    page = (
        talent_pool.page(g.firm, filters, cursor=request.args.get("after"))
        if error is None
        else talent_pool.PoolPage([], None)
    )
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template(
        "recruiter/candidates/list.html",
        form=form,
        page=page,
        args=args,
        error=error,
        first_page=not request.args.get("after"),
    )


def _pool_filters(form: PoolFilterForm) -> tuple[talent_pool.PoolFilters, str | None]:
    """The filters the form asks for; or none, and why they were not understood."""
    if not form.validate():
        problems = " ".join(f"{getattr(form, k).label.text}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        return talent_pool.PoolFilters(), _("Some filters were not understood: %(problems)s", problems=problems)
    try:
        return talent_pool.PoolFilters(
            text=form.q.data or None,
            tags=talent_pool.parse_list(form.tags.data),
            skills=talent_pool.parse_list(form.skills.data),
            job_seeking=JobSeeking(form.seeking.data) if form.seeking.data else None,
            location=form.location.data or None,
            stage=Stage(form.stage.data) if form.stage.data else None,
            silent_days=form.silent.data,
            owner_id=(actor().id if form.owner.data == "me" else int(form.owner.data) if form.owner.data else None),
        ), None
    except DomainError as exc:
        return talent_pool.PoolFilters(), str(exc)


def _candidate_input(form: CandidateForm) -> candidate_service.CandidateInput:
    return candidate_service.CandidateInput(
        name=form.name.data,
        email=form.email.data,
        phone=form.phone.data,
        headline=form.headline.data,
        location=form.location.data,
        seniority=form.seniority.data,
        job_seeking=form.job_seeking.data,
        summary=form.summary.data,
        skills=form.skills.data or "",
        tags=form.tags.data or "",
        owner_id=form.owner_id.data,
        note=form.note.data,
    )


@bp.route("/candidates/new", methods=["GET", "POST"])
def candidate_new():
    form = CandidateForm()
    form.owner_id.choices = staff_choices(search_service.staff(g.firm), _("Me"))
    out = attempt(form, lambda: candidate_service.create_candidate(g.firm, actor(), _candidate_input(form)))
    if out:
        flash(_("%(name)s added to the talent pool.", name=out.value.name), "success")
        return redirect(url_for("recruiter.candidate_detail", candidate_id=out.value.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recruiter/candidates/form.html", form=form, candidate=None, error=out.error and str(out.error)
    ), status


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
def candidate_edit(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    form = CandidateForm(obj=candidate)
    if request.method == "GET":
        form.skills.data = ", ".join(sorted((s.skill.name for s in candidate.skills), key=str.casefold))
        form.tags.data = ", ".join(sorted(t.name for t in candidate.tags))
        form.note.data = ""
    form.owner_id.choices = staff_choices(search_service.staff(g.firm), _("Nobody"))
    out = attempt(form, lambda: candidate_service.update_candidate(g.firm, actor(), candidate, _candidate_input(form)))
    if out:
        flash(_("Candidate saved."), "success")
        return redirect(url_for("recruiter.candidate_detail", candidate_id=candidate.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recruiter/candidates/form.html", form=form, candidate=candidate, error=out.error and str(out.error)
    ), status


@bp.route("/candidates/<int:candidate_id>")
def candidate_detail(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    candidacies = candidate_service.candidacies_of(candidate)
    owner = db.session.get(User, candidate.owner_id) if candidate.owner_id else None
    return render_template(
        "recruiter/candidates/detail.html",
        **conversation_context(candidate),
        here=url_for("recruiter.candidate_detail", candidate_id=candidate.id),
        candidate=candidate,
        candidacies=candidacies,
        owner=owner,
        notes=notes_service.for_candidate(candidate, limit=50),
        note_form=NoteForm(),
        cv_form=CVForm(),
        add_form=AddToSearchForm(),
        add_choices=_add_choices({c.search_id for c in candidacies}),
        find_search_url=url_for("recruiter.candidate_find_search", candidate_id=candidate.id),
        action_form=ActionForm(),
        contact_form=ContactForm(formdata=None),
        today_iso=contact_service.today(g.firm).isoformat(),
        account=db.session.get(User, candidate.user_id) if candidate.user_id else None,
    )


def _add_choices(in_ids: set[int]) -> list[tuple[int, str]]:
    """The recruiter's own open searches the candidate is not in, as (id, "title · client"); any
    other search is one "Find a search" away (a list of all of a large firm's open searches was
    most of this page's time and still could not reach past the 500th)."""
    return [
        (sid, f"{title} · {client}")
        for sid, title, client in search_service.addable_searches(g.firm, owner_id=actor().id, exclude=in_ids)
    ]


@bp.route("/candidates/<int:candidate_id>/add-to-search")
def candidate_find_search(candidate_id: int):
    """Find an open search to add this candidate to, by title or client (works without
    JavaScript: a GET search, then a button per search)."""
    candidate = get_or_404(Candidate, candidate_id)
    text = (request.args.get("q") or "").strip()[:100]
    in_ids = candidate_service.search_ids_of(candidate)
    found = search_service.addable_searches(g.firm, text=text, exclude=in_ids) if text else []
    return render_template(
        "recruiter/candidates/add_to_search.html",
        candidate=candidate,
        q=text,
        found=found,
        add_form=AddToSearchForm(formdata=None),
        limit=search_service.ADDABLE_LIMIT,
    )


@bp.route("/candidates/<int:candidate_id>/searches", methods=["POST"])
def candidate_add_to_search(candidate_id: int):
    from portal.models import Search

    candidate = get_or_404(Candidate, candidate_id)
    form = AddToSearchForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id)
    if not form.validate_on_submit() or form.search_id.data is None:
        flash(_("Choose one of the open searches."), "error")
        return redirect(target, code=303)
    # Any search of the firm (another firm's is a 404); a closed one is refused by the service.
    search = get_or_404(Search, form.search_id.data)
    flash_outcome(
        submit(None, lambda: pipeline.add_to_search(g.firm, actor(), search, candidate, form.stage.data)),
        lambda _result: _("%(name)s added to %(title)s.", name=candidate.name, title=search.title),
    )
    return redirect(target, code=303)


@bp.route("/candidates/<int:candidate_id>/notes", methods=["POST"])
def candidate_note(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    form = NoteForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#notes"
    if not form.validate_on_submit():
        flash(_("Note not saved: %(problems)s", problems=errors_text(form)), "error")
        return back(target)
    return act(
        lambda: notes_service.add_note(g.firm, actor(), candidate, form.body.data),
        refused=_("Note not saved"),
        done=_("Internal note saved."),
        back_to=target,
    )


@bp.route("/candidates/<int:candidate_id>/contact", methods=["POST"])
def candidate_contact(candidate_id: int):
    """Record that the candidate was told another way (a call, a meeting ...)."""
    candidate = get_or_404(Candidate, candidate_id)
    form = ContactForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#contact"
    if not form.validate_on_submit():
        flash(_("Contact not recorded: %(problems)s", problems=errors_text(form)), "error")
        return back(target)
    return act(
        lambda: contact_service.record_contact(
            g.firm,
            actor(),
            candidate,
            kind=form.contact_kind.data,
            on=form.contact_on.data,
            note=form.contact_note.data,
        ),
        refused=_("Contact not recorded"),
        back_to=target,
        done=_("Recorded: you were in touch with %(name)s. It counts as contact.", name=candidate.name),
    )


@bp.route("/candidates/<int:candidate_id>/cv", methods=["GET"])
def candidate_cv(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    stored = cv.stored_cv(candidate)
    if stored is None:
        flash(_("There is no CV for %(name)s yet.", name=candidate.name), "info")
        return redirect(url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#cv", code=303)
    resp = send_file(
        io.BytesIO(stored.data), mimetype=stored.mimetype, as_attachment=True, download_name=stored.download_name
    )
    resp.headers["Cache-Control"] = "no-store"  # a CV is never kept by a browser or a cache
    return resp


@bp.route("/candidates/<int:candidate_id>/cv/upload", methods=["POST"])
def candidate_cv_upload(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    form = CVForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#cv"
    if not form.validate_on_submit():
        flash(_("CV not uploaded: %(problems)s", problems=errors_text(form)), "error")
        return redirect(target, code=303)
    flash_outcome(
        submit(None, lambda: cv.store_cv(candidate, form.cv.data)), _("CV uploaded."), refused=_("CV not uploaded")
    )
    return redirect(target, code=303)


@bp.route("/candidates/<int:candidate_id>/cv/delete", methods=["POST"])
def candidate_cv_delete(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    form = ActionForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id) + "#cv"
    if form.validate_on_submit():
        run(lambda: cv.delete_cv(candidate))
        flash(_("CV removed."), "success")
    return redirect(target, code=303)


@bp.route("/candidates/<int:candidate_id>/invite", methods=["POST"])
def candidate_invite(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    form = ActionForm()
    target = url_for("recruiter.candidate_detail", candidate_id=candidate.id)
    if form.validate_on_submit():
        flash_outcome(
            submit(None, lambda: candidate_service.invite(g.firm, actor(), candidate)),
            lambda _result: _("Invitation sent to %(email)s.", email=candidate.email),
        )
    return redirect(target, code=303)


@bp.route("/candidates/<int:candidate_id>/activity")
def candidate_activity(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    return render_template(
        "recruiter/candidates/activity.html", candidate=candidate, events=activity_service.for_candidate(candidate)
    )


# ------------------------------------------------------------------ CSV import


@bp.route("/candidates/import", methods=["GET", "POST"])
def candidate_import():
    """Step 1: upload a file and see the preview with every row's problems."""
    form = ImportForm()
    report = payload = error = None
    if form.validate_on_submit():
        try:
            text = csv_import.decode(form.file.data.stream.read(csv_import.MAX_BYTES + 1))
        except DomainError as exc:
            error = str(exc)
        else:
            report = csv_import.check(g.firm, text)
            transaction.rollback()  # the check writes nothing; be certain
            if report.ok:
                payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    elif request.method == "POST":
        error = errors_text(form)
    status = 400 if request.method == "POST" and (error or (report is not None and not report.ok)) else 200
    return _import_page(form, report, error, payload), status


def _import_page(form: ImportForm, report, error: str | None, payload: str | None = None) -> str:
    """The upload page: the preview's report, the error, and the confirm form when the file is good."""
    return render_template(
        "recruiter/candidates/import.html",
        form=form,
        report=report,
        error=error,
        confirm_form=ImportConfirmForm(payload=payload) if payload else None,
        columns=csv_import.COLUMNS,
    )


def _upload_again(message: str):
    """Back to step 1, saying why: the previewed file is not kept."""
    flash(message, "error")
    return redirect(url_for("recruiter.candidate_import"), code=303)


@bp.route("/candidates/import/confirm", methods=["POST"])
def candidate_import_confirm():
    """Step 2: import the previewed file (checked again): every row, or none."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        return _upload_again(_("The import expired or was incomplete; please upload the file again."))
    try:
        text = base64.b64decode(form.payload.data.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return _upload_again(_("The import was damaged in transit; please upload the file again."))
    try:
        created = run(lambda: csv_import.import_candidates(g.firm, actor(), text))
    except csv_import.BadFile as exc:
        return _import_page(ImportForm(), exc.report, str(exc)), 400
    except DomainError as exc:
        return _upload_again(_("Nothing was imported: %(reason)s", reason=exc))
    flash(ngettext("Imported %(num)d candidate.", "Imported %(num)d candidates.", len(created)), "success")
    return redirect(url_for("recruiter.talent"), code=303)
