"""The firm's brand as data: CSS custom properties, logo and favicon, per host."""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, g, render_template, send_file
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal.extensions import db
from portal.models import Firm

bp = Blueprint("brand", __name__)
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#b5461a"


def _safe_colour(value: str | None, default: str) -> str:
    return value if value and HEX.match(value) else default


def contrast_text(hex_colour: str) -> str:
    """Black or white, whichever reads better on the colour (WCAG relative luminance)."""
    r, gg, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(gg) + 0.0722 * lin(b)
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


@bp.route("/brand.css")
def css():
    firm = g.firm
    primary = _safe_colour(firm.primary_color, DEFAULT_PRIMARY)
    accent = _safe_colour(firm.accent_color, DEFAULT_ACCENT)
    body = render_template(
        "brand.css", primary=primary, accent=accent,
        on_primary=contrast_text(primary), on_accent=contrast_text(accent),
    )
    resp = Response(body, mimetype="text/css")
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.route("/brand/logo")
def logo():
    firm = db.session.scalar(select(Firm).where(Firm.id == g.firm.id).options(undefer(Firm.logo)))
    if not firm.logo:
        return send_file(current_app.static_folder + "/default-logo.png", mimetype="image/png", max_age=300)
    resp = Response(firm.logo, mimetype=firm.logo_mime or "image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


@bp.route("/favicon.ico")
def favicon():
    return logo()
