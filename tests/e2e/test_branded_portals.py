"""Two branded portals side by side in headless Chromium (the demo firms), and the admin
pages on a phone."""

import hashlib

import pytest

from tests.support.fixtures.browser import screenshot

PAGES = [
    "/admin/",
    "/admin/settings",
    "/admin/logo",
    "/admin/contact-rules",
    "/admin/stages",
    "/admin/languages",
    "/admin/languages/de",
    "/admin/domains",
    "/admin/staff",
    "/admin/staff/invite",
    "/admin/audit",
]


def load_demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app.config["DEMO_PASSWORD"]


def sign_in(page, base, email, password, lands_on):
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{lands_on}")


@pytest.mark.browser
def test_candidate_home_of_both_demo_firms_differs(app, live_server, browser):
    password = load_demo(app)
    seen = {}
    for slug in ("demo", "globex"):
        context = browser.new_context(viewport={"width": 375, "height": 812})
        page = context.new_page()
        page.set_default_timeout(10_000)
        base = f"http://{slug}.localhost:{live_server.port}"
        sign_in(page, base, f"candidate@{slug}.example", password, "/me/")
        page.wait_for_function(
            "() => { const i = document.querySelector('.brand-logo'); return i && i.complete && i.naturalWidth > 0; }"
        )
        style = page.eval_on_selector(
            ".site-header", "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color]; }"
        )
        link_colour = page.evaluate(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--brand-text').trim()"
        )
        logo_src = page.get_attribute(".brand-logo", "src")
        # Fetched by the page itself (Chromium resolves *.localhost; the Node side does not).
        mime, logo_bytes = page.evaluate(
            "async (src) => { const r = await fetch(src);"
            " return [r.headers.get('content-type'), Array.from(new Uint8Array(await r.arrayBuffer()))]; }",
            logo_src,
        )
        assert mime == "image/png" and bytes(logo_bytes[:8]) == b"\x89PNG\r\n\x1a\n"
        seen[slug] = {
            "header": style[0],
            "header_text": style[1],
            "link": link_colour,
            "name": page.inner_text(".brand-name"),
            "title": page.title(),
            "welcome": page.inner_text(".welcome"),
            "logo": hashlib.sha256(bytes(logo_bytes)).hexdigest(),
            "favicon": page.get_attribute("link[rel=icon]", "href"),
            "overflow": page.evaluate("() => document.documentElement.scrollWidth"),
        }
        screenshot(page, f"branding-{slug}-candidate-home")
        context.close()
    demo, globex = seen["demo"], seen["globex"]
    assert demo["header"] == "rgb(31, 78, 121)" and globex["header"] == "rgb(11, 110, 79)"
    assert demo["header_text"] == globex["header_text"] == "rgb(255, 255, 255)"
    assert demo["name"] == "Northwind Search" and globex["name"] == "Globex Talent"
    assert "Northwind" in demo["title"] and "Globex" in globex["title"]
    assert "Northwind" in demo["welcome"] and "Globex" in globex["welcome"]
    assert "Globex" not in demo["welcome"] and "Northwind" not in globex["welcome"]
    assert demo["logo"] != globex["logo"]
    assert demo["link"] != globex["link"]
    assert demo["overflow"] <= 375 and globex["overflow"] <= 375


@pytest.mark.browser
def test_admin_pages_work_on_a_phone(app, live_server, phone):
    password = load_demo(app)
    base = f"http://globex.localhost:{live_server.port}"
    sign_in(phone, base, "admin@globex.example", password, "/admin/")
    for path in PAGES:
        phone.goto(base + path)
        assert phone.locator("h1").count() == 1, path
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
        name = path.strip("/").replace("/", "-") or "admin"
        screenshot(phone, f"branding-phone-{name}")
    # A real change through the form, on the phone, keyboard only for the text.
    phone.goto(base + "/admin/settings")
    phone.fill("#sender_name", "Globex People Team")
    phone.click("form.card button[type=submit]")
    phone.wait_for_url("**/admin/settings")
    assert "Saved." in phone.inner_text(".flashes")
    screenshot(phone, "branding-admin-settings-phone")
    phone.goto(base + "/admin/staff")
    screenshot(phone, "branding-admin-staff-phone")
    phone.goto(base + "/admin/audit")
    assert "Globex People Team" in phone.inner_text("main")
    screenshot(phone, "branding-admin-audit-phone")
    phone.goto(base + "/admin/")
    screenshot(phone, "branding-admin-home-phone")
