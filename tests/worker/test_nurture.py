"""Nurture for the passive talent pool, and the availability prompt."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from portal.models import (
    Candidate,
    CandidateSkill,
    Firm,
    SearchSkill,
    SearchState,
    Skill,
    Stage,
    SuggestedRole,
    SuggestionFrequency,
    utcnow,
)
from portal.services import nurture
from tests.factories import firm_context, make_candidate
from tests.support.worker import make_candidacy, make_search, messages


def _skill(s, firm, name):
    sk = s.scalar(select(Skill).where(Skill.key == name.lower()))
    if sk is None:
        sk = Skill(firm_id=firm.id, name=name, key=name.lower())
        s.add(sk)
        s.flush()
    return sk


def give_skills(app, firm, *, candidate=None, search=None, skills=()):
    with firm_context(app, firm) as s:
        for name in skills:
            sk = _skill(s, firm, name)
            if candidate is not None:
                s.add(CandidateSkill(firm_id=firm.id, candidate_id=candidate.id, skill_id=sk.id))
            if search is not None:
                s.add(SearchSkill(firm_id=firm.id, search_id=search.id, skill_id=sk.id, required=True))


def role(app, firm, title, skills, **kw):
    search = make_search(app, firm, title=title, **kw)
    give_skills(app, firm, search=search, skills=skills)
    return search


def run(app, firm, now=None):
    with firm_context(app, firm) as s:
        return nurture.plan_nurture(s.get(Firm, firm.id), now or utcnow())


def prompts(app, firm, now=None):
    with firm_context(app, firm) as s:
        return nurture.plan_availability_prompts(s.get(Firm, firm.id), now or utcnow())


def test_new_matching_roles_once_and_nothing_when_nothing_new(app, firms):
    a = firms.a
    give_skills(app, a.firm, candidate=a.candidate, skills=["Python", "SQL"])
    py = role(app, a.firm, "Python Developer", ["Python"])
    role(app, a.firm, "Java Developer", ["Java"])  # no overlap
    role(app, a.firm, "Closed Python Role", ["Python"], state=SearchState.FILLED)
    start = utcnow()
    assert run(app, a.firm, start) == 1
    (m,) = messages(app, kind="nurture_roles")
    assert m.stream == "nurture" and "Python Developer" in m.body_text
    assert "Java Developer" not in m.body_text and "Closed Python Role" not in m.body_text
    with firm_context(app, a.firm) as s:
        assert list(s.scalars(select(SuggestedRole.search_id))) == [py.id]
        assert s.get(Candidate, a.candidate.id).last_nurtured_at is not None
    week = start + timedelta(days=7)
    assert run(app, a.firm, week) == 0, "nothing new: nothing sent"
    role(app, a.firm, "Data Engineer", ["SQL", "Python"])
    assert run(app, a.firm, week) == 1
    latest = messages(app, kind="nurture_roles")[-1]
    assert "Data Engineer" in latest.body_text and "Python Developer" not in latest.body_text


def test_interval_and_choices(app, firms):
    a = firms.a
    start = utcnow()
    monthly = make_candidate(app, a.firm, suggestion_frequency=SuggestionFrequency.MONTHLY)
    never = make_candidate(app, a.firm, suggestion_frequency=SuggestionFrequency.NEVER)
    unsubscribed = make_candidate(app, a.firm, unsubscribed_all=True)
    busy = make_candidate(app, a.firm)
    past = make_candidate(app, a.firm)
    for c in (monthly, never, unsubscribed, busy, past):
        give_skills(app, a.firm, candidate=c, skills=["Go"])
    active = make_search(app, a.firm, title="Current search")
    make_candidacy(app, a.firm, busy, active, stage=Stage.INTERVIEWING)
    first = role(app, a.firm, "Go Engineer", ["Go"])
    make_candidacy(app, a.firm, past, first, stage=Stage.CLOSED)  # already in that one
    assert run(app, a.firm, start) == 1
    assert [m.candidate_id for m in messages(app, kind="nurture_roles")] == [monthly.id]
    role(app, a.firm, "Go Lead", ["Go"])
    with time_machine.travel(start + timedelta(days=7), tick=False):
        assert run(app, a.firm) == 1  # `past` gets Go Lead; monthly waits
    with time_machine.travel(start + timedelta(days=28), tick=False):
        assert run(app, a.firm) == 1
    got = [m.candidate_id for m in messages(app, kind="nurture_roles")]
    assert got == [monthly.id, past.id, monthly.id]


def test_availability_prompt(app, firms):
    a = firms.a
    now = utcnow()
    old = now - timedelta(weeks=20)
    stale = make_candidate(app, a.firm, created_at=old)
    confirmed = make_candidate(app, a.firm, created_at=old, profile_confirmed_at=now - timedelta(weeks=3))
    changed = make_candidate(app, a.firm, created_at=old, availability_changed_at=now - timedelta(weeks=1))
    declined = make_candidate(app, a.firm, created_at=old, allow_availability_prompts=False)
    no_login = make_candidate(app, a.firm, created_at=old, with_login=False)
    make_candidate(app, a.firm)  # new: not yet
    assert prompts(app, a.firm, now) == 1
    (m,) = messages(app, kind="availability_prompt")
    assert m.candidate_id == stale.id and m.stream == "availability"
    assert "Is your availability still accurate?" == m.subject and "12 weeks" in m.body_text
    for c in (confirmed, changed, declined, no_login):
        assert c.id != m.candidate_id
    assert prompts(app, a.firm, now + timedelta(weeks=6)) == 0, "not again within the period"
    assert prompts(app, a.firm, now + timedelta(weeks=12)) >= 1
