"""Searches: list and filter, create, edit, close (every candidate told), add candidates.
Thin: each action runs one service in the transaction scope (portal/web/actions.py); the rules
live in the services, and nothing here commits."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import PIPELINE, Candidate, Client, Search, SearchState, Stage, User, utcnow
from portal.recruiter.blueprint import bp
from portal.recruiter.common import errors_text, get_or_404, staff_choices
from portal.recruiter.forms import ActionForm, AddCandidateForm, ClientForm, CloseSearchForm, SearchFilterForm, opt
from portal.recruiter.search_form import TranslatedSearchForm as SearchForm
from portal.recruiter.search_form import search_form
from portal.services import DomainError, careers, disclosure, matching, pipeline
from portal.services import activity as activity_service
from portal.services import candidates as candidate_service
from portal.services import searches as search_service
from portal.services.advertising import Advertising, last_day
from portal.web.actions import actor, attempt, back, flash_outcome, run, submit


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.route("/searches")
def searches():
    form = SearchFilterForm(request.args)
    staff = search_service.staff(g.firm)
    clients = search_service.clients(g.firm)
    form.owner.choices = [opt("", _("Anyone")), opt("me", _("Me"))] + [opt(u.id, u.name) for u in staff]
    form.client.choices = [opt("", _("Any client"))] + [opt(c.id, c.name) for c in clients]
    filters = search_service.SearchFilters()
    if form.validate():
        state = form.state.data
        if state == "all":
            filters.include_closed = True
        elif state:
            filters.state = SearchState(state)
        owner = form.owner.data
        filters.owner_id = actor().id if owner == "me" else (int(owner) if owner else None)
        filters.client_id = int(form.client.data) if form.client.data else None
        filters.text = form.q.data or None
    page = search_service.list_searches(g.firm, filters, after=_int_arg("after"))
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template("recruiter/searches/list.html", form=form, page=page, args=args)


def _search_input(form: SearchForm) -> search_service.SearchInput:
    return search_service.SearchInput(
        title=form.title.data,
        client_name=form.client_name.data,
        confidential=form.confidential.data,
        description_md=form.description_md.data or "",
        requirements_md=form.requirements_md.data or "",
        required_skills=form.required_skills.data or "",
        nice_skills=form.nice_skills.data or "",
        seniority=form.seniority.data,
        location=form.location.data,
        remote_policy=form.remote_policy.data,
        pay_min=form.pay_min.data,
        pay_max=form.pay_max.data,
        pay_currency=(form.pay_currency.data or "").upper(),
        engagement=form.engagement.data,
        owner_id=form.owner_id.data,
        state=form.state.data,
        anticipated=form.anticipated.data,
        client_wording=form.client_wording.data,
        ad=Advertising(
            advertised=form.advertised.data,
            advertise_until=form.advertise_until.data,
            publish_pay=form.publish_pay.data,
            public_summary=form.public_summary.data,
        ),
        translations=form.translations(),
    )


def _prepare(form: SearchForm, search: Search | None) -> None:
    form.owner_id.choices = staff_choices(search_service.staff(g.firm), _("Me"))
    if search is not None and search.state.is_closed:
        closed = _("%(state)s (closed)", state=search.state.label)
        form.state.choices = [opt(search.state.value, closed)] + list(form.state.choices)


@bp.route("/searches/new", methods=["GET", "POST"])
def search_new():
    form = search_form(g.firm)
    _prepare(form, None)
    out = attempt(form, lambda: search_service.create_search(g.firm, actor(), _search_input(form)))
    if out:
        flash(_("Search “%(title)s” created.", title=out.value.title), "success")
        return redirect(url_for("recruiter.search_detail", search_id=out.value.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recruiter/searches/form.html",
        form=form,
        search=None,
        error=out.error and str(out.error),
        clients=search_service.clients(g.firm),
    ), status


@bp.route("/searches/<int:search_id>/edit", methods=["GET", "POST"])
def search_edit(search_id: int):
    search = get_or_404(Search, search_id)
    form = search_form(g.firm, obj=search)
    if request.method == "GET":
        form.client_name.data = search.client.name
        form.fill_translations(search)
        required, nice = search_service.skill_names(search)
        form.required_skills.data = ", ".join(required)
        form.nice_skills.data = ", ".join(nice)
        form.owner_id.data = search.owner_id
        form.advertise_until.data = last_day(g.firm, search.advertise_until)
    _prepare(form, search)
    out = attempt(form, lambda: search_service.update_search(g.firm, actor(), search, _search_input(form)))
    if out:
        flash(_("Search saved."), "success")
        return redirect(url_for("recruiter.search_detail", search_id=search.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recruiter/searches/form.html",
        form=form,
        search=search,
        error=out.error and str(out.error),
        clients=search_service.clients(g.firm),
    ), status


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
def client_edit(client_id: int):
    """A client's name and the other names it goes by (checked like the name before any
    recruiter text reaches a candidate of a confidential search)."""
    client = get_or_404(Client, client_id)
    form = ClientForm(obj=client)
    out = attempt(
        form, lambda: disclosure.update_client(g.firm, actor(), client, form.name.data, form.aliases.data or "")
    )
    if out:
        flash(_("Client “%(name)s” saved.", name=client.name), "success")
        return back(url_for("recruiter.searches", client=client.id, state="all"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recruiter/clients/form.html",
        form=form,
        client=client,
        error=out.error and str(out.error),
        next=request.values.get("next", ""),
    ), status


SUGGESTIONS = 10


@bp.route("/searches/<int:search_id>")
def search_detail(search_id: int):
    search = get_or_404(Search, search_id)
    counts = search_service.pipeline_counts(search)
    # The matching service leaves out people already in the search and closed searches.
    suggestions = matching.candidates_for_search(g.firm, search, limit=SUGGESTIONS)
    required, nice = search_service.skill_names(search)
    owner = db.session.get(User, search.owner_id) if search.owner_id else None
    return render_template(
        "recruiter/searches/detail.html",
        search=search,
        counts=counts,
        required=required,
        nice=nice,
        owner=owner,
        suggestions=suggestions,
        stages=PIPELINE + (Stage.CLOSED,),
        close_form=CloseSearchForm(),
        add_form=AddCandidateForm(),
        action_form=ActionForm(),
        undo_close=_close_undo_offer(search),
        listed=careers.is_listed(search),
    )


def _close_undo_offer(search: Search) -> dict | None:
    """The close of this search this recruiter just confirmed, while it can be undone."""
    offer = session.get("undo_search")
    if not offer or offer.get("search") != search.id:
        return None
    if (
        not search.state.is_closed
        or search.closed_at is None
        or utcnow() - search.closed_at > timedelta(seconds=current_app.config["GRACE_SECONDS"])
    ):
        session.pop("undo_search", None)
        return None
    return {"state": offer.get("state", SearchState.OPEN.value), "form": ActionForm()}


def _close_page(search: Search, form: CloseSearchForm, status: int = 200, preview=None):
    return render_template("recruiter/searches/close.html", search=search, form=form, preview=preview), status


def _close_preview(search: Search, form: CloseSearchForm, untold: str | None, status: int | None = None):
    """The close page with the preview of who reads what (nothing is written); 400 if it is refused."""
    preview = pipeline.close_preview(search, form.explanation.data or "", untold)
    return _close_page(search, form, status or (400 if preview.refused else 200), preview)


@bp.route("/searches/<int:search_id>/close", methods=["POST"])
def search_close(search_id: int):
    """Closing a search is two steps: a preview of who reads what (nothing is written), then
    the confirmation; the candidates' messages then wait for the grace window (undo)."""
    search, form = get_or_404(Search, search_id), CloseSearchForm()
    here = url_for("recruiter.search_detail", search_id=search.id)
    if search.state.is_closed:
        flash(_("This search is already closed."), "error")
        return redirect(here, code=303)
    if not form.validate_on_submit():
        return _close_page(search, form, 400)
    untold = form.untold_explanation.data if "untold_explanation" in request.form else None
    if form.confirm.data != "1":
        return _close_preview(search, form, untold)
    was = search.state
    try:
        n = _close_search(search, form, untold)
    except disclosure.ClientNamed:
        return _close_preview(get_or_404(Search, search_id), form, untold, 400)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(here, code=303)
    session["undo_search"] = {"search": search.id, "state": was.value}
    flash(_closed_text(search, n), "success")
    return redirect(here, code=303)


def _close_search(search: Search, form: CloseSearchForm, untold: str | None) -> int:
    """Close the search as the confirmed form says, in the transaction scope; the number of
    open candidacies it closed."""
    return run(
        lambda: pipeline.close_search(
            g.firm,
            actor(),
            search,
            form.state.data,
            form.reason.data,
            form.explanation.data or "",
            untold_explanation=untold,
        )
    )


def _closed_text(search: Search, n: int) -> str:
    closed = _("Search closed as filled.") if search.state == SearchState.FILLED else _("Search closed as cancelled.")
    told = ngettext(
        "%(num)d open candidacy was closed and each candidate will be told.",
        "%(num)d open candidacies were closed and each candidate will be told.",
        n,
    )
    return f"{closed} {told}"


def _undone_text(search: Search, n: int) -> str:
    if search.state == SearchState.ON_HOLD:
        return ngettext(
            "Undone: the search is on hold again and %(num)d candidacy is back where it was. Nobody was told.",
            "Undone: the search is on hold again and %(num)d candidacies are back where they were. Nobody was told.",
            n,
        )
    return ngettext(
        "Undone: the search is open again and %(num)d candidacy is back where it was. Nobody was told.",
        "Undone: the search is open again and %(num)d candidacies are back where they were. Nobody was told.",
        n,
    )


@bp.route("/searches/<int:search_id>/close/undo", methods=["POST"])
def search_close_undo(search_id: int):
    search = get_or_404(Search, search_id)
    form = ActionForm()
    default = url_for("recruiter.search_detail", search_id=search.id)
    if not form.validate_on_submit():
        flash(_("Nothing was undone: the form was incomplete."), "error")
        return back(default)
    offer = session.get("undo_search") or {}
    state = (
        SearchState.ON_HOLD
        if offer.get("search") == search.id and offer.get("state") == "on_hold"
        else SearchState.OPEN
    )

    def done(n: int) -> str:
        session.pop("undo_search", None)
        return _undone_text(search, n)

    flash_outcome(
        submit(None, lambda: pipeline.undo_close_search(g.firm, actor(), search, state)), done, refused=_("Not undone")
    )
    return back(default)


@bp.route("/searches/<int:search_id>/add")
def search_add(search_id: int):
    """Find talent-pool members to add (works without JavaScript: a GET search, then buttons)."""
    search = get_or_404(Search, search_id)
    text = (request.args.get("q") or "")[:100]
    in_search = search_service.candidate_ids_in(search)
    found = candidate_service.find(g.firm, text, exclude_ids=in_search) if text else []
    return render_template(
        "recruiter/searches/add.html", search=search, q=text, found=found, add_form=AddCandidateForm()
    )


@bp.route("/searches/<int:search_id>/candidates", methods=["POST"])
def search_add_candidate(search_id: int):
    search = get_or_404(Search, search_id)
    form = AddCandidateForm()
    default = url_for("recruiter.board", search_id=search.id)
    if not form.validate_on_submit():
        flash(errors_text(form) or _("Choose a candidate."), "error")
        return back(default)
    candidate = get_or_404(Candidate, form.candidate_id.data)
    flash_outcome(
        submit(None, lambda: pipeline.add_to_search(g.firm, actor(), search, candidate, form.stage.data)),
        lambda _result: _(
            "%(name)s added to %(title)s at “%(stage)s”.",
            name=candidate.name,
            title=search.title,
            stage=form.stage.data.label,
        ),
    )
    return back(default)


@bp.route("/searches/<int:search_id>/activity")
def search_activity(search_id: int):
    search = get_or_404(Search, search_id)
    return render_template(
        "recruiter/searches/activity.html", search=search, events=activity_service.for_search(search)
    )
