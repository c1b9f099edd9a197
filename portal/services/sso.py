"""Single sign-on for staff through a firm's OpenID provider (authorization code flow, PKCE S256,
state and nonce), with Authlib as the OAuth client and joserfc for the ID token.

A firm's admin saves the provider (checked by fetching its discovery document); `begin` makes
the provider's sign-in address and the values the browser session must keep; `verify` checks
the answer (state, code exchange, ID token: signature by the provider's keys, issuer, audience
= this firm's client id, expiry, nonce); `sign_in` finds the staff member by verified email in
this firm only, or creates a recruiter when the firm allows it for that domain. Never touches
the request or the session, never commits, and never looks at another firm's users or
settings; the client secret is never returned to a page.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Firm, Role, User, utcnow
from portal.models.sso import SingleSignOn, SsoLink
from portal.services import DomainError, audit
from portal.services.accounts import normalise_email
from portal.services.firms import create_user

SCOPE = "openid email profile"
CACHE_SECONDS = 3600
LEEWAY = 60  # seconds of clock difference tolerated on exp/iat
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
_discovery: dict[str, tuple[float, dict]] = {}  # issuer -> (expires at, document); per process
_keys: dict[str, tuple[float, KeySet]] = {}  # jwks_uri -> (expires at, keys)


class SsoSettingsError(DomainError):
    """The provider settings cannot be used (shown on the admin form, on `field`)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class SsoRefused(DomainError):
    """This sign-in through the provider is refused (shown on the sign-in page)."""


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a verified ID token."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str


# ---------------------------------------------------------------- settings


def settings(firm: Firm) -> SingleSignOn | None:
    return db.session.scalar(select(SingleSignOn).where(SingleSignOn.firm_id == firm.id))


def required_for(firm: Firm, user: User) -> bool:
    """Must this user sign in through the firm's provider (staff of a firm that requires it)?"""
    if not user.is_staff:
        return False
    row = settings(firm)
    return bool(row and row.required)


def _domains(text: str) -> str:
    words = [w.strip().lstrip("@").lower() for w in (text or "").replace(",", " ").split()]
    for word in words:
        if not _DOMAIN.fullmatch(word):
            raise SsoSettingsError(
                _("%(word)s is not an email domain (e.g. example.com).", word=word[:80]), "allowed_domains"
            )
    joined = " ".join(dict.fromkeys(words))
    if len(joined) > 500:
        raise SsoSettingsError(_("At most 500 characters of domains."), "allowed_domains")
    return joined


def save_settings(
    firm: Firm,
    actor: User,
    *,
    provider_name: str,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    auto_create: bool,
    allowed_domains: str,
    required: bool,
) -> SingleSignOn:
    """Create or change the firm's provider. An empty `client_secret` keeps the stored one.
    The issuer is checked at once (its discovery document must answer and name it)."""
    row = settings(firm)
    secret = (client_secret or "").strip() or (row.client_secret if row else "")
    if not secret:
        raise SsoSettingsError(_("Enter the client secret your provider gave you."), "client_secret")
    domains = _domains(allowed_domains)
    if auto_create and not domains:
        raise SsoSettingsError(_("Name the email domain(s) whose people may get an account."), "allowed_domains")
    document = discover(issuer.strip().rstrip("/"), field="issuer")
    if row is None:
        row = SingleSignOn(firm_id=firm.id)
        db.session.add(row)
    row.provider_name = provider_name.strip()[:60] or "your provider"
    row.issuer, row.client_id, row.client_secret = document["issuer"], client_id.strip(), secret
    row.auto_create, row.allowed_domains, row.required = bool(auto_create), domains, bool(required)
    row.updated_at = utcnow()
    db.session.flush()
    details = {"issuer": row.issuer, "client_id": row.client_id, "auto_create": row.auto_create}
    details |= {"allowed_domains": domains, "required": row.required, "secret_changed": bool(client_secret)}
    audit.record(firm, actor, "sso.configured", target=row.provider_name, details=details)
    return row


def remove_settings(firm: Firm, actor: User) -> None:
    row = settings(firm)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        audit.record(firm, actor, "sso.removed", target=row.provider_name)


# ---------------------------------------------------------------- the provider over HTTP


def _check_url(url: str, field: str | None) -> None:
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return
    loopback = parts.hostname == "localhost" or _is_loopback(parts.hostname or "")
    if parts.scheme == "http" and loopback and current_app.config.get("SSO_ALLOW_HTTP"):
        return
    if not url:
        raise SsoSettingsError(_("Use an https:// address for the provider (none given)."), field)
    raise SsoSettingsError(_("Use an https:// address for the provider (%(url)s).", url=url), field)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _get_json(url: str, field: str | None) -> dict:
    _check_url(url, field)
    try:
        resp = requests.get(url, timeout=current_app.config["SSO_TIMEOUT"], allow_redirects=False)
        resp.raise_for_status()
        data = resp.json()
    except requests.RequestException as exc:
        raise SsoSettingsError(
            _("The provider did not answer at %(url)s: %(error)s.", url=url, error=exc.__class__.__name__), field
        ) from exc
    except ValueError as exc:
        raise SsoSettingsError(_("The provider's answer at %(url)s is not JSON.", url=url), field) from exc
    if not isinstance(data, dict):
        raise SsoSettingsError(_("The provider's answer at %(url)s is not a JSON object.", url=url), field)
    return data


def discover(issuer: str, field: str | None = None) -> dict:
    """The provider's discovery document (cached per process for an hour)."""
    cached = _discovery.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    doc = _get_json(f"{issuer}/.well-known/openid-configuration", field)
    if str(doc.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise SsoSettingsError(
            _("The provider calls itself “%(named)s”, not “%(issuer)s”.", named=doc.get("issuer"), issuer=issuer), field
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(key), str):
            raise SsoSettingsError(_("The provider's discovery document has no %(key)s.", key=key), field)
        _check_url(doc[key], field)
    _discovery[issuer] = (time.monotonic() + CACHE_SECONDS, doc)
    return doc


def _keyset(jwks_uri: str, fresh: bool = False) -> KeySet:
    cached = _keys.get(jwks_uri)
    if cached and cached[0] > time.monotonic() and not fresh:
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(jwks_uri, None))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as exc:
        raise SsoRefused(_("The provider's signing keys could not be read.")) from exc
    _keys[jwks_uri] = (time.monotonic() + CACHE_SECONDS, keys)
    return keys


def _client(row: SingleSignOn, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        row.client_id, row.client_secret, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256"
    )


# ---------------------------------------------------------------- the flow


def begin(row: SingleSignOn, redirect_uri: str) -> tuple[str, dict[str, str]]:
    """The provider's sign-in address, and what the browser session keeps until the answer
    (state, nonce, PKCE verifier: single use)."""
    doc = discover(row.issuer)
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32)}
    pending["verifier"] = secrets.token_urlsafe(48)
    url, _ = _client(row, redirect_uri).create_authorization_url(
        doc["authorization_endpoint"], state=pending["state"], nonce=pending["nonce"], code_verifier=pending["verifier"]
    )
    return url, pending


def verify(row: SingleSignOn, pending: dict | None, answer: dict[str, str], redirect_uri: str) -> Identity:
    """Check the provider's answer against what `begin` kept and return the verified identity."""
    if not pending or not hmac.compare_digest(str(pending.get("state", "")), str(answer.get("state", ""))):
        raise SsoRefused(_("This sign-in was not started here or has expired. Please try again."))
    if answer.get("error"):
        raise SsoRefused(
            _("%(provider)s did not sign you in (%(error)s).", provider=row.provider_name, error=answer["error"][:80])
        )
    if not answer.get("code"):
        raise SsoRefused(_("%(provider)s sent no authorization code.", provider=row.provider_name))
    doc = discover(row.issuer)
    try:
        token = _client(row, redirect_uri).fetch_token(
            doc["token_endpoint"],
            grant_type="authorization_code",
            code=answer["code"],
            code_verifier=pending["verifier"],
            timeout=current_app.config["SSO_TIMEOUT"],
        )
    except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
        raise SsoRefused(_("%(provider)s refused the sign-in code.", provider=row.provider_name)) from exc
    if not token.get("id_token"):
        raise SsoRefused(_("%(provider)s sent no ID token.", provider=row.provider_name))
    claims = check_id_token(row, token["id_token"], pending["nonce"])
    if "email" not in claims and token.get("access_token") and isinstance(doc.get("userinfo_endpoint"), str):
        claims = {**_userinfo(doc["userinfo_endpoint"], token["access_token"], claims["sub"]), **claims}
    email = normalise_email(str(claims.get("email") or ""))
    if not email:
        raise SsoRefused(_("%(provider)s did not tell us your email address.", provider=row.provider_name))
    verified = claims.get("email_verified") in (True, "true")
    name = str(claims.get("name") or email.partition("@")[0])[:120]
    return Identity(row.issuer, str(claims["sub"]), email, verified, name)


def check_id_token(row: SingleSignOn, id_token: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token signed by the provider's keys, issued by it, for this firm's
    client (audience), not expired, and carrying our nonce; anything else is SsoRefused."""
    doc = discover(row.issuer)
    try:
        try:
            token = jwt.decode(id_token, _keyset(doc["jwks_uri"]), algorithms=ALGORITHMS)
        except JoseError:  # perhaps a new key: fetch the keys again, once
            token = jwt.decode(id_token, _keyset(doc["jwks_uri"], fresh=True), algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": row.issuer},
            aud={"essential": True, "value": row.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise SsoRefused(
            _(
                "The sign-in from %(provider)s could not be verified (%(error)s).",
                provider=row.provider_name,
                error=_why(exc),
            )
        ) from exc
    aud = token.claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and token.claims.get("azp") != row.client_id:
        raise SsoRefused(
            _("The sign-in from %(provider)s was issued to another application.", provider=row.provider_name)
        )
    return dict(token.claims)


def _why(exc: Exception) -> str:
    return getattr(exc, "error", None) or exc.__class__.__name__


def _userinfo(endpoint: str, access_token: str, subject: str) -> dict:
    _check_url(endpoint, None)
    try:
        resp = requests.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=current_app.config["SSO_TIMEOUT"]
        )
        resp.raise_for_status()
        info = resp.json()
    except (requests.RequestException, ValueError):
        return {}
    return info if isinstance(info, dict) and info.get("sub") == subject else {}


def sign_in(firm: Firm, row: SingleSignOn, identity: Identity) -> User:
    """The staff member of THIS firm with the identity's verified email (or a new recruiter when
    the firm allows it for that domain); records the link and the sign-in time."""
    if not identity.email_verified:
        raise SsoRefused(
            _("%(provider)s has not verified the address %(email)s.", provider=row.provider_name, email=identity.email)
        )
    user = db.session.scalar(select(User).where(User.firm_id == firm.id, User.email == identity.email))
    if user is None:
        user = _created(firm, row, identity)
    if not user.is_staff:
        raise SsoRefused(_("Single sign-on is for %(firm)s staff; please sign in with your password.", firm=firm.name))
    if not user.active:
        raise SsoRefused(_("This account is deactivated. Please ask your firm's admin."))
    _link(firm, user, identity)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _created(firm: Firm, row: SingleSignOn, identity: Identity) -> User:
    domain = identity.email.rpartition("@")[2]
    if not (row.auto_create and domain in row.domains):
        raise SsoRefused(
            _(
                "%(email)s has no account at %(firm)s. Please ask your firm's admin to invite you.",
                email=identity.email,
                firm=firm.name,
            )
        )
    user = create_user(firm, email=identity.email, name=identity.name, role=Role.RECRUITER)
    audit.record(firm, None, "sso.user_created", target=user.email, details={"issuer": identity.issuer})
    return user


def _link(firm: Firm, user: User, identity: Identity) -> None:
    """Remember the identity that signed this account in; an account already linked to another
    identity at the same provider, or an identity linked to another account, is refused."""
    by_subject = db.session.scalar(
        select(SsoLink).where(
            SsoLink.firm_id == firm.id, SsoLink.issuer == identity.issuer, SsoLink.subject == identity.subject
        )
    )
    link = db.session.scalar(select(SsoLink).where(SsoLink.firm_id == firm.id, SsoLink.user_id == user.id))
    if (by_subject is not None and by_subject.user_id != user.id) or (
        link is not None and link.issuer == identity.issuer and link.subject != identity.subject
    ):
        raise SsoRefused(
            _("This account is linked to another identity at your provider. Please ask your firm's admin.")
        )
    if link is None:
        link = SsoLink(firm_id=firm.id, user_id=user.id)
        db.session.add(link)
    link.issuer, link.subject, link.last_sign_in_at = identity.issuer, identity.subject, utcnow()


def status(firm: Firm, user: User) -> tuple[SingleSignOn | None, SsoLink | None]:
    """For the account page: the firm's provider (if any) and this user's link to it."""
    row = settings(firm)
    if row is None:
        return None, None
    link = db.session.scalar(select(SsoLink).where(SsoLink.firm_id == firm.id, SsoLink.user_id == user.id))
    return row, link
