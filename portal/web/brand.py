"""The firm's brand as data: colours (kept readable), CSS custom properties, logo and favicon,
per host. Pages and emails read the same palette; never firm-supplied CSS or HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, g, render_template, send_file

from portal.i18n import gettext as _
from portal.models import Firm
from portal.services import branding

bp = Blueprint("brand", __name__)
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#b5461a"
WHITE = "#ffffff"
BLACK = "#000000"
# The page background (portal.css --bg): text in a brand colour sits on it or on white cards.
PAGE_BACKGROUND = "#f4f5f7"
# The darkest light background that text in a brand colour sits on (portal.css: the stage badges,
# .stage-presented). A shade that reads on it reads on the page and on white cards too.
TEXT_BACKGROUND = "#e1ebf7"
# The header's current page and hover: the header colour 18 % towards white (or, where the text
# would no longer read, 18 % away from the text colour).
HIGHLIGHT = 0.18
AA_NORMAL = 4.5  # WCAG 2.x level AA, normal-size text
# The keyboard focus ring: WCAG 2.x non-text contrast (3:1) against the colour around it.
FOCUS_MINIMUM = 3.0
# The darkest light background a focused control sits on (portal.css: the flashes, the stage
# badges, the board's columns, the undo banner): a ring that reads on it reads on all of them.
FOCUS_BACKGROUNDS = ("#ffffff", PAGE_BACKGROUND, TEXT_BACKGROUND, "#dcefe2", "#f6dcd9", "#f8ecd0", "#e9ecf0", "#fff7e0")


def _safe_colour(value: str | None, default: str) -> str:
    return value.lower() if value and HEX.match(value) else default


def _channels(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 = black, 1 = white)."""

    def lin(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, gg, b = _channels(hex_colour)
    return 0.2126 * lin(r) + 0.7152 * lin(gg) + 0.0722 * lin(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def contrast_text(hex_colour: str) -> str:
    """Black or white, whichever reads better on the colour."""
    return BLACK if contrast_ratio(hex_colour, BLACK) > contrast_ratio(hex_colour, WHITE) else WHITE


def _mix(colour: str, target: str, t: float) -> str:
    a, b = _channels(colour), _channels(target)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def readable_on(colour: str, background: str, minimum: float = AA_NORMAL) -> str:
    """The colour itself if text in it reads on `background`; else the nearest shade
    (darker on a light background, lighter on a dark one) that reaches `minimum`."""
    if contrast_ratio(colour, background) >= minimum:
        return colour
    target = BLACK if contrast_ratio(background, BLACK) >= contrast_ratio(background, WHITE) else WHITE
    for step in range(1, 101):
        shade = _mix(colour, target, step / 100)
        if contrast_ratio(shade, background) >= minimum:
            return shade
    return target


def readable_background(colour: str, minimum: float = AA_NORMAL) -> tuple[str, str]:
    """(background, text colour) for text on a brand colour: the colour with black or
    white text when one of them reaches `minimum`, else a shade of it that does."""
    text = contrast_text(colour)
    if contrast_ratio(colour, text) >= minimum:
        return colour, text
    # Move the background away from the text colour until the pair reads.
    away = BLACK if text == WHITE else WHITE
    for step in range(1, 101):
        shade = _mix(colour, away, step / 100)
        if contrast_ratio(shade, text) >= minimum:
            return shade, text
    return away, text


def highlight(background: str, text: str, minimum: float = AA_NORMAL) -> str:
    """A slightly different background behind the same text (the header's current page):
    lighter when the text still reads on it, else darker for white text (lighter for black)."""
    for target in (WHITE, BLACK if text == WHITE else WHITE):
        shade = _mix(background, target, HIGHLIGHT)
        if contrast_ratio(shade, text) >= minimum:
            return shade
    return background


def focus_ring(colour: str, backgrounds: tuple[str, ...] | list[str]) -> str:
    """The accent colour as a focus ring that reaches 3:1 on every one of `backgrounds` (all light,
    or the one header colour): the colour itself, else the nearest shade that does."""
    darkest = min(backgrounds, key=relative_luminance)
    return readable_on(colour, darkest, FOCUS_MINIMUM)


@dataclass
class Palette:
    """The colours actually used. `primary`/`accent` are backgrounds (header, buttons) with
    `on_*` text; `*_text` is the shade used for text and links on the light page;
    `primary_highlight` is the header's current-page background behind `on_primary` text;
    `focus` is the keyboard focus ring on the page, `focus_on_primary` the ring in the header."""

    primary: str
    on_primary: str
    primary_text: str
    accent: str
    on_accent: str
    accent_text: str
    primary_highlight: str = ""
    focus: str = ""
    focus_on_primary: str = ""
    notes: list[str] = field(default_factory=list)


# What the admin is told when a colour is adjusted (whole sentences, one per colour and case;
# called when the palette is made, so in the language of the page that makes it).
_NOTES = {
    ("primary", "background"): lambda **v: _(
        "Neither white nor black text reaches the WCAG AA contrast of 4.5:1 on your primary colour "
        "%(colour)s, so %(shade)s is used behind text instead.",
        **v,
    ),
    ("accent", "background"): lambda **v: _(
        "Neither white nor black text reaches the WCAG AA contrast of 4.5:1 on your accent colour "
        "%(colour)s, so %(shade)s is used behind text instead.",
        **v,
    ),
    ("primary", "black"): lambda **v: _(
        "White text on your primary colour %(colour)s would only reach %(ratio)s:1 (WCAG AA needs 4.5:1), "
        "so text on it is black.",
        **v,
    ),
    ("accent", "black"): lambda **v: _(
        "White text on your accent colour %(colour)s would only reach %(ratio)s:1 (WCAG AA needs 4.5:1), "
        "so text on it is black.",
        **v,
    ),
    ("primary", "text"): lambda **v: _(
        "Your primary colour %(colour)s is too light for text and links on the page (%(ratio)s:1 on its "
        "tinted backgrounds, WCAG AA needs 4.5:1), so they use the darker shade %(shade)s.",
        **v,
    ),
    ("accent", "text"): lambda **v: _(
        "Your accent colour %(colour)s is too light for text and links on the page (%(ratio)s:1 on its "
        "tinted backgrounds, WCAG AA needs 4.5:1), so they use the darker shade %(shade)s.",
        **v,
    ),
}


def palette(primary: str | None, accent: str | None) -> Palette:
    chosen_primary = _safe_colour(primary, DEFAULT_PRIMARY)
    chosen_accent = _safe_colour(accent, DEFAULT_ACCENT)
    notes: list[str] = []
    out = {}
    for key, chosen in (("primary", chosen_primary), ("accent", chosen_accent)):
        bg, on = readable_background(chosen)
        if bg != chosen:
            notes.append(_NOTES[key, "background"](colour=chosen, shade=bg))
        elif on == BLACK:
            notes.append(_NOTES[key, "black"](colour=chosen, ratio=f"{contrast_ratio(chosen, WHITE):.1f}"))
        text = readable_on(chosen, TEXT_BACKGROUND)
        if text != chosen:
            notes.append(
                _NOTES[key, "text"](colour=chosen, ratio=f"{contrast_ratio(chosen, TEXT_BACKGROUND):.1f}", shade=text)
            )
        out[key] = (bg, on, text)
    bg, on, _text = out["primary"]
    return Palette(
        *out["primary"],
        *out["accent"],
        primary_highlight=highlight(bg, on),
        focus=focus_ring(chosen_accent, FOCUS_BACKGROUNDS),
        focus_on_primary=focus_ring(chosen_accent, [bg]),
        notes=notes,
    )


def firm_palette(firm: Firm | None) -> Palette:
    if firm is None:
        return palette(None, None)
    return palette(firm.primary_color, firm.accent_color)


def logo_url(firm: Firm) -> str:
    """Absolute URL of the firm's logo on the firm's own host (for emails)."""
    from portal.web.templating import external_url

    return external_url(firm, "brand.logo", v=firm.logo_version)


@bp.app_template_global("brand_palette")
def _brand_palette_global(firm: Firm | None = None) -> Palette:
    return firm_palette(firm)


@bp.app_template_global("brand_logo_url")
def _brand_logo_url_global(firm: Firm) -> str:
    return logo_url(firm)


@bp.route("/brand.css")
def css():
    body = render_template("brand.css", p=firm_palette(g.firm))
    resp = Response(body, mimetype="text/css")
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.route("/brand/logo")
def logo():
    data = branding.logo_file(g.firm)  # from the file storage (portal/storage.py)
    if not data:
        return send_file(current_app.static_folder + "/default-logo.png", mimetype="image/png", max_age=300)
    resp = Response(data, mimetype=g.firm.logo_mime or "image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.headers["Content-Disposition"] = "inline"
    return resp


@bp.route("/favicon.ico")
def favicon():
    return logo()
