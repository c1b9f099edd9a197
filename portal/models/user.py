"""People who log in: candidates, recruiters and firm admins; their one-time tokens and
server-side sessions. Passwords, tokens and session secrets are stored hashed, never in clear."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow


class Role(str, enum.Enum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"
    ADMIN = "admin"


class User(FirmOwned, UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("firm_id", "email"),
        # The firm's staff (owner lists) among its candidates' logins: a few rows, not every user.
        Index("ix_users_firm_role", "firm_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A recruiter's profile for their candidates (portal/services/recruiter_profile.py): a photo
    # (a re-encoded JPEG, a file of the storage under this key), its version for the URL, and a short line.
    photo_key: Mapped[str | None] = mapped_column(String(300))
    photo_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    about: Mapped[str | None] = mapped_column(String(160))
    # The private calendar feed (portal/services/calendar_feeds.py): its URL is derived from the
    # secret key and this number, so raising it stops the old URL (nothing secret is stored).
    calendar_feed_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # New candidate messages: "immediately" (an email for the candidacy owner), "digest" (in the
    # daily digest only) or "off" (the needs-attention list only).
    # The language of this person's pages (None: chosen per request from the browser and the
    # firm's default); a candidate's account has the same as its Candidate.language.
    language: Mapped[str | None] = mapped_column(String(10))
    message_notifications: Mapped[str] = mapped_column(String(20), default="immediately", server_default="immediately")

    # The secret of the signed-in session this object was loaded for (never stored in clear;
    # see UserSession). Set by portal.services.sessions, not a column.
    if TYPE_CHECKING:  # a plain attribute: the ORM rejects annotations that are not Mapped[]
        login_secret: str | None
    login_secret = None

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The login id in the session and remember-me cookies: user id and session secret."""
        return f"{self.id}.{self.login_secret or ''}"

    def set_password(self, password: str) -> None:
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """End every signed-in session of this user, server-side, at once."""
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == self.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_staff(self) -> bool:
        """Recruiters and admins both work in the recruiter backend."""
        return self.role in (Role.RECRUITER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class TokenPurpose(str, enum.Enum):
    INVITATION = "invitation"
    RESET = "reset"
    SIGN_IN = "sign_in"  # a candidate's passwordless sign-in link (portal.services.sign_in_links)


class AuthToken(FirmOwned, Model):
    """A single-use, expiring link token (invitation, password reset or sign-in), stored hashed."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where a sign-in link lands once used: a local path (checked again when it is used),
    # copied from its email's Message.credential_next; never part of the emailed URL.
    next_path: Mapped[str | None] = mapped_column(String(500))


class UserSession(FirmOwned, Model):
    """One signed-in browser. The cookie holds a random secret; only its hash is stored.

    A session ends at logout, password change or "sign out everywhere" (ended_at), after
    the idle limit without a request (last_seen_at, refreshed at most every few minutes)
    and at its absolute lifetime (created_at); see portal.services.sessions.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (UniqueConstraint("firm_id", "secret_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    # A short readable summary of the User-Agent ("Chrome on Android"), not the header itself.
    device: Mapped[str] = mapped_column(String(80), default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
