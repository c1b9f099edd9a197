"""Emails carry their own firm's brand and sender, and nothing of another firm."""

import re

from portal.services import branding
from portal.web.brand import palette
from tests.factories import firm_context
from tests.support.admin import admin_client, image_bytes, upload

BRANDS = {
    "alpha": dict(
        name="Alpha Search",
        primary_color="#1f4e79",
        accent_color="#b5461a",
        sender_name="Alpha People",
        reply_to="hello@alpha.example",
        support_email="help@alpha.example",
        postal_address="1 Alpha Road, Berlin",
    ),
    "beta": dict(
        name="Beta Talent",
        primary_color="#ffdd00",
        accent_color="#6a1b9a",
        sender_name="Beta Careers",
        reply_to="hello@beta.example",
        support_email="help@beta.example",
        postal_address="2 Beta Avenue, Springfield",
    ),
}


def brand_firm(app, ns, **values):
    from portal.models import Firm

    with firm_context(app, ns.firm) as s:
        firm = s.get(Firm, ns.firm.id)
        branding.update_settings(firm, ns.admin, **values)
        firm.sender_email = f"mail@{ns.firm.slug}.example"


def test_invitations_of_each_firm_carry_only_that_firms_brand(app, firms, client_for, run_jobs, smtp_sink):
    brand_firm(app, firms.a, **BRANDS["alpha"])
    brand_firm(app, firms.b, **BRANDS["beta"])
    for ns, slug in ((firms.a, "alpha"), (firms.b, "beta")):
        c = admin_client(client_for, ns)
        assert upload(c, image_bytes("PNG", colour=(1, 2, 3))).status_code == 302
        assert (
            c.post(
                "/admin/staff/invite", data={"name": f"New {slug}", "email": f"new@{slug}.example", "role": "recruiter"}
            ).status_code
            == 302
        )
    run_jobs()
    mails = {m.rcpt_tos[0]: m.email for m in smtp_sink.wait_for(2)}
    assert set(mails) == {"new@alpha.example", "new@beta.example"}
    for slug, other in (("alpha", "beta"), ("beta", "alpha")):
        mail = mails[f"new@{slug}.example"]
        brand, other_brand = BRANDS[slug], BRANDS[other]
        assert mail["From"] == f"{brand['sender_name']} <mail@{slug}.example>"
        assert mail["Reply-To"] == brand["reply_to"]
        html = mail.get_body(preferencelist=("html",)).get_content()
        text = mail.get_body(preferencelist=("plain",)).get_content()
        p = palette(brand["primary_color"], brand["accent_color"])
        assert f"background:{p.primary}" in html
        assert f"color:{p.on_primary}" in html
        assert f"background:{p.accent};color:{p.on_accent}" in html  # the button
        assert brand["name"] in html and brand["postal_address"] in html and brand["support_email"] in html
        assert f'src="http://{slug}.localhost/brand/logo?v=1"' in html
        assert re.search(rf"http://{slug}\.localhost/invitation/", html)
        all_text = str(mail) + html + text
        for value in (
            other_brand["name"],
            other_brand["sender_name"],
            other_brand["postal_address"],
            other_brand["support_email"],
            other_brand["primary_color"],
            other_brand["accent_color"],
            f"{other}.localhost",
            f"@{other}.example",
        ):
            assert value not in all_text, (slug, value)
    # The logo URL in the email really is the firm's logo on the firm's host.
    a_logo = client_for(firms.a.firm).get("/brand/logo?v=1")
    assert a_logo.status_code == 200 and a_logo.mimetype == "image/png"
    # Yellow is too light for white text: black text on the header, as on the site.
    beta_html = mails["new@beta.example"].get_body(preferencelist=("html",)).get_content()
    assert "background:#ffdd00" in beta_html and "color:#000000;font-size:18px" in beta_html


def test_emails_without_a_logo_show_the_name_only(app, firms, client_for, run_jobs, smtp_sink):
    c = admin_client(client_for, firms.a)
    c.post("/admin/staff/invite", data={"name": "N", "email": "n@alpha.example", "role": "recruiter"})
    run_jobs()
    [mail] = smtp_sink.wait_for(1)
    html = mail.email.get_body(preferencelist=("html",)).get_content()
    assert "/brand/logo" not in html and "Alpha Search" in html
    assert "Powered by Portal" in html


def test_powered_by_line_in_emails_can_be_turned_off(app, firms, client_for, run_jobs, smtp_sink):
    app.config["POWERED_BY"] = False
    c = admin_client(client_for, firms.a)
    c.post("/admin/staff/invite", data={"name": "N", "email": "n@alpha.example", "role": "recruiter"})
    run_jobs()
    [mail] = smtp_sink.wait_for(1)
    assert "Powered by Portal" not in mail.email.get_body(preferencelist=("html",)).get_content()


def test_email_logo_url_is_built_outside_a_request(app, firms):
    """The worker renders emails too (no request): the logo link still points at the firm's host."""
    from portal.web.brand import logo_url

    with firm_context(app, firms.b.firm):
        assert logo_url(firms.b.firm) == "http://beta.localhost/brand/logo?v=0"


def test_branded_layout_renders_in_the_worker_without_a_request(app, firms):
    from flask import has_request_context

    from portal.models import Firm
    from portal.web.templating import render_email

    with firm_context(app, firms.b.firm) as s:
        firm = s.get(Firm, firms.b.firm.id)
        branding.update_settings(firm, None, primary_color="#ffdd00")
        branding.set_logo(firm, None, image_bytes())
        assert not has_request_context()
        subject, text, html = render_email(
            firm, "invitation", user=firms.b.recruiter, inviter=None, days=7, link="http://beta.localhost/invitation/x"
        )
    assert "Beta Search" in subject
    assert 'src="http://beta.localhost/brand/logo?v=1"' in html
    assert "background:#ffdd00" in html and "Alpha" not in html
