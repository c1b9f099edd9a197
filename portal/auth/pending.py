"""A sign-in waiting for its second step: after a correct password, staff with two-factor (or
who must enrol one) get this short-lived state in the signed Flask session instead of a
session. It holds the user id, the firm, an expiry, remember-me and the safe `next` path, and
never a secret; no server-side session row exists until the second step succeeds. Never
signs anyone in itself (portal.auth.views does, after portal.auth.two_factor checks the code)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import g, session, url_for

from portal.web.security import is_safe_next

KEY = "sign_in_pending"
LIFETIME_SECONDS = 300  # five minutes to open the authenticator app and type a code


@dataclass
class Pending:
    user_id: int
    remember: bool
    next_url: str | None


def begin(user_id: int, step: str, *, remember: bool, next_url: str | None) -> str:
    """Start the second step (step: "code" or "enrol"); returns the URL of its page."""
    session.clear()  # nothing from before the password carries over
    session[KEY] = {
        "user": user_id,
        "firm": g.firm.id,
        "until": int(time.time()) + LIFETIME_SECONDS,
        "remember": bool(remember),
        "next": next_url if is_safe_next(next_url) else None,
    }
    return url_for("auth.two_factor_setup" if step == "enrol" else "auth.two_factor_code")


def current() -> Pending | None:
    """The pending sign-in of this browser on this firm's host, unless it has expired."""
    state = session.get(KEY)
    firm = g.get("firm")
    if not isinstance(state, dict) or firm is None or state.get("firm") != firm.id:
        return None
    if not isinstance(state.get("until"), int) or state["until"] < time.time():
        session.pop(KEY, None)
        return None
    return Pending(user_id=int(state["user"]), remember=bool(state.get("remember")), next_url=state.get("next"))


def clear() -> None:
    session.pop(KEY, None)
