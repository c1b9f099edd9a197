"""Factories for test data. Each runs in its own app context, bound to the firm, commits,
and returns the object detached (attributes stay readable)."""

from __future__ import annotations

import itertools
from contextlib import contextmanager

from flask import Flask

from portal.extensions import db
from portal.models import Candidate, Firm, Role, User
from portal.tenancy import all_firms, as_firm

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def seq() -> int:
    return next(_seq)


@contextmanager
def firm_context(app: Flask, firm: Firm | int | None = None):
    """An app context bound to a firm (or spanning firms when None), committing at the end."""
    with app.app_context():
        if firm is None:
            with all_firms():
                yield db.session
                db.session.commit()
        else:
            with as_firm(firm if isinstance(firm, int) else firm.id):
                yield db.session
                db.session.commit()


def make_firm(app: Flask, slug: str | None = None, name: str | None = None, **kw) -> Firm:
    from portal.services.firms import create_firm

    n = seq()
    with firm_context(app):
        firm = create_firm(name=name or f"Firm {n}", slug=slug or f"firm{n}", **kw)
    return firm


def make_user(
    app: Flask,
    firm: Firm,
    role: Role = Role.RECRUITER,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    **kw,
) -> User:
    from portal.services.firms import create_user

    n = seq()
    with firm_context(app, firm):
        user = create_user(
            firm,
            email=email or f"{role.value}{n}@{firm.slug}.example",
            name=name or f"{role.value.capitalize()} {n}",
            role=role,
            password=password,
        )
        for k, v in kw.items():
            setattr(user, k, v)
    return user


def make_candidate(
    app: Flask, firm: Firm, *, with_login: bool = True, owner: User | None = None, password: str = PASSWORD, **kw
) -> Candidate:
    """A talent-pool member; with_login also gives them a candidate User (candidate.user_id)."""
    n = seq()
    email = kw.pop("email", f"cand{n}@{firm.slug}.example")
    name = kw.pop("name", f"Candidate {n}")
    user = make_user(app, firm, Role.CANDIDATE, email=email, name=name, password=password) if with_login else None
    with firm_context(app, firm):
        cand = Candidate(
            firm_id=firm.id,
            user_id=user.id if user else None,
            name=name,
            email=email,
            owner_id=owner.id if owner else None,
            **kw,
        )
        db.session.add(cand)
        db.session.flush()
    cand.__dict__["login"] = user  # the User, for login_as(client, candidate.login)
    return cand
