"""Flask-WTF's FlaskForm for every Portal form, except that hidden inputs (the CSRF token, ids,
versions, `next`) are rendered without an id attribute.

A page often holds several forms, and each `form.hidden_tag()` would repeat id="csrf_token":
ids must be unique on a page, and nothing labels a hidden input. An explicit id is kept."""

from __future__ import annotations

from flask_wtf import FlaskForm as _FlaskForm
from wtforms.widgets import HiddenInput


class FlaskForm(_FlaskForm):
    class Meta:
        def render_field(self, field, render_kw):
            if isinstance(field.widget, HiddenInput):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)
