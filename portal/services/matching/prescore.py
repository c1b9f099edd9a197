"""Matching, the pre-score in SQL: the database ranks the rows that share skills by a pre-score
it computes, and only the best SHORTLIST rows reach Python, which scores them exactly (scoring.py).

The pre-score mirrors the Python parts: where a part depends on an enum column (seniority,
remote, job seeking) the CASE is built by calling the Python part itself for every value, so
the two cannot drift; pay is the same arithmetic; only location is approximated
(comma-separated place names are matched with LIKE), which can only change who makes the
shortlist, never a shown score. Builds expressions only: never executes a statement.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Case,
    ColumnElement,
    Date,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
)

from portal.models import JobSeeking, RemotePreference, Seniority
from portal.services.matching.facts import _Facts
from portal.services.matching.scoring import FAR_START_DAYS, POINTS, _availability_fit, _remote_fit, _seniority_fit
from portal.services.matching.words import OPEN_TO_ANY_PLACE, _places


def _enum_points(column, values, points_of) -> Case[float]:
    """CASE column WHEN v THEN points_of(v) ... ELSE points_of(None)."""
    return case({v: float(points_of(v)) for v in values}, value=column, else_=float(points_of(None)))


def _lower(col):
    return func.lower(func.coalesce(col, ""))


def _like_escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _starts(col, text: str):
    """col LIKE 'text%' with the whole pattern bound as one constant (PostgreSQL then
    compiles it once, not once per row as with `col LIKE :p || '%'`)."""
    return col.like(_like_escape(text) + "%", escape="/")


def _has(col, text: str):
    return col.like("%" + _like_escape(text) + "%", escape="/")


def _place_key(col):
    """A location column folded for LIKE: "Berlin, Germany" -> "berlin, germany," (the
    trailing comma lets "starts with place," match a lone city too). Computed once per row
    in the pool, then read by several LIKEs."""
    return func.trim(_lower(col)) + ","


def _role_shape(role: _Facts) -> tuple[str, int]:
    """What the structure of the role's SQL pre-score depends on (the values are bound): the
    kind of pay range and of location. Searches of one shape share one statement."""
    if role.pay_min is None and role.pay_max is None:
        pay = "none"
    else:
        pay = "range" if role.pay_max is None else "capped"
    policy = role.remote_policy or RemotePreference.ONSITE
    places = _places(role.location)
    if policy in (RemotePreference.REMOTE, RemotePreference.ANY) or not places:
        return pay, -1
    return pay, len(places) - 1  # the city, then this many region names


def _role_values(role: _Facts, total: int, today: date) -> dict[str, Any]:
    """The bound values of the role's pre-score (see _role_expr)."""
    p = POINTS
    probe = _Facts(
        seniority=None,
        location=None,
        desired_locations=None,
        remote_preference=None,
        pay_expectation=None,
        pay_currency=None,
        job_seeking=None,
        available_from=None,
    )
    far = today + timedelta(days=FAR_START_DAYS)
    out: dict[str, Any] = {"r_skill_k": p["skills"] / total if total else 0.0, "r_far": far}
    out.update(_enum_values("r_sen", Seniority, lambda v: _seniority_fit(probe.but(seniority=v), role, False)))
    out.update(
        _enum_values("r_rem", RemotePreference, lambda v: _remote_fit(probe.but(remote_preference=v), role, False))
    )
    out.update(
        _enum_values(
            "r_avf",
            JobSeeking,
            lambda v: _availability_fit(probe.but(job_seeking=v, available_from=far + timedelta(days=1)), today, False),
        )
    )
    out.update(_enum_values("r_av", JobSeeking, lambda v: _availability_fit(probe.but(job_seeking=v), today, False)))
    hi = role.pay_max
    out.update(
        r_cur=role.pay_currency or "EUR", r_hi=hi, r_hi_x=(hi * 1.1 if hi > 0 else 0) if hi is not None else None
    )
    pay_kind, n_region = _role_shape(role)
    if n_region < 0:
        policy = role.remote_policy or RemotePreference.ONSITE
        out["r_loc"] = (
            float(p["location"]) if policy in (RemotePreference.REMOTE, RemotePreference.ANY) else p["location"] / 2
        )
    else:
        places = _places(role.location)
        city = _like_escape(places[0])
        out.update(r_city_start=city + ",%", r_city_has="%" + city + "%")
        out.update({f"r_reg{i}": "%" + _like_escape(r) + "%" for i, r in enumerate(places[1:])})
    return out


def _role_expr(shape: tuple[str, int], have, cols, values: dict[str, Any] | None = None):
    """SQL pre-score of candidate rows for a role of this shape, every role-dependent value a
    named bind parameter (`_role_values`; bound here when `values` is given). `cols` maps the
    Candidate attribute names (and loc_key / wish_key, see _place_key) to the row source's
    columns."""
    p = POINTS
    pay_kind, n_region = shape

    def bp(name, type_=Float):
        return bindparam(name, values[name], type_=type_) if values else bindparam(name, type_=type_)

    f = bp
    skills_part = cast(have, Float) * f("r_skill_k")
    seniority = _enum_case(cols["seniority"], Seniority, "r_sen", bp)
    remote = _enum_case(cols["remote_preference"], RemotePreference, "r_rem", bp)
    availability = case(
        (cols["available_from"] > bp("r_far", Date), _enum_case(cols["job_seeking"], JobSeeking, "r_avf", bp)),
        else_=_enum_case(cols["job_seeking"], JobSeeking, "r_av", bp),
    )
    want = cols["pay_expectation"]
    pay: ColumnElement[float]
    location: ColumnElement[float]
    if pay_kind == "none":
        pay = literal(p["pay"] / 2)
    else:
        whens = [(or_(want.is_(None), func.coalesce(cols["pay_currency"], "EUR") != bp("r_cur", String)), p["pay"] / 2)]
        if pay_kind == "capped":
            whens += [(want > f("r_hi_x"), 0.0), (want > bp("r_hi", Integer), p["pay"] / 2)]
        pay = case(*whens, else_=float(p["pay"]))
    if n_region < 0:
        location = f("r_loc")
    else:
        home, wished = cols["loc_key"], cols["wish_key"]
        like = lambda col, name: col.like(bp(name, String), escape="/")  # noqa: E731
        whens = [
            (like(home, "r_city_start"), float(p["location"])),
            (like(wished, "r_city_has"), float(p["location"])),
            (or_(*(_has(wished, w) for w in sorted(OPEN_TO_ANY_PLACE) if len(w) > 4)), p["location"] * 0.8),
            (and_(home == ",", wished == ""), p["location"] / 2),
        ]
        if n_region:
            whens.append(
                (
                    or_(*(or_(like(home, f"r_reg{i}"), like(wished, f"r_reg{i}")) for i in range(n_region))),
                    p["location"] / 2,
                )
            )
        location = case(*whens, else_=0.0)
    return skills_part + seniority + location + remote + pay + availability


def _enum_case(column, values, prefix: str, bp) -> Case[float]:
    """CASE column WHEN v THEN :prefix_v ... ELSE :prefix_ (values from _enum_values)."""
    return case({v: bp(f"{prefix}_{v.name}") for v in values}, value=column, else_=bp(f"{prefix}_"))


def _enum_values(prefix: str, values, points_of) -> dict[str, float]:
    out = {f"{prefix}_{v.name}": float(points_of(v)) for v in values}
    out[f"{prefix}_"] = float(points_of(None))
    return out


def _sql_points_for_role(role: _Facts, total: int, have, today: date, cols):
    """SQL pre-score of candidate rows for one search (`role`), with the values bound: the
    expression `candidates_for_search` builds once per shape and binds per call."""
    return _role_expr(_role_shape(role), have, cols, _role_values(role, total, today))


def _person_places(person: _Facts) -> tuple[tuple[str, ...], str]:
    """The places a person's location and wishes name (in order, once each), and how a role
    elsewhere scores: "any" (open to any place), "none" (no place given) or "places"."""
    home, wished = _places(person.location), _places(person.desired_locations)
    mine_places = tuple(dict.fromkeys(home + wished))
    if not OPEN_TO_ANY_PLACE.isdisjoint(wished):
        return mine_places, "any"
    return mine_places, "none" if not mine_places else "places"


def _person_shape(person: _Facts) -> tuple[bool, int, str]:
    """What the structure of the person's SQL pre-score depends on (the values are bound):
    whether a pay expectation is known, how many places, the kind of fallback. Candidates of
    one shape share one statement."""
    places, fallback = _person_places(person)
    return person.pay_expectation is not None, len(places), fallback


def _person_values(person: _Facts, today: date) -> dict[str, Any]:
    """The bound values of the person's pre-score (see _person_expr)."""
    p = POINTS
    probe = _Facts(seniority=None, location=None, remote_policy=None, pay_min=None, pay_max=None, pay_currency=None)
    out: dict[str, Any] = {}
    out.update(_enum_values("p_sen", Seniority, lambda v: _seniority_fit(person, probe.but(seniority=v), False)))
    out.update(
        _enum_values("p_rem", RemotePreference, lambda v: _remote_fit(person, probe.but(remote_policy=v), False))
    )
    out["p_av"] = float(_availability_fit(person, today, False))
    if person.pay_expectation is not None:
        want = person.pay_expectation
        out.update(p_want_x=want, p_want=want, p_cur=person.pay_currency or "EUR")
    places, fallback = _person_places(person)
    for i, place in enumerate(places):
        out[f"p_start{i}"] = _like_escape(place + ",") + "%"  # as _starts
        if fallback == "places":
            out[f"p_has{i}"] = "%" + _like_escape(place) + "%"  # as _has
    out["p_loc"] = {"any": p["location"] * 0.8, "none": p["location"] / 2, "places": 0.0}[fallback]
    return out


def _person_expr(shape: tuple[bool, int, str], have, total, cols, values: dict[str, Any] | None = None):
    """SQL pre-score of search rows for a person of this shape, every person-dependent value a
    named bind parameter (`_person_values`; bound here when `values` is given). `cols` maps
    the Search attribute names (and loc_key, see _place_key) to the row source's columns. The
    bind parameters have the types SQLAlchemy gives the same values written as literals, so
    the statement is the same as one built with the values in it."""
    p = POINTS
    has_pay, n_places, fallback = shape

    def bp(name, type_):
        return bindparam(name, values[name], type_=type_) if values is not None else bindparam(name, type_=type_)

    skills_part = cast(have, Float) * p["skills"] / total
    seniority = _enum_case(cols["seniority"], Seniority, "p_sen", lambda n: bp(n, Float()))
    remote = _enum_case(cols["remote_policy"], RemotePreference, "p_rem", lambda n: bp(n, Float()))
    availability = bp("p_av", Float())
    lo, hi = cols["pay_min"], cols["pay_max"]
    pay: ColumnElement[float]
    if not has_pay:
        pay = literal(p["pay"] / 2)
    else:
        currency = func.coalesce(cols["pay_currency"], "EUR")
        pay = case(
            (and_(lo.is_(None), hi.is_(None)), p["pay"] / 2),
            (currency != bp("p_cur", currency.type), p["pay"] / 2),
            (and_(hi.is_not(None), hi * 1.1 < bp("p_want_x", Integer())), 0.0),
            (and_(hi.is_not(None), hi < bp("p_want", hi.type)), p["pay"] / 2),
            else_=float(p["pay"]),
        )
    key = cols["loc_key"]
    whens = [
        (cols["remote_policy"].in_([RemotePreference.REMOTE, RemotePreference.ANY]), float(p["location"])),
        (key == ",", p["location"] / 2),
    ]
    whens += [(key.like(bp(f"p_start{i}", key.type), escape="/"), float(p["location"])) for i in range(n_places)]
    if fallback == "places":
        whens += [(key.like(bp(f"p_has{i}", key.type), escape="/"), p["location"] / 2) for i in range(n_places)]
    location = case(*whens, else_=bp("p_loc", Float()))
    return skills_part + seniority + location + remote + pay + availability


def _sql_points_for_person(person: _Facts, have, total, today: date, cols):
    """SQL pre-score of search rows for one candidate (`person`), with the values bound (the
    expression `roles_for_candidate` builds once per shape and binds per call)."""
    return _person_expr(_person_shape(person), have, total, cols, _person_values(person, today))
