"""The candidate pages that need no login: the one-click unsubscribe (RFC 8058) and the
experience survey (a link in its email, the token the only key).

GET only shows a confirmation with a button (link scanners must never unsubscribe anyone); POST
unsubscribes from every optional stream and answers 200, also for a mail provider's
`List-Unsubscribe=One-Click` POST, which carries no CSRF token. A token is looked up within the
request's firm only: another firm's token, or a token on another firm's host, is a 404.

The survey: GET shows the question (the tapped score pre-selected) and records NOTHING (mail
scanners open links); POST (CSRF) records the answer, which may be changed until the link
expires. An unknown token (or another firm's) is a friendly 404 page, an expired one a
friendly 410 page, never a 500."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import refresh

from portal import i18n
from portal.candidate.survey_form import SurveyForm
from portal.extensions import csrf
from portal.i18n import gettext as _
from portal.services import NotFound, preferences, surveys
from portal.web.actions import found, run, status, submit


@csrf.exempt
def unsubscribe(token: str):
    firm = g.firm
    if request.method == "POST":
        candidate = run(lambda: preferences.unsubscribe(firm, token))
        _in_their_language(candidate)
        return render_template("candidate/unsubscribed.html", candidate=candidate), 200
    candidate = found(lambda: preferences.candidate_for_token(firm, token))
    _in_their_language(candidate)
    return render_template("candidate/unsubscribe.html", candidate=candidate, token=token)


def _in_their_language(candidate) -> None:
    """The page about one candidate's emails speaks their language (the one their emails are
    in: their own, else the firm's default), not the browser's of whoever opened the link
    (portal.i18n.select_locale honours g.page_language)."""
    g.page_language = i18n.email_language(g.firm, candidate.language)
    refresh()  # a locale this request worked out already (a flash, the layout) is forgotten


def survey(token: str):
    firm = g.firm
    try:
        response = surveys.for_token(firm, token)
    except NotFound:
        return render_template("candidate/survey_unknown.html"), 404
    _speak_their_language(response)
    if not surveys.is_open(response):
        return render_template("candidate/survey_closed.html", response=response), 410
    form = SurveyForm()
    if request.method == "GET":
        tapped = surveys.parse_score(request.args.get("score"))
        chosen = tapped if tapped is not None else response.score
        form.score.data = str(chosen) if chosen is not None else None
        form.comment.data = response.comment or ""
    else:
        out = submit(form, lambda: surveys.answer(firm, token, form.score.data, form.comment.data))
        if out:
            flash(_("Thank you! Your answer is recorded."), "success")
            return redirect(url_for("candidate.survey", token=token), code=303)
        if isinstance(out.error, surveys.SurveyClosed):
            return render_template("candidate/survey_closed.html", response=response), 410
    return render_template("candidate/survey.html", form=form, response=response, token=token), status(form)


def _speak_their_language(response) -> None:
    """The survey page is about one candidate (the link was emailed to them): it speaks their
    language when they chose one (portal/i18n.py select_locale reads g.page_language)."""
    language = surveys.language_of(response)
    if language:
        g.page_language = language
        refresh()  # a language worked out earlier in this request is worked out again
