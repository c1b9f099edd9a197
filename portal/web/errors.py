"""Error pages: plain, branded with the request's firm when there is one, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.i18n import lazy as _l
from portal.web.problems import from_http_exception, is_api_request, problem

# Each page's title and words, in the reader's language (lazy: translated when the page is drawn).
MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Please go back and try again.")),
    403: (_l("Not available to you"), _l("Your account cannot open this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist here.")),
    405: (_l("Not allowed"), _l("That action is not available on this page.")),
    413: (_l("That file is too large"), _l("Please upload a smaller file.")),
    429: (_l("Too many attempts"), _l("For your security, please wait a minute before trying again.")),
    500: (_l("Something went wrong on our side"), _l("It has been logged. Please try again in a moment.")),
}
CSRF_FAILED = _l("This form had expired or was not sent from this site. Please go back, reload the page and try again.")


def render_error(code: int, detail: str | None = None, exc: Exception | None = None):
    if is_api_request():  # the API answers in problem details, never with a page
        return from_http_exception(exc) if isinstance(exc, HTTPException) else problem(code, detail)
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=str(title), text=str(detail or text)), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: render_error(code, exc=e))

    @app.errorhandler(HTTPException)
    def _other(e):  # the codes without a page of their own (401, 409, 415, 422...)
        return from_http_exception(e) if is_api_request() else e

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return render_error(400, str(CSRF_FAILED))
