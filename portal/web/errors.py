"""Error pages: plain, branded with the request's firm when there is one, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("Not available to you", "Your account cannot open this page."),
    404: ("Page not found", "The page you asked for does not exist here."),
    405: ("Not allowed", "That action is not available on this page."),
    413: ("That file is too large", "Please upload a smaller file."),
    429: ("Too many attempts", "For your security, please wait a minute before trying again."),
    500: ("Something went wrong on our side", "It has been logged. Please try again in a moment."),
}


def render_error(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return render_error(
            400, "This form had expired or was not sent from this site. Please go back, reload the page and try again."
        )
