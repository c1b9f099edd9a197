"""Firm settings: validated server-side, audited, shown on the firm's pages only."""

import pytest

from portal.models import Stage
from portal.services import branding
from portal.web.brand import PAGE_BACKGROUND, WHITE, contrast_ratio, palette, readable_background, readable_on
from portal.web.templating import candidate_stage_text
from tests.factories import firm_context
from tests.support.admin import admin_client, audit_entries, load_firm
from tests.support.fixtures.clients import login_as

GOOD = {
    "name": "Alpha Search",
    "primary_color": "#1f4e79",
    "accent_color": "#b5461a",
    "welcome_md": "",
    "support_email": "",
    "postal_address": "",
    "sender_name": "",
    "reply_to": "",
    "careers_enabled": "y",
}
RULES = {
    "timezone": "Europe/Berlin",
    "cadence_days": "7",
    "checkin_weekday": "4",
    "checkin_hour": "14",
    "nurture_weeks": "8",
    "availability_prompt_weeks": "12",
    "feedback_window_days": "2",
    "reply_window_days": "1",
}
HUGE = "x" * 20_000


def test_brand_settings_are_saved_and_audited(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.get("/admin/settings").status_code == 200
    resp = c.post(
        "/admin/settings",
        data={
            **GOOD,
            "name": "Alpha Talent",
            "primary_color": "#0B6E4F",
            "welcome_md": "Welcome to **Alpha**.",
            "support_email": "Help@Alpha.example",
            "postal_address": "1 Main St, Springfield",
            "sender_name": "Alpha People",
            "reply_to": "people@alpha.example",
        },
    )
    assert resp.status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.name == "Alpha Talent" and firm.primary_color == "#0b6e4f"
    assert firm.welcome_html == "<p>Welcome to <strong>Alpha</strong>.</p>"
    assert firm.support_email == "Help@alpha.example"  # the domain part is normalised
    assert firm.sender_name == "Alpha People" and firm.reply_to == "people@alpha.example"
    [entry] = audit_entries(app, firms.a.firm)
    assert entry.action == "settings.changed" and entry.actor_id == firms.a.admin.id
    changes = entry.details["changes"]
    assert changes["name"] == {"old": "Alpha Search", "new": "Alpha Talent"}
    assert changes["primary_color"] == {"old": "#1f4e79", "new": "#0b6e4f"}
    assert set(changes) == {
        "name",
        "primary_color",
        "welcome_md",
        "support_email",
        "postal_address",
        "sender_name",
        "reply_to",
    }
    css = client_for(firms.a.firm).get("/brand.css").get_data(as_text=True)
    assert "--brand: #0b6e4f;" in css
    # Saving the same values again changes nothing and logs nothing.
    c.post(
        "/admin/settings",
        data={
            **GOOD,
            "name": "Alpha Talent",
            "primary_color": "#0b6e4f",
            "welcome_md": "Welcome to **Alpha**.",
            "support_email": "Help@alpha.example",
            "postal_address": "1 Main St, Springfield",
            "sender_name": "Alpha People",
            "reply_to": "people@alpha.example",
        },
    )
    assert len(audit_entries(app, firms.a.firm)) == 1


def test_welcome_text_on_login_and_candidate_home(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    c.post("/admin/settings", data={**GOOD, "welcome_md": "We *always* call back."})
    assert "We <em>always</em> call back." in client_for(firms.a.firm).get("/login").get_data(as_text=True)
    cand = client_for(firms.a.firm)
    login_as(cand, firms.a.candidate_user)
    assert "We <em>always</em> call back." in cand.get("/me/").get_data(as_text=True)
    assert "always" not in client_for(firms.b.firm).get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "colour",
    [
        "red;}</style><script>alert(1)</script>",
        "red",
        "#12345",
        "#1234567",
        "#gggggg",
        "1f4e79",
        "#1f4e79;",
        " #1f4e79 }",
        "javascript:x",
    ],
)
def test_bad_colours_are_refused(app, firms, client_for, colour):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/settings", data={**GOOD, "primary_color": colour})
    assert resp.status_code == 400
    assert "Use a colour in the form #rrggbb" in resp.get_data(as_text=True)
    assert load_firm(app, firms.a.firm).primary_color == "#1f4e79"
    css = client_for(firms.a.firm).get("/brand.css").get_data(as_text=True)
    assert "<" not in css and "script" not in css
    assert audit_entries(app, firms.a.firm) == []


def test_the_service_refuses_bad_colours_too(app, firms):
    with firm_context(app, firms.a.firm):
        with pytest.raises(branding.InvalidSetting) as err:
            branding.update_settings(firms.a.firm, None, accent_color="red;}</style><script>")
        assert err.value.field == "accent_color"


@pytest.mark.parametrize("field", list(GOOD))
def test_huge_values_in_brand_fields_give_a_form_error(app, firms, client_for, field):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/settings", data={**GOOD, field: HUGE})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "Please correct the highlighted" in body
    assert load_firm(app, firms.a.firm).name == "Alpha Search"


@pytest.mark.parametrize("field", list(RULES))
def test_huge_values_in_contact_rules_give_a_form_error(app, firms, client_for, field):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/contact-rules", data={**RULES, field: HUGE})
    assert resp.status_code == 400
    assert "Please correct the highlighted" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("name", "<script>alert(1)</script>", "without &lt; or &gt;"),
        ("sender_name", "Evil\r\nBcc: all@example.com", "single line"),
        ("postal_address", "<b>x</b>", "without &lt; or &gt;"),
        ("welcome_md", "Hi <script>alert(1)</script>", "HTML tags are not allowed"),
        ("welcome_md", "<img src=x onerror=alert(1)>", "HTML tags are not allowed"),
        ("support_email", "not-an-email", "valid email"),
        ("reply_to", "a@b@c", "valid email"),
        ("name", "", "required"),
    ],
)
def test_script_and_bad_text_give_a_clear_error(app, firms, client_for, field, value, message):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/settings", data={**GOOD, field: value})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert message in body
    assert "<script>alert(1)" not in body  # the value is escaped when shown back


def test_markdown_autolinks_and_angle_brackets_in_prose_are_fine(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/settings", data={**GOOD, "welcome_md": "See <https://alpha.example> if 2 < 3."})
    assert resp.status_code == 302
    html = load_firm(app, firms.a.firm).welcome_html
    assert 'href="https://alpha.example"' in html and "2 &lt; 3" in html


def test_contact_rules(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.get("/admin/contact-rules").status_code == 200
    resp = c.post(
        "/admin/contact-rules",
        data={
            **RULES,
            "timezone": "America/New_York",
            "cadence_days": "10",
            "checkin_weekday": "0",
            "checkin_hour": "9",
        },
    )
    assert resp.status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert (firm.timezone, firm.cadence_days, firm.checkin_weekday, firm.checkin_hour) == ("America/New_York", 10, 0, 9)
    [entry] = audit_entries(app, firms.a.firm)
    assert entry.details["changes"]["cadence_days"] == {"old": 7, "new": 10}


@pytest.mark.parametrize(
    "field,value",
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../etc/passwd"),
        ("cadence_days", "0"),
        ("cadence_days", "61"),
        ("cadence_days", "seven"),
        ("checkin_weekday", "7"),
        ("checkin_hour", "24"),
        ("nurture_weeks", "0"),
        ("availability_prompt_weeks", "53"),
        ("cadence_days", "1e3"),
        ("feedback_window_days", "0"),
        ("feedback_window_days", "11"),
        ("feedback_window_days", "two"),
        ("feedback_window_days", "x" * 20_000),
    ],
)
def test_contact_rules_out_of_range_are_refused(app, firms, client_for, field, value):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/contact-rules", data={**RULES, field: value})
    assert resp.status_code == 400
    firm = load_firm(app, firms.a.firm)
    assert firm.cadence_days == 7 and firm.timezone == "UTC"


def test_service_validates_rules(app, firms):
    with firm_context(app, firms.a.firm):
        for field, value in [("timezone", "Nowhere/Else"), ("cadence_days", 61), ("checkin_hour", -1)]:
            with pytest.raises(branding.InvalidSetting):
                branding.update_settings(firms.a.firm, None, **{field: value})
        with pytest.raises(ValueError):
            branding.update_settings(firms.a.firm, None, disabled=True)  # not an admin setting


def test_feedback_window_is_a_contact_rule(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    page = c.get("/admin/contact-rules").get_data(as_text=True)
    assert "Feedback after an interview within (business days)" in page
    resp = c.post("/admin/contact-rules", data={**RULES, "feedback_window_days": "3"})
    assert resp.status_code == 302
    assert load_firm(app, firms.a.firm).feedback_window_days == 3
    resp = c.post("/admin/contact-rules", data={**RULES, "feedback_window_days": "12"})
    assert resp.status_code == 400 and "between 1 and 10" in resp.get_data(as_text=True)
    assert load_firm(app, firms.a.firm).feedback_window_days == 3


def test_stage_wording(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    page = c.get("/admin/stages").get_data(as_text=True)
    assert "Your profile is with the client" in page  # the default, as a hint
    data = {f"{s.value}-{part}": "" for s in Stage for part in ("label", "explanation")}
    data["presented-label"] = "With the hiring company"
    data["presented-explanation"] = "They usually answer within a week."
    resp = c.post("/admin/stages", data=data)
    assert resp.status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.stage_labels == {
        "presented": {"label": "With the hiring company", "explanation": "They usually answer within a week."}
    }
    assert candidate_stage_text(Stage.PRESENTED, firm) == (
        "With the hiring company",
        "They usually answer within a week.",
    )
    assert candidate_stage_text(Stage.OFFER, firm)[0] == "Offer stage"
    assert candidate_stage_text(Stage.PRESENTED, load_firm(app, firms.b.firm))[0] == "Your profile is with the client"
    [entry] = audit_entries(app, firms.a.firm)
    assert set(entry.details["changes"]) == {"stage_labels.presented.label", "stage_labels.presented.explanation"}
    # Empty again: back to the defaults.
    data["presented-label"] = data["presented-explanation"] = ""
    assert c.post("/admin/stages", data=data).status_code == 302
    assert load_firm(app, firms.a.firm).stage_labels is None


def test_stage_wording_limits(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    for field in ("interviewing-label", "interviewing-explanation"):
        resp = c.post("/admin/stages", data={field: HUGE})
        assert resp.status_code == 400
        assert "Please correct the highlighted" in resp.get_data(as_text=True)
    resp = c.post("/admin/stages", data={"offer-label": "<script>x</script>"})
    assert resp.status_code == 400 and "without &lt; or &gt;" in resp.get_data(as_text=True)
    assert load_firm(app, firms.a.firm).stage_labels is None


# ---------------------------------------------------------------- contrast


def test_palette_keeps_text_readable():
    p = palette("#1f4e79", "#b5461a")
    assert p.notes == [] and p.on_primary == WHITE and p.primary_text == "#1f4e79"
    light = palette("#ffdd00", "#b5461a")
    assert light.primary == "#ffdd00" and light.on_primary == "#000000"
    assert light.primary_text != "#ffdd00"
    assert contrast_ratio(light.primary_text, PAGE_BACKGROUND) >= 4.5
    assert contrast_ratio(light.primary_text, WHITE) >= 4.5
    assert any("too light" in n for n in light.notes)
    assert any("white text" in n.lower() for n in light.notes)


def test_readable_shades_reach_the_threshold():
    for colour in ("#ffdd00", "#cccccc", "#ff9900", "#00ff00", "#777777"):
        assert contrast_ratio(readable_on(colour, "#ffffff"), "#ffffff") >= 4.5
        assert contrast_ratio(readable_on(colour, "#000000"), "#000000") >= 4.5
    # With black or white text some colours never reach 7:1 (AAA): a shade is chosen.
    bg, fg = readable_background("#777777", minimum=7)
    assert bg != "#777777" and contrast_ratio(bg, fg) >= 7


def test_light_colours_are_adjusted_in_brand_css_and_the_admin_is_told(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/settings", data={**GOOD, "primary_color": "#ffdd00"}, follow_redirects=True)
    body = resp.get_data(as_text=True)
    assert "too light for text and links" in body
    css = client_for(firms.a.firm).get("/brand.css").get_data(as_text=True)
    p = palette("#ffdd00", "#b5461a")
    assert "--brand: #ffdd00;" in css
    assert "--brand-contrast: #000000;" in css
    assert f"--brand-text: {p.primary_text};" in css
    assert "too light" in c.get("/admin/").get_data(as_text=True)


def test_powered_by_can_be_turned_off(app, firms, client_for):
    assert "Powered by Portal" in client_for(firms.a.firm).get("/login").get_data(as_text=True)
    app.config["POWERED_BY"] = False
    assert "Powered by Portal" not in client_for(firms.a.firm).get("/login").get_data(as_text=True)


def test_error_pages_carry_only_the_hosts_brand(app, firms, client_for):
    resp = client_for(firms.a.firm).get("/no-such-page")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "Alpha Search" in body and "Beta" not in body
    assert "/brand.css" in body
    with firm_context(app) as s:
        from portal.models import Firm

        s.get(Firm, firms.b.firm.id).disabled = True
    resp = client_for(firms.b.firm).get("/login")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "Beta" not in body and "Alpha" not in body


def test_a_time_zone_outside_the_list_stays_selectable(app, firms, client_for):
    with firm_context(app) as s:
        from portal.models import Firm

        s.get(Firm, firms.a.firm.id).timezone = "EST"
    c = admin_client(client_for, firms.a)
    page = c.get("/admin/contact-rules").get_data(as_text=True)
    assert '<option selected value="EST">' in page
    assert c.post("/admin/contact-rules", data={**RULES, "timezone": "EST"}).status_code == 302
    assert c.post("/admin/contact-rules", data={**RULES, "timezone": "localtime"}).status_code == 400


def test_reply_window_is_a_contact_rule_of_1_to_10_business_days(app, firms, client_for):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.admin)
    assert c.post("/admin/contact-rules", data={**RULES, "reply_window_days": "3"}).status_code == 302
    assert load_firm(app, firms.a.firm).reply_window_days == 3
    for bad in ("0", "11", "x" * 20_000):
        assert c.post("/admin/contact-rules", data={**RULES, "reply_window_days": bad}).status_code == 400
    assert load_firm(app, firms.a.firm).reply_window_days == 3
