"""Whatever colours a firm picks, every text/background pair the CSS builds from them reads
(WCAG AA 4.5:1): the header and buttons, the header's current page, brand-coloured text and
links on the page, on white cards and on the tinted stage badges."""

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.web.brand import FOCUS_BACKGROUNDS, PAGE_BACKGROUND, WHITE, contrast_ratio, palette

colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda n: f"#{n:06x}")
STAGE_BADGE = "#e1ebf7"  # portal.css .stage-presented: brand-coloured text on a light blue tint


@settings(max_examples=300, deadline=None)
@given(primary=colours, accent=colours)
def test_every_brand_colour_pair_reads(primary, accent):
    p = palette(primary, accent)
    pairs = {
        "header text on the primary colour": (p.on_primary, p.primary),
        "button text on the accent colour": (p.on_accent, p.accent),
        **{f"brand text on {bg}": (p.primary_text, bg) for bg in (PAGE_BACKGROUND, WHITE, STAGE_BADGE)},
        **{f"accent text on {bg}": (p.accent_text, bg) for bg in (PAGE_BACKGROUND, WHITE, STAGE_BADGE)},
    }
    for what, (fg, bg) in pairs.items():
        assert contrast_ratio(fg, bg) >= 4.5, (primary, accent, what, fg, bg)


@settings(max_examples=300, deadline=None)
@given(primary=colours)
def test_the_current_page_in_the_header_reads(primary):
    p = palette(primary, None)
    assert contrast_ratio(p.on_primary, p.primary_highlight) >= 4.5, (primary, p.primary_highlight)


def test_the_highlight_keeps_the_look_where_it_reads():
    """Northwind's navy keeps its lighter current-page pill (white 18 % over the header);
    Globex's green is too light for that under white text, so its pill is a darker green."""
    navy = palette("#1f4e79", "#b5461a")
    assert navy.primary_highlight == "#476e91" and contrast_ratio(WHITE, navy.primary_highlight) >= 4.5
    green = palette("#0b6e4f", "#6a1b9a")
    assert contrast_ratio(WHITE, "#3c8b72") < 4.5  # the old rgba(255,255,255,.18) over #0b6e4f
    assert green.primary_highlight == "#095a41"


def test_brand_css_carries_the_highlight(app, firms, client_for):
    css = client_for(firms.a.firm).get("/brand.css").get_data(as_text=True)
    p = palette(firms.a.firm.primary_color, firms.a.firm.accent_color)
    assert f"--brand-highlight: {p.primary_highlight};" in css


def test_brand_coloured_text_reads_on_the_stage_badges():
    """A colour that reads on the page background but not on the badges' tint gets a darker shade."""
    colour = "#0070c0"
    assert contrast_ratio(colour, PAGE_BACKGROUND) >= 4.5 and contrast_ratio(colour, STAGE_BADGE) < 4.5
    p = palette(colour, "#b5461a")
    assert p.primary_text != colour and contrast_ratio(p.primary_text, STAGE_BADGE) >= 4.5


# ---------------------------------------------------------------- the keyboard focus ring (3:1)

DEMO_BRANDS = {"Northwind (demo)": ("#1f4e79", "#b5461a"), "Globex (demo)": ("#0b6e4f", "#6a1b9a")}
EXTREME_BRANDS = {
    "white on white": ("#ffffff", "#ffffff"),
    "black on black": ("#000000", "#000000"),
    "yellow header, yellow accent": ("#ffff00", "#ffff00"),
    "mid grey everywhere": ("#777777", "#777777"),
    "pale header, pale accent": ("#f4f5f7", "#e1ebf7"),
    "navy header, navy accent": ("#1f4e79", "#1f4e79"),
    "red header, green accent": ("#ff0000", "#00ff00"),
}


def _focus_reads(primary, accent):
    p = palette(primary, accent)
    for bg in FOCUS_BACKGROUNDS:
        assert contrast_ratio(p.focus, bg) >= 3, (primary, accent, "page", p.focus, bg)
    assert contrast_ratio(p.focus_on_primary, p.primary) >= 3, (primary, accent, "header", p.focus_on_primary)
    return p


def test_the_focus_ring_reads_for_the_demo_and_extreme_brands():
    for name, (primary, accent) in {**DEMO_BRANDS, **EXTREME_BRANDS}.items():
        assert _focus_reads(primary, accent), name
    # Northwind's orange keeps its hue on the page and lightens on the navy header (it was 1.6:1).
    navy = palette(*DEMO_BRANDS["Northwind (demo)"])
    assert contrast_ratio("#b5461a", "#1f4e79") < 2 and navy.focus == "#b5461a"
    assert navy.focus_on_primary != "#b5461a" and contrast_ratio(navy.focus_on_primary, "#1f4e79") >= 3


@settings(max_examples=300, deadline=None)
@given(primary=colours, accent=colours)
def test_the_focus_ring_reads_whatever_the_brand(primary, accent):
    _focus_reads(primary, accent)


def test_brand_css_carries_the_focus_rings(app, firms, client_for):
    css = client_for(firms.a.firm).get("/brand.css").get_data(as_text=True)
    p = palette(firms.a.firm.primary_color, firms.a.firm.accent_color)
    assert f"--focus: {p.focus};" in css and f"--focus-on-brand: {p.focus_on_primary};" in css


def test_portal_css_defaults_are_the_default_palettes_rings():
    """Pages without a firm (no /brand.css) use portal.css's defaults: the same computed rings."""
    from pathlib import Path

    css = (Path(__file__).parents[2] / "portal" / "static" / "portal.css").read_text()
    p = palette(None, None)
    assert f"--focus: {p.focus};" in css and f"--focus-on-brand: {p.focus_on_primary};" in css
