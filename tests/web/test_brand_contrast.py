"""Whatever colours a firm picks, every text/background pair the CSS builds from them reads
(WCAG AA 4.5:1): the header and buttons, the header's current page, brand-coloured text and
links on the page, on white cards and on the tinted stage badges."""

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.web.brand import PAGE_BACKGROUND, WHITE, contrast_ratio, palette

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
