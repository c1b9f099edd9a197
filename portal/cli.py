"""The `portal` command's firm, user and matching groups (Flask CLI commands on the app).

The group itself is in `portal/__main__.py`; `portal worker|scheduler` come from `worker/cli.py`
through the `flask.commands` entry point, so nothing here imports the worker. Every command runs
its service through `_in_firm` (one transaction); nothing here commits by hand."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from portal import transaction
from portal.extensions import db

firm_cli = click.Group("firm", help="Create and manage firms (tenants).")
user_cli = click.Group("user", help="Create users.")


@firm_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 'Acme Search'.")
@click.option("--domain", multiple=True, help="A custom domain serving this firm (repeatable).")
@with_appcontext
def firm_create(slug: str, name: str, domain: tuple[str, ...]) -> None:
    from portal.services.firms import create_firm

    _, firm = _in_firm(None, lambda _: create_firm(name=name, slug=slug, domains=list(domain)))
    click.echo(f"Created firm {firm.slug} (id {firm.id}).")


@firm_cli.command("list")
@with_appcontext
def firm_list() -> None:
    from portal.models import Firm, FirmDomain
    from portal.tenancy import all_firms

    with all_firms():
        firms = db.session.scalars(select(Firm).order_by(Firm.slug)).all()
        domains = db.session.execute(select(FirmDomain.firm_id, FirmDomain.domain, FirmDomain.verified_at)).all()
    by_firm: dict[int, list[str]] = {}
    for fid, d, verified_at in domains:
        by_firm.setdefault(fid, []).append(d if verified_at else f"{d}(pending)")
    for f in firms:
        state = "disabled" if f.disabled else "active"
        click.echo(f"{f.slug:20} {f.name:30} {state:9} {' '.join(sorted(by_firm.get(f.id, [])))}")


def _firm_by_slug(slug: str):
    from portal.models import Firm

    firm = db.session.scalar(select(Firm).where(Firm.slug == (slug or "").strip().lower()))
    if firm is None:
        raise click.ClickException(f"no firm {slug!r}")
    return firm


def _in_firm(firm, action):
    """Run `action(firm)` in one transaction (portal/transaction.py), bound to `firm` (a Firm,
    or the slug of one), or spanning every firm when `firm` is None; committed when the action
    returns. A refusal (DomainError) rolls back and becomes the command's error message.
    Returns the firm and what the action returned. The one place a command commits."""
    from portal.services import DomainError
    from portal.tenancy import all_firms, as_firm

    if isinstance(firm, str):
        firm = _firm_by_slug(firm)
    try:
        with all_firms() if firm is None else as_firm(firm.id), transaction.transaction():
            result = action(firm)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    return firm, result


def _set_firm_disabled(slug: str, disabled: bool) -> None:
    from portal.services.branding import set_disabled

    firm, changed = _in_firm(slug, lambda firm: set_disabled(firm, None, disabled))
    state = "disabled: every host of it answers 404" if disabled else "enabled"
    click.echo(
        f"{firm.slug} is {state}." if changed else f"{firm.slug} was already {'disabled' if disabled else 'enabled'}."
    )


@firm_cli.command("disable")
@click.argument("slug")
@with_appcontext
def firm_disable(slug: str) -> None:
    """Take a firm's portal offline (its data is kept; `firm enable` brings it back)."""
    _set_firm_disabled(slug, True)


@firm_cli.command("enable")
@click.argument("slug")
@with_appcontext
def firm_enable(slug: str) -> None:
    """Bring a disabled firm's portal back."""
    _set_firm_disabled(slug, False)


@firm_cli.command("sender")
@click.argument("slug")
@click.argument("email", required=False)
@with_appcontext
def firm_sender(slug: str, email: str | None) -> None:
    """Send firm SLUG's emails from EMAIL (omit EMAIL to use PORTAL_MAIL_FROM again)."""
    from portal.services.branding import set_sender_email

    firm, _changed = _in_firm(slug, lambda firm: set_sender_email(firm, None, email))
    click.echo(f"{firm.slug} sends from {firm.sender_email or 'PORTAL_MAIL_FROM'}.")


domain_cli = click.Group("domain", help="Custom domains that serve a firm's portal.")
firm_cli.add_command(domain_cli)


@domain_cli.command("add")
@click.argument("slug")
@click.argument("domain")
@with_appcontext
def firm_domain_add(slug: str, domain: str) -> None:
    """Serve firm SLUG also on DOMAIN (e.g. careers.example.com)."""
    from portal.services.branding import add_domain
    from portal.services.domains import record_for

    firm, row = _in_firm(slug, lambda firm: add_domain(firm, None, domain))
    rec = record_for(row)
    click.echo(
        f"{row.domain} is pending for {firm.slug}. To prove the firm controls it, publish the DNS record\n"
        f'  {rec.name}  TXT  "{rec.value}"\n'
        f"then run: portal firm domain verify {firm.slug} {row.domain}  (the worker also checks hourly for a week)"
    )


@domain_cli.command("verify")
@click.argument("slug")
@click.argument("domain")
@with_appcontext
def firm_domain_verify(slug: str, domain: str) -> None:
    """Check DOMAIN's DNS TXT record now; it serves firm SLUG once verified."""
    from portal.services.branding import find_domain
    from portal.services.domains import record_for, verify

    def check(firm):
        row = find_domain(firm, domain)
        return row, verify(firm, None, row)

    firm, (row, verified) = _in_firm(slug, check)
    if not verified:
        rec = record_for(row)
        raise click.ClickException(
            f'{row.domain} is not verified: {row.last_check_error}\nExpected: {rec.name} TXT "{rec.value}"'
        )
    click.echo(f"{row.domain} is verified and now serves {firm.slug}.")


@domain_cli.command("remove")
@click.argument("slug")
@click.argument("domain")
@with_appcontext
def firm_domain_remove(slug: str, domain: str) -> None:
    """Stop serving firm SLUG on DOMAIN."""
    from portal.services.branding import find_domain, remove_domain

    firm, name = _in_firm(slug, lambda firm: remove_domain(firm, None, find_domain(firm, domain).id))
    click.echo(f"{name} no longer serves {firm.slug}.")


@user_cli.command("create")
@click.option("--firm", "firm_slug", required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "recruiter", "candidate"]), default="admin")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_create(firm_slug: str, email: str, name: str, role: str, password: str) -> None:
    from portal.models import Firm, Role
    from portal.services.firms import create_user

    firm = db.session.scalar(select(Firm).where(Firm.slug == firm_slug))
    if firm is None:
        raise click.ClickException(f"no firm {firm_slug!r}")
    firm, user = _in_firm(
        firm, lambda firm: create_user(firm, email=email, name=name, role=Role(role), password=password)
    )
    click.echo(f"Created {role} {user.email} in {firm.slug}.")


matching_cli = click.Group("matching", help="Candidate suggestions for searches.")


@matching_cli.command("pools")
@click.option("--firm", "slug", help="Only this firm (default: every active firm).")
@click.option("--rebuild", is_flag=True, help="Rebuild every pool, not only the missing and shrunken ones.")
@with_appcontext
def matching_pools(slug: str | None, rebuild: bool) -> None:
    """Build the match pools of large open searches (after loading people or searches in
    bulk; the worker's hourly plan does the same)."""
    import time

    from portal.models import Firm
    from portal.services.matching import pools as match_pools
    from portal.tenancy import all_firms

    if slug:
        firms = [_firm_by_slug(slug)]
    else:
        with all_firms():
            firms = list(db.session.scalars(select(Firm).where(Firm.disabled.is_(False)).order_by(Firm.id)))
    for firm in firms:
        t0 = time.perf_counter()
        # Committed in steps (transaction.checkpoint), as the worker's plan does: a large pool
        # is built search by search, and no search stays locked for long.
        _firm, out = _in_firm(
            firm, lambda firm: match_pools.maintain(firm, rebuild_all=rebuild, checkpoint=transaction.checkpoint)
        )
        click.echo(
            f"{firm.slug}: {out['built']} built, {out['kept']} kept, {out['dropped']} dropped "
            f"({time.perf_counter() - t0:.1f} s)"
        )


storage_cli = click.Group("storage", help="Files (CVs, logos, photos, attachments): the configured storage backend.")


@storage_cli.command("import-local")
@click.option("--keep", is_flag=True, help="Keep the local copies (default: remove them once moved).")
@with_appcontext
def storage_import_local(keep: bool) -> None:
    """Move CVs kept on this machine's disk (PORTAL_UPLOAD_DIR, before the storage backends)
    into the configured storage; run it on every web server that received uploads. With S3, it
    also moves the files still kept in the database (from before the switch to S3, and the
    logos and photos that revision 0031 moved out of their tables) into the bucket."""
    from portal import storage
    from portal.models import Candidate
    from portal.tenancy import all_firms

    moved = missing = 0
    with all_firms():
        ids = db.session.scalars(select(Candidate.id).where(Candidate.cv_path.is_not(None)).order_by(Candidate.id))
        batch_ids = list(ids)
    for start in range(0, len(batch_ids), 200):  # a commit per batch: a long run keeps its progress
        with all_firms(), transaction.transaction():
            rows = db.session.scalars(select(Candidate).where(Candidate.id.in_(batch_ids[start : start + 200])))
            done, lost = storage.import_local(list(rows), remove=not keep)
            moved, missing = moved + done, missing + lost
    click.echo(f"Moved {moved} file(s) into the {storage.backend().name} storage; {missing} not on this machine.")
    if storage.backend().name != "database":
        click.echo(
            f"Moved {storage.import_database()} file(s) from the database into the {storage.backend().name} storage."
        )


def init_app(app: Flask) -> None:
    from portal.backup import backup_command, restore_command
    from portal.devtools.cli import demo_command, dev_command

    commands = (firm_cli, user_cli, matching_cli, storage_cli, backup_command, restore_command)
    for cmd in (*commands, demo_command, dev_command):
        if cmd.name not in app.cli.commands:
            app.cli.add_command(cmd)
