"""What the screens look like, measured in headless Chromium on the demo data (issue 16):
the board shows all nine stages at 1280 x 800 with nothing cut off; no header wraps to a
second line at 375 px (the navigation is behind a "Menu" that works without JavaScript); the
keyboard focus ring reads at 3:1 or better and nothing clips it; the recruiter's Messages page
stacks its rows on a phone. Screenshots go to tests/artifacts/ (look at them)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.web.brand import contrast_ratio
from tests.support.fixtures.browser import screenshot

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
STAGES = ["applied", "identified", "contacted", "screening", "presented", "interviewing", "offer", "placed", "closed"]

# Every visible item of the header's line and the line itself: one line means every item's
# vertical middle is the header row's, and the row is no taller than its tallest item + padding.
HEADER_LINE = """() => {
  const row = document.querySelector('.header-row');
  const r = row.getBoundingClientRect(), mid = r.top + r.height / 2;
  const items = Array.from(row.children).filter(e => e.getClientRects().length);
  const boxes = items.map(e => {
    const b = (e.matches('details') ? e.querySelector('summary:not([hidden])') || e : e).getBoundingClientRect();
    const shown = b.height ? b : e.querySelector('nav').getBoundingClientRect();
    return {name: e.className || e.tagName, top: shown.top, bottom: shown.bottom, mid: shown.top + shown.height / 2};
  });
  return {height: r.height, mid, boxes, scroll: document.documentElement.scrollWidth};
}"""

# Focusable elements whose focus ring (outline + offset) an ancestor with overflow would cut.
CLIPPED_RINGS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')) {
    if (!e.getClientRects().length) continue;
    const s = getComputedStyle(e);
    const grow = (parseFloat(s.outlineWidth) || 3) + Math.max(0, parseFloat(s.outlineOffset) || 0);
    const b = e.getBoundingClientRect();
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.overflowX === 'visible' && ps.overflowY === 'visible') continue;
      const c = p.getBoundingClientRect();
      if (b.left - grow < c.left - 0.5 || b.right + grow > c.right + 0.5 || b.top - grow < c.top - 0.5 || b.bottom + grow > c.bottom + 0.5) {
        out.push((e.textContent || e.tagName).trim().slice(0, 40) + ' in ' + p.tagName + '.' + p.className);
        break;
      }
    }
  }
  return out.slice(0, 10);
}"""

# Stage selects that cut their longest option: narrower than the same select sized to fit it.
SELECTS_CUT = """() => Array.from(document.querySelectorAll('.board select')).flatMap(s => {
  const free = s.cloneNode(true);
  free.removeAttribute('id');
  free.style.cssText = 'width: auto; flex: none; position: absolute; visibility: hidden';
  s.parentElement.appendChild(free);
  const needs = free.offsetWidth;
  free.remove();
  return needs > s.offsetWidth ? [`${s.id} needs ${needs}px, has ${s.offsetWidth}px`] : [];
})"""


def _rgb(css: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.fixture
def demo(app):
    from portal.devtools.demo import load_demo
    from portal.models import Candidacy, Firm, Search
    from portal.tenancy import as_firm

    with app.app_context():
        load_demo()
        firm = db.session.scalar(select(Firm).where(Firm.slug == "demo"))
        with as_firm(firm.id):
            board = db.session.scalar(select(Search.id).where(Search.title == "Senior Backend Engineer"))
            candidacy = db.session.scalar(select(Candidacy.id).where(Candidacy.search_id == board).limit(1))
        db.session.remove()
    return firm, board, candidacy, app.config["DEMO_PASSWORD"]


def _signed_in(browser, live_server, firm, email, password, lands_on):
    """A signed-in browser state, reused for every width."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url(firm, "/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{lands_on}")
    state = context.storage_state()
    context.close()
    return state


def _page(browser, state, viewport):
    page = browser.new_context(viewport=viewport, storage_state=state).new_page()
    page.set_default_timeout(10_000)
    return page


def _one_line(page, what):
    line = page.evaluate(HEADER_LINE)
    for box in line["boxes"]:
        assert abs(box["mid"] - line["mid"]) <= 2, (what, line)
    assert line["height"] <= max(b["bottom"] - b["top"] for b in line["boxes"]) + 20, (what, line)
    assert line["scroll"] <= page.viewport_size["width"], (what, line)


def _ring(page, selector):
    """Focus `selector` from the keyboard (Tab) and return its ring: colour, the colour around it
    (the header's, or the opened menu's), and whether the ring's box lies inside that box."""
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            break
    else:
        raise AssertionError(f"Tab never reached {selector}")
    return page.evaluate(
        """() => {
          const e = document.activeElement, s = getComputedStyle(e);
          const grow = parseFloat(s.outlineWidth) + Math.max(0, parseFloat(s.outlineOffset));
          const panel = e.closest('.nav-panel'), header = document.querySelector('.site-header');
          const box = panel && getComputedStyle(panel).position === 'absolute' ? panel : header;
          const b = e.getBoundingClientRect(), h = box.getBoundingClientRect();
          return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
                  around: getComputedStyle(box).backgroundColor,
                  inside: b.left - grow >= h.left && b.right + grow <= h.right && b.top - grow >= h.top && b.bottom + grow <= h.bottom};
        }"""
    )


def _readable_ring(ring, what):
    assert ring["style"] == "solid" and ring["width"] >= 2, (what, ring)
    assert ring["inside"], (what, "the header cuts the focus ring", ring)
    ratio = contrast_ratio(_rgb(ring["colour"]), _rgb(ring["around"]))
    assert ratio >= 3, (what, ring, ratio)


@pytest.mark.browser
def test_the_board_shows_all_nine_stages_at_1280(app, demo, live_server, browser):
    firm, board, _, password = demo
    state = _signed_in(browser, live_server, firm, "recruiter@demo.example", password, "/recruiter/")
    page = _page(browser, state, DESKTOP)
    page.goto(live_server.url(firm, f"/recruiter/searches/{board}/board"))
    assert page.eval_on_selector_all(".column[data-stage]", "cs => cs.map(c => c.dataset.stage)") == STAGES
    sizes = page.evaluate(
        """() => { const b = document.querySelector('.board'), d = document.documentElement;
          return {board: [b.scrollWidth, b.clientWidth], page: [d.scrollWidth, d.clientWidth],
                  right: Math.max(...Array.from(document.querySelectorAll('.column')).map(c => c.getBoundingClientRect().right))}; }"""
    )
    wide = page.evaluate(
        """() => { const b = document.querySelector('.board').getBoundingClientRect().right;
          return Array.from(document.querySelectorAll('.board *')).filter(e => e.getBoundingClientRect().right > b)
            .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width) + ' ' + (e.textContent || '').trim().slice(0, 30)); }"""
    )
    assert sizes["board"][0] <= sizes["board"][1] and sizes["page"][0] <= sizes["page"][1], (sizes, wide)
    assert sizes["right"] <= 1280, sizes
    # Every column is in view, with its count; the Closed column is collapsed to its count.
    for stage in STAGES:
        column = page.locator(f".column[data-stage={stage}]")
        assert column.is_visible() and re.search(r"\d", column.locator(".count").inner_text()), stage
    closed = page.locator(".column[data-stage=closed] details")
    assert closed.count() == 1 and closed.get_attribute("open") is None
    # Each stage select reads in full: as wide as the same select sized to its longest option.
    cut = page.evaluate(SELECTS_CUT)
    assert not cut, cut
    assert not page.evaluate(CLIPPED_RINGS)
    # The same with a classic 16 px scrollbar taking its share of the 1280 px.
    page.set_viewport_size({"width": 1264, "height": 800})
    assert page.evaluate(SELECTS_CUT) == [] and page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.set_viewport_size(DESKTOP)
    screenshot(page, "layout-board-1280")
    closed.locator("summary").click()
    assert closed.get_attribute("open") is not None
    screenshot(page, "layout-board-closed-open-1280")
    page.context.close()

    phone = _page(browser, state, PHONE)
    phone.goto(live_server.url(firm, f"/recruiter/searches/{board}/board"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _one_line(phone, "board")
    screenshot(phone, "layout-board-375")
    phone.context.close()


@pytest.mark.browser
def test_headers_keep_to_one_line_and_show_their_focus(app, demo, live_server, browser):
    firm, board, candidacy, password = demo
    recruiter = _signed_in(browser, live_server, firm, "recruiter@demo.example", password, "/recruiter/")
    candidate = _signed_in(browser, live_server, firm, "candidate2@demo.example", password, "/me/")
    admin = _signed_in(browser, live_server, firm, "admin@demo.example", password, "/")
    pages = {
        "recruiter": (recruiter, ["/recruiter/", "/recruiter/messages", f"/recruiter/candidacies/{candidacy}"]),
        "admin": (admin, ["/recruiter/", "/admin/"]),  # the longest navigation: "Firm settings" too
        "candidate": (candidate, ["/me/", "/me/feedback", "/me/settings"]),
    }
    for who, (state, paths) in pages.items():
        for width in (375, 768, 1024, 1280):
            page = _page(browser, state, {"width": width, "height": 812})
            for path in paths:
                page.goto(live_server.url(firm, path))
                _one_line(page, f"{who} {path} at {width}px")
                assert not page.evaluate(CLIPPED_RINGS), (who, path, width)
            screenshot(page, f"layout-{who}-{width}")
            if width == 375:
                # The menu opens without JavaScript and lists every page; the line stays one line.
                menu = page.locator(".nav-menu")
                assert not page.locator(".main-nav a").first.is_visible()
                menu.locator("summary").click()
                links = page.locator(".main-nav a")
                assert links.count() >= 4 and all(a.is_visible() for a in links.all())
                assert all(a.bounding_box()["height"] >= 40 for a in links.all())  # thumb-sized
                assert who == "admin" or "Messages" in page.locator(".main-nav").inner_text()  # no longer clipped
                _one_line(page, f"{who} menu open")
                screenshot(page, f"layout-{who}-menu-375")
                _readable_ring(_ring(page, ".main-nav a"), f"{who} menu link")
                _readable_ring(_ring(page, ".nav-menu summary"), f"{who} menu button")
            else:
                assert page.locator(".main-nav a").first.is_visible() or width < 1024, (who, width)
            if width == 1280:
                _readable_ring(_ring(page, ".main-nav a"), f"{who} header link")
                _readable_ring(_ring(page, ".logout button"), f"{who} sign out")
            page.context.close()


@pytest.mark.browser
def test_messages_page_stacks_its_rows_on_a_phone(app, demo, live_server, browser):
    firm, _, _, password = demo
    state = _signed_in(browser, live_server, firm, "recruiter@demo.example", password, "/recruiter/")
    for viewport in (PHONE, DESKTOP):
        page = _page(browser, state, viewport)
        page.goto(live_server.url(firm, "/recruiter/messages"))
        rows = page.locator(".message-list > li")
        assert rows.count() >= 3 and page.locator("main table").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if viewport is PHONE:
            # A subject reads on a few lines at most, at the row's full width.
            for row in rows.all()[:5]:
                subject = row.locator(".subject").bounding_box()
                assert subject["width"] >= 250 and subject["height"] <= 3 * 26, (row.inner_text(), subject)
        screenshot(page, f"layout-messages-{viewport['width']}")
        page.context.close()


@pytest.mark.browser
def test_the_search_forms_descriptions_per_language_fit_a_phone(app, demo, live_server, browser):
    """One folded field per language the firm offers besides its default: at 375 px each opens
    to a full-width box, typed in its own language and direction, without a sideways scroll."""
    firm, board, _, password = demo
    state = _signed_in(browser, live_server, firm, "recruiter@demo.example", password, "/recruiter/")
    page = _page(browser, state, PHONE)
    page.goto(live_server.url(firm, f"/recruiter/searches/{board}/edit"))
    folds = page.locator("details.translation")
    assert folds.count() >= 1
    full = page.locator("#description_md").bounding_box()["width"]  # the description's own box
    for i in range(folds.count()):
        fold = folds.nth(i)
        fold.locator("summary").click()  # opens without JavaScript: a <details>
        box = fold.locator("textarea")
        assert box.is_visible()
        width = box.bounding_box()["width"]
        assert abs(width - full) <= 1, (width, full)
        assert fold.locator("summary").bounding_box()["height"] >= 20
    arabic = page.locator('textarea[lang="ar"]')
    if arabic.count():
        assert arabic.get_attribute("dir") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "layout-search-languages-375")
    page.context.close()
