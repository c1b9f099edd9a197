"""Right to left (issue 20): a firm whose default language is Arabic serves its pages as
<html dir="rtl" lang="ar">, and in headless Chromium at 375 px the layout is mirrored (the brand
at the header's right, the menu at its left, headings against the right edge, back arrows
pointing right) with no sideways scroll: the candidate's home, the careers board, a recruiter's
page. Screenshots: tests/artifacts/rtl-*.png (look at them).

No catalog is needed: the direction comes from the language, the layout from the CSS's logical
properties."""

from __future__ import annotations

import re

import pytest

from portal.models import Stage
from tests.careers.helpers import advertised
from tests.factories import PASSWORD
from tests.support import candidate as portal_data
from tests.support.fixtures.browser import screenshot

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def arabic(app, firms):
    """Firm A speaking Arabic first (its default), English and German offered too; its candidate
    in two searches, one advertised on the careers board."""
    from types import SimpleNamespace

    from portal.extensions import db
    from portal.models import Firm
    from tests.factories import firm_context

    a = firms.a
    with firm_context(app, a.firm) as s:
        f = s.get(Firm, a.firm.id)
        f.default_language = "ar"
        f.languages = ["ar", "en", "de"]
    job = advertised(app, a, title="مهندس برمجيات", client="Initech")
    cy = portal_data.add(app, a, job, a.candidate, Stage.SCREENING)
    other = portal_data.make_search(app, a, title="Data Lead")
    portal_data.add(app, a, other, a.candidate, Stage.CONTACTED)
    with firm_context(app, a.firm):
        db.session.commit()
    return SimpleNamespace(**vars(a), job=job, candidacy=cy)


def test_an_arabic_page_is_rtl(app, arabic, client_for):
    """The firm's default language: no cookie, no Accept-Language, nobody signed in."""
    page = client_for(arabic.firm).get("/careers/").get_data(as_text=True)
    assert re.search(r'<html lang="ar" dir="rtl">', page), page[:200]
    # A visitor who chose English with the switcher gets a left-to-right page of the same firm.
    c = client_for(arabic.firm)
    c.post("/language", data={"language": "en", "next": "/careers/"})
    assert '<html lang="en" dir="ltr">' in c.get("/careers/").get_data(as_text=True)


def test_another_firm_stays_ltr(app, arabic, firms, client_for):
    page = client_for(firms.b.firm).get("/careers/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


# The header's brand and menu, the main heading, the first back arrow, and how wide the page is.
LAYOUT = """() => {
  const box = sel => { const e = document.querySelector(sel); if (!e) return null;
    const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top, width: b.width}; };
  const arrow = document.querySelector('.flip-rtl');
  return {
    dir: document.documentElement.dir, lang: document.documentElement.lang,
    brand: box('.brand'), menu: box('.nav-menu > summary') || box('.careers-sign-in'),
    h1: box('main h1'), main: box('main'),
    arrow: arrow ? getComputedStyle(arrow).transform : null,
    scroll: document.scrollingElement.scrollWidth, viewport: window.innerWidth,
    align: getComputedStyle(document.querySelector('main h1')).textAlign,
  };
}"""


def _check_mirrored(page, name: str) -> dict:
    page.wait_for_load_state("load")
    got = page.evaluate(LAYOUT)
    screenshot(page, f"rtl-{name}")
    assert (got["dir"], got["lang"]) == ("rtl", "ar"), got
    assert got["scroll"] <= PHONE["width"], f"{name}: a sideways scroll ({got['scroll']} px wide)"
    # The brand starts the header's line: on the right, whatever comes after it on the left.
    assert got["brand"]["right"] > PHONE["width"] - 40, f"{name}: the brand is not at the right: {got}"
    if got["menu"]:
        assert got["brand"]["left"] > got["menu"]["left"], f"{name}: the menu is not left of the brand: {got}"
    # The main heading is against the right edge (its text at the start, the right).
    assert got["h1"] is not None and got["h1"]["right"] > PHONE["width"] - 40, f"{name}: {got}"
    assert got["align"] in ("start", "right"), got
    return got


@pytest.mark.browser
def test_the_layout_is_mirrored_at_375_px(app, arabic, browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # The careers board, as a visitor.
        page.goto(live_server.url(arabic.firm, "/careers/"))
        _check_mirrored(page, "careers-board")
        # A job's page: its back link's arrow turned to point right (back, in Arabic).
        page.goto(live_server.url(arabic.firm, f"/careers/jobs/{arabic.job.id}"))
        got = _check_mirrored(page, "careers-job")
        assert got["arrow"] == "matrix(-1, 0, 0, 1, 0, 0)", got
        # The candidate's home and one of their searches (the stepper), signed in.
        page.goto(live_server.url(arabic.firm, "/login"))
        page.fill("input[name=email]", arabic.candidate_user.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/me/"))
        _check_mirrored(page, "candidate-home")
        page.goto(live_server.url(arabic.firm, f"/me/searches/{arabic.candidacy.id}"))
        _check_mirrored(page, "candidate-search")
        # The stepper runs from the right: its first step is right of its last.
        first, last = page.evaluate(
            """() => Array.from(document.querySelectorAll('.stepper .step')).filter((_, i, all) =>
                 i === 0 || i === all.length - 1).map(e => e.getBoundingClientRect().left)"""
        )
        assert first > last
    finally:
        context.close()


@pytest.mark.browser
def test_a_recruiter_page_is_mirrored_at_375_px(app, arabic, browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url(arabic.firm, "/login"))
        page.fill("input[name=email]", arabic.recruiter.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/recruiter/"))
        _check_mirrored(page, "recruiter-dashboard")
        page.goto(live_server.url(arabic.firm, f"/recruiter/searches/{arabic.job.id}/board"))
        page.wait_for_load_state("load")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "rtl-recruiter-board")
        # The menu opens under the header, one link per row, text from the right.
        page.goto(live_server.url(arabic.firm, "/recruiter/"))
        page.locator(".nav-menu > summary").click()
        links = page.locator(".main-nav a")
        first = links.first.bounding_box()
        assert first["x"] + first["width"] > PHONE["width"] - 40, first
        screenshot(page, "rtl-recruiter-menu")
    finally:
        context.close()


def test_the_css_has_no_left_or_right_left():
    """The stylesheets say start and end, not left and right (logical properties), so one CSS
    serves both directions; what must stay physical is mirrored under [dir="rtl"]."""
    import glob
    import os

    root = os.path.join(os.path.dirname(__file__), "..", "..", "portal")
    files = glob.glob(os.path.join(root, "static", "*.css")) + [os.path.join(root, "templates", "brand.css")]
    physical = re.compile(
        r"(?<![\w-])(?:margin|padding|border)-(?:left|right)\b|(?<![\w-])(?:left|right)\s*:|"
        r"text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)|border-(?:top|bottom)-(?:left|right)-radius"
    )
    found = []
    for path in files:
        with open(path) as fh:
            for n, line in enumerate(fh, 1):
                if physical.search(line):
                    found.append(f"{os.path.basename(path)}:{n}: {line.strip()[:100]}")
    assert not found, "\n".join(found)
    # The gradient of the stepper's current step runs "to right": turned round in RTL.
    with open(os.path.join(root, "static", "candidate.css")) as fh:
        css = fh.read()
    assert "to right" not in css or '[dir="rtl"] .stepper .step.current::after' in css


@pytest.mark.browser
def test_the_switcher_is_compact_on_a_phone(app, arabic, browser, live_server):
    """The footer's switcher at 375 px (the sign-in page, a visitor): its label, select and
    button on one line, the select and button at least 44 px tall, all with the keyboard."""
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url(arabic.firm, "/login"))
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll(`.language-switcher label, .language-switcher select,
                 .language-switcher button`)).map(e => { const b = e.getBoundingClientRect();
                 return {tag: e.tagName, top: b.top, bottom: b.bottom, height: b.height, right: b.right, left: b.left}; })"""
        )
        assert [b["tag"] for b in boxes] == ["LABEL", "SELECT", "BUTTON"]
        mids = [(b["top"] + b["bottom"]) / 2 for b in boxes]
        assert max(mids) - min(mids) < 8, f"not one line: {boxes}"
        assert all(b["height"] >= 44 for b in boxes[1:]), boxes
        assert all(0 <= b["left"] and b["right"] <= PHONE["width"] for b in boxes), boxes
        # RTL: the label first, at the right.
        assert boxes[0]["left"] > boxes[1]["left"] > boxes[2]["left"], boxes
        page.locator(".language-switcher").scroll_into_view_if_needed()
        screenshot(page, "rtl-switcher")
        # The keyboard alone: focus the select, pick Deutsch, Tab to the button, Enter.
        page.focus("#language-choice")
        page.keyboard.press("End")  # the last language offered
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.language-switcher') !== null")
        assert page.evaluate("document.activeElement.tagName") == "BUTTON"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["de", "ltr"]
    finally:
        context.close()
