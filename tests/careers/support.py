"""Builders for the careers tests: advertised searches (open, anticipated, confidential), and
the public site as an anonymous visitor sees it (a client on the firm's host, no login)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.markdown import render_markdown
from portal.models import Client, Search, SearchSkill, Skill, utcnow
from tests.factories import firm_context

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def advertise(app, firm, *, title="Staff Engineer", client="Initech", aliases="", skills=(), **kw) -> Search:
    """An advertised, open search of `firm` (kw: any Search column)."""
    kw.setdefault("advertised", True)
    kw.setdefault("advertised_at", utcnow() - timedelta(days=1))
    for key in ("description", "requirements"):
        if key in kw:
            kw[f"{key}_md"] = kw.pop(key)
            kw[f"{key}_html"] = render_markdown(kw[f"{key}_md"])
    with firm_context(app, firm):
        cl = db.session.scalar(select(Client).where(Client.name == client))
        if cl is None:
            cl = Client(firm_id=firm.id, name=client, aliases=aliases)
            db.session.add(cl)
            db.session.flush()
        s = Search(firm_id=firm.id, client_id=cl.id, title=title, **kw)
        db.session.add(s)
        db.session.flush()
        for name in skills:
            sk = db.session.scalar(select(Skill).where(Skill.key == name.lower()))
            if sk is None:
                sk = Skill(firm_id=firm.id, name=name, key=name.lower())
                db.session.add(sk)
                db.session.flush()
            db.session.add(SearchSkill(firm_id=firm.id, search_id=s.id, skill_id=sk.id, required=True))
        db.session.flush()
    return s


def change(app, firm, search_id: int, **values) -> None:
    with firm_context(app, firm):
        s = db.session.get(Search, search_id)
        for k, v in values.items():
            setattr(s, k, v)


def postings(html: str) -> list[dict]:
    return [json.loads(m) for m in LD_JSON.findall(html)]
