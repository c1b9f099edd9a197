"""Operator commands: portal firm create|list|disable|enable|domain add|domain remove."""

from sqlalchemy import select

from portal.models import AuditEntry, Firm, FirmDomain
from tests.factories import firm_context
from tests.support.dns_server import publish_proof


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_firm_lifecycle_from_the_command_line(app, client_for, dns_zone):
    result = run(app, "firm", "create", "gamma", "--name", "Gamma Partners", "--domain", "careers.gamma.com")
    assert result.exit_code == 0, result.output
    assert "Created firm gamma" in result.output
    with firm_context(app) as s:
        gamma = s.scalar(select(Firm).where(Firm.slug == "gamma"))
    assert client_for(gamma).get("/login").status_code == 200

    result = run(app, "firm", "domain", "add", "gamma", "jobs.gamma.com")
    assert result.exit_code == 0 and "jobs.gamma.com is pending for gamma" in result.output
    assert '_portal-verification.jobs.gamma.com  TXT  "portal-verification=' in result.output
    assert client_for(gamma, host="jobs.gamma.com").get("/login").status_code == 404
    result = run(app, "firm", "domain", "verify", "gamma", "jobs.gamma.com")
    assert result.exit_code != 0 and "No TXT record" in result.output
    for name in ("careers.gamma.com", "jobs.gamma.com"):
        publish_proof(app, dns_zone, gamma, name)
        result = run(app, "firm", "domain", "verify", "gamma", name)
        assert result.exit_code == 0 and f"{name} is verified and now serves gamma" in result.output
    assert client_for(gamma, host="jobs.gamma.com").get("/login").status_code == 200
    listing = run(app, "firm", "list").output
    assert "gamma" in listing and "Gamma Partners" in listing and "active" in listing
    assert "careers.gamma.com" in listing and "jobs.gamma.com" in listing and "pending" not in listing

    result = run(app, "firm", "disable", "gamma")
    assert result.exit_code == 0 and "disabled" in result.output
    for host in ("gamma.localhost", "careers.gamma.com", "jobs.gamma.com"):
        assert client_for(gamma, host=host).get("/login").status_code == 404, host
        assert client_for(gamma, host=host).get("/brand/logo").status_code == 404, host
    assert "disabled" in run(app, "firm", "list").output
    assert "already disabled" in run(app, "firm", "disable", "gamma").output

    result = run(app, "firm", "enable", "gamma")
    assert result.exit_code == 0 and "enabled" in result.output
    assert client_for(gamma).get("/login").status_code == 200

    result = run(app, "firm", "domain", "remove", "gamma", "jobs.gamma.com")
    assert result.exit_code == 0 and "no longer serves gamma" in result.output
    assert client_for(gamma, host="jobs.gamma.com").get("/login").status_code == 404
    with firm_context(app, gamma) as s:
        actions = [(e.action, e.actor_id) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        ("domain.added", None),
        ("domain.verified", None),
        ("domain.verified", None),
        ("firm.disabled", None),
        ("firm.enabled", None),
        ("domain.removed", None),
    ]


def test_cli_errors_are_clear(app, firms):
    for args, message in [
        (("firm", "disable", "nope"), "no firm 'nope'"),
        (("firm", "domain", "add", "nope", "x.example.com"), "no firm 'nope'"),
        (("firm", "domain", "add", "alpha", "not a domain"), "Enter a domain name"),
        (("firm", "domain", "remove", "alpha", "x.example.com"), "alpha has no domain x.example.com"),
        (("firm", "create", "alpha", "--name", "Again"), "exists already"),
    ]:
        result = run(app, *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    run(app, "firm", "domain", "add", "alpha", "careers.alpha-search.com")
    result = run(app, "firm", "domain", "add", "alpha", "careers.alpha-search.com")
    assert result.exit_code != 0 and "already on this firm's list" in result.output
    result = run(app, "firm", "domain", "verify", "alpha", "nowhere.example.com")
    assert result.exit_code != 0 and "alpha has no domain nowhere.example.com" in result.output
    # Another firm's claim does not block the name (only a verified DNS record decides).
    result = run(app, "firm", "domain", "add", "beta", "careers.alpha-search.com")
    assert result.exit_code == 0 and "pending" in result.output
    with firm_context(app) as s:
        assert s.scalars(select(FirmDomain.domain)).all() == ["careers.alpha-search.com"] * 2


def test_firm_sender_address(app, firms):
    result = run(app, "firm", "sender", "alpha", "Talent@Alpha.example")
    assert result.exit_code == 0 and "alpha sends from Talent@alpha.example" in result.output
    with firm_context(app) as s:
        assert s.get(Firm, firms.a.firm.id).sender_email == "Talent@alpha.example"
        assert s.get(Firm, firms.b.firm.id).sender_email is None
    result = run(app, "firm", "sender", "alpha", "not an address")
    assert result.exit_code != 0 and "valid email" in result.output
    result = run(app, "firm", "sender", "alpha")
    assert result.exit_code == 0 and "PORTAL_MAIL_FROM" in result.output
    with firm_context(app, firms.a.firm) as s:
        [first, second] = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert first.details == {"changes": {"sender_email": {"old": None, "new": "Talent@alpha.example"}}}
    assert second.details == {"changes": {"sender_email": {"old": "Talent@alpha.example", "new": None}}}
