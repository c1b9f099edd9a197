"""Promise 5: one firm never sees another firm's people.

The cross-firm test is driven from `app.url_map`: every rule that takes an int argument is
requested as firm A's user, on firm A's host, with ids that exist only in firm B, and must
answer 404. An int argument that is not in ID_ARGS fails the test, so a new route is
covered by default: add its argument to the table (and, if it is a new model, to `_graph`).
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask import Blueprint, abort
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, UUIDConverter

from portal.extensions import db
from portal.models import (
    ApiKey,
    Application,
    Audience,
    AuditEntry,
    Author,
    AuthToken,
    Candidacy,
    Candidate,
    CandidateUpdate,
    Client,
    Consent,
    ConversationAttachment,
    ConversationMessage,
    Debrief,
    Feedback,
    FirmDomain,
    HeldMail,
    Interest,
    Interview,
    InterviewFormat,
    InterviewKind,
    JobAlert,
    Message,
    Note,
    OfficeHours,
    Search,
    Skill,
    SkillAlias,
    Stage,
    StageChange,
    SuggestedRole,
    TokenPurpose,
    UpdateKind,
    User,
    UserSession,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from portal.models.base import FirmOwned
from portal.tenancy import TenancyError, all_firms, as_firm
from tests.factories import firm_context, make_candidate, make_firm, make_user
from tests.support.fixtures.clients import FirmClient, login_as

# Every int URL argument and the model whose ids it carries. Keep this explicit.
ID_ARGS: dict[str, type] = {
    "search_id": Search,
    "candidate_id": Candidate,
    "candidacy_id": Candidacy,
    "message_id": Message,
    "user_id": User,
    "recruiter_id": User,
    "consent_id": Consent,
    "feedback_id": Feedback,
    "note_id": Note,
    "client_id": Client,
    "interest_id": Interest,
    "update_id": CandidateUpdate,
    "domain_id": FirmDomain,
    "skill_id": Skill,
    "alias_id": SkillAlias,
    "change_id": StageChange,
    "stage_change_id": StageChange,
    "suggestion_id": SuggestedRole,
    "audit_id": AuditEntry,
    "token_id": AuthToken,
    "session_id": UserSession,
    "interview_id": Interview,
    "office_hours_id": OfficeHours,
    "debrief_id": Debrief,
    "endpoint_id": WebhookEndpoint,
    "delivery_id": WebhookDelivery,
    "alert_id": JobAlert,
    "key_id": ApiKey,
    "application_id": Application,
    "held_id": HeldMail,
    "post_id": ConversationMessage,
    "attachment_id": ConversationAttachment,
}
# Int arguments that are not ids of firm-owned rows (page numbers...), with a value to use.
NON_ID_INT_ARGS: dict[str, int] = {}
# Rules whose GET legitimately answers 404 even with the firm's own ids (explain each).
OWN_IDS_MAY_404: set[str] = {
    "candidate.role",  # only roles suggested to the candidate; the graph's candidate is in its search
    "people.photo",  # a recruiter's photo; the graph's recruiter has none
    "api.CandidateCV",  # a CV download; the graph's candidate has none
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _graph(app, ns) -> dict[type, int]:
    """One row of every firm-owned model in ID_ARGS for one firm, linked to each other the
    way a real firm's data is (the candidate of `ns` is in the search, has feedback...)."""
    firm = ns.firm
    with firm_context(app, firm) as s:
        client = Client(name=f"Client of {firm.slug}")
        s.add(client)
        s.flush()
        # Advertised on the careers site, so its public page exists for the firm's own ids.
        search = Search(
            client_id=client.id,
            title=f"Role at {firm.slug}",
            owner_id=ns.recruiter.id,
            advertised=True,
            advertised_at=utcnow(),
        )
        s.add(search)
        s.flush()
        candidacy = Candidacy(search_id=search.id, candidate_id=ns.candidate.id, added_by_id=ns.recruiter.id)
        s.add(candidacy)
        s.flush()
        skill = Skill(name="Python", key="python")
        s.add(skill)
        s.flush()
        rows = {
            Client: client,
            Search: search,
            Candidacy: candidacy,
            Skill: skill,
            Candidate: s.get(Candidate, ns.candidate.id),
            User: s.get(User, ns.recruiter.id),
            StageChange: StageChange(candidacy_id=candidacy.id, to_stage=candidacy.stage, actor_id=ns.recruiter.id),
            Feedback: Feedback(
                candidacy_id=candidacy.id, author_id=ns.recruiter.id, body_md="Good", body_html="<p>Good</p>"
            ),
            Note: Note(
                candidate_id=ns.candidate.id,
                candidacy_id=candidacy.id,
                author_id=ns.recruiter.id,
                body_md="internal",
                body_html="<p>internal</p>",
            ),
            Consent: Consent(
                candidacy_id=candidacy.id,
                candidate_id=candidacy.candidate_id,
                search_id=candidacy.search_id,
                requested_by_id=ns.recruiter.id,
                client_name=client.name,
                role_title=search.title,
            ),
            Interest: Interest(candidate_id=ns.candidate.id, search_id=search.id),
            CandidateUpdate: CandidateUpdate(candidate_id=ns.candidate.id, kind=UpdateKind.UPDATE, body="News"),
            Message: Message(
                kind="generic",
                audience=Audience.CANDIDATE,
                candidate_id=ns.candidate.id,
                recipient_user_id=ns.candidate_user.id,
                candidacy_id=candidacy.id,
                to_email=ns.candidate.email,
                subject="Hello",
                body_text="Hello",
                body_html="<p>Hello</p>",
                dedupe_key=f"graph:{uuid.uuid4().hex}",
            ),
            FirmDomain: FirmDomain(domain=f"careers.{firm.slug}.example"),
            SkillAlias: SkillAlias(key="py", skill_id=skill.id),
            SuggestedRole: SuggestedRole(candidate_id=ns.candidate.id, search_id=search.id),
            AuditEntry: AuditEntry(actor_id=ns.admin.id, action="test"),
            AuthToken: AuthToken(
                user_id=ns.candidate_user.id,
                purpose=TokenPurpose.RESET,
                token_hash=uuid.uuid4().hex,
                expires_at=utcnow(),
            ),
            UserSession: UserSession(user_id=ns.admin.id, secret_hash=uuid.uuid4().hex, device="Firefox on Linux"),
            JobAlert: JobAlert(email=ns.candidate.email, candidate_id=ns.candidate.id, confirmed_at=utcnow()),
            ApiKey: ApiKey(
                name="Graph key", public_id=uuid.uuid4().hex[:12], secret_hash=uuid.uuid4().hex, scopes=["clients:read"]
            ),
            Application: Application(candidate_id=ns.candidate.id, search_id=search.id, privacy_notice_hash="0" * 64),
        }
        # An interview needs a candidacy the candidate knows about (screening), with a time set.
        interviewing = Candidacy(
            search_id=search.id, candidate_id=ns.candidate.id, added_by_id=ns.recruiter.id, stage=Stage.SCREENING
        )
        other_search = Search(client_id=client.id, title=f"Interview role at {firm.slug}", owner_id=ns.recruiter.id)
        s.add(other_search)
        s.flush()
        interviewing.search_id = other_search.id
        s.add(interviewing)
        s.flush()
        rows[HeldMail] = HeldMail(reason="unknown_token", subject="Re: hello", body="A reply", mail_from="x@y.example")
        s.add(rows[HeldMail])
        rows[Interview] = Interview(
            candidacy_id=interviewing.id,
            candidate_id=ns.candidate.id,
            recruiter_id=ns.recruiter.id,
            kind=InterviewKind.CLIENT,
            format=InterviewFormat.VIDEO,
            starts_at=utcnow() - timedelta(days=3),  # held: its follow-up pages answer too
        )
        for row in rows.values():
            s.add(row)
        s.flush()
        rows[Debrief] = Debrief(
            interview_id=rows[Interview].id, candidate_id=ns.candidate.id, how_it_went="Fine", interest=3
        )
        s.add(rows[Debrief])
        s.flush()
        # A candidate message with a file (the conversation's routes).
        from portal import storage

        rows[ConversationMessage] = ConversationMessage(
            candidate_id=ns.candidate.id, author=Author.CANDIDATE, body="Hi"
        )
        s.add(rows[ConversationMessage])
        s.flush()
        key = storage.file_key(firm.id, "attachments", f"{rows[ConversationMessage].id}-1")
        storage.save(key, b"\x89PNG\r\n\x1a\n", "image/png")
        rows[ConversationAttachment] = ConversationAttachment(
            conversation_message_id=rows[ConversationMessage].id,
            storage_key=key,
            filename="a.png",
            content_type="image/png",
            size=8,
        )
        s.add(rows[ConversationAttachment])
        s.flush()
        # An office-hours booking of the candidate with the recruiter (interviews, office hours).
        hours = OfficeHours(recruiter_id=ns.recruiter.id, weekday=0, start_minute=600, end_minute=720)
        s.add(hours)
        s.flush()
        booking = Interview(
            candidate_id=ns.candidate.id,
            recruiter_id=ns.recruiter.id,
            office_hours_id=hours.id,
            kind=InterviewKind.OFFICE_HOURS,
            format=InterviewFormat.VIDEO,
            starts_at=utcnow() + timedelta(days=30),
        )
        s.add(booking)
        s.flush()
        rows[OfficeHours] = hours  # the held interview above stays the graph's Interview
        endpoint = WebhookEndpoint(
            url="https://hooks.example.com/x", event_types=["candidate.created"], secret="whsec_eA=="
        )
        s.add(endpoint)
        s.flush()
        event = WebhookEvent(
            uid=f"msg_{uuid.uuid4().hex}", type="candidate.created", dedupe_key=uuid.uuid4().hex, data={}
        )
        s.add(event)
        s.flush()
        rows[WebhookEndpoint] = endpoint
        rows[WebhookDelivery] = WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id)
        s.add(rows[WebhookDelivery])
        s.flush()
        ids = {model: row.id for model, row in rows.items()}
    return ids


def _int_args(rule) -> list[str]:
    return [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]


def _path(rule, ids: dict[type, int]) -> str:
    values = {}
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            values[name] = NON_ID_INT_ARGS[name] if name in NON_ID_INT_ARGS else ids[ID_ARGS[name]]
        elif isinstance(conv, UUIDConverter):
            values[name] = uuid.uuid4()
        else:
            values[name] = "x"
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]


def _id_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if _int_args(r)), key=lambda r: r.rule)


def _is_api_rule(rule) -> bool:
    return rule.rule.startswith("/api/")


def _is_candidate_rule(rule) -> bool:
    return rule.rule.startswith("/me/") or rule.endpoint.startswith("candidate.")


def cross_firm_leaks(app, client_for, firms, probe_own_ids: bool = True) -> list[str]:
    """Request every id-taking rule as firm A with firm B's ids; list what did not 404."""
    own = _graph(app, firms.a)
    foreign = _graph(app, firms.b)
    staff = client_for(firms.a.firm)
    login_as(staff, firms.a.admin)
    cand = client_for(firms.a.firm)
    login_as(cand, firms.a.candidate_user)
    api = _api_client(app, client_for, firms.a)
    problems = []
    for rule in _id_rules(app):
        client = api if _is_api_rule(rule) else cand if _is_candidate_rule(rule) else staff
        path = _path(rule, foreign)
        for method in METHODS:
            if method not in rule.methods:
                continue
            resp = client.open(path, method=method)
            if resp.status_code != 404:
                problems.append(
                    f"{method} {path} ({rule.endpoint}) with firm B's ids: {resp.status_code}, expected 404"
                )
        if probe_own_ids and "GET" in rule.methods and rule.endpoint not in OWN_IDS_MAY_404:
            # The control: with the firm's own ids the same page exists, so the 404 above
            # came from tenancy and not from a route that answers 404 to everything.
            resp = client.get(_path(rule, own))
            if resp.status_code == 404:
                problems.append(f"GET {rule.rule} ({rule.endpoint}) gives 404 even with firm A's own ids")
    return problems


def _api_client(app, client_for, ns):
    """A client of firm A's host with a firm-A API key of every scope (the API's routes)."""
    from portal.services import api_keys

    with firm_context(app, ns.firm) as s:
        token = api_keys.create(ns.firm, s.get(User, ns.admin.id), "Tenancy", api_keys.SCOPES).token
    client = client_for(ns.firm)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_every_int_route_argument_is_in_the_table(app):
    missing = {
        f"{rule.rule} -> {name}"
        for rule in app.url_map.iter_rules()
        for name in _int_args(rule)
        if name not in ID_ARGS and name not in NON_ID_INT_ARGS
    }
    assert not missing, (
        "routes take int arguments missing from ID_ARGS in tests/foundation/test_tenancy.py "
        f"(add each with its model): {sorted(missing)}"
    )
    for name, model in ID_ARGS.items():
        assert issubclass(model, FirmOwned), f"{name} maps to {model.__name__}, which is not firm-owned"


def test_firm_a_gets_404_for_every_firm_b_id_on_every_route(app, client_for, firms):
    assert cross_firm_leaks(app, client_for, firms) == []


def test_the_cross_firm_check_catches_a_leaking_route(make_app, app, client_for, firms):
    """The check above can fail: on an app with one correct and one leaking id route, it
    reports the leaking one (and only it)."""
    probe = make_app(dict(app.config))
    bp = Blueprint("probe", __name__)

    @bp.route("/candidates/<int:candidate_id>", methods=["GET", "POST"])
    def scoped(candidate_id):
        cand = db.session.get(Candidate, candidate_id) or abort(404)
        return cand.name

    @bp.route("/leak/<int:search_id>")
    def leaky(search_id):
        with all_firms():  # the bug this test exists for
            search = db.session.get(Search, search_id) or abort(404)
        return search.title

    probe.register_blueprint(bp, url_prefix="/recruiter/probe")

    def probe_client(firm=None, host=None):
        probe.test_client_class = FirmClient
        c = probe.test_client()
        c.host = host or f"{firm.slug}.localhost"
        return c

    problems = cross_firm_leaks(probe, probe_client, firms)
    assert len(problems) == 1, problems
    assert "/recruiter/probe/leak/" in problems[0] and ": 200" in problems[0]


def test_int_argument_missing_from_the_table_is_reported(make_app, app):
    probe = make_app(dict(app.config))
    probe.add_url_rule("/recruiter/widgets/<int:widget_id>", "widget", lambda widget_id: "x")
    names = {name for r in probe.url_map.iter_rules() for name in _int_args(r)}
    assert "widget_id" in names and "widget_id" not in ID_ARGS


# ------------------------------------------------------------------ login across firms


def test_a_firm_a_user_cannot_log_in_on_firm_b_host(client_for, firms, auth):
    b = client_for(firms.b.firm)
    for user in (firms.a.admin, firms.a.candidate_user):
        resp = auth(b).login(user.email, "correct-horse-battery")
        assert resp.status_code == 400
        assert b"do not match an active account here" in resp.data
    assert b.get("/me/").status_code == 302
    assert b.get("/recruiter/").status_code == 302
    # The same credentials work on their own firm's host.
    login_as(client_for(firms.a.firm), firms.a.admin)


def test_a_firm_a_session_cookie_means_nothing_on_firm_b_host(client_for, firms):
    a = client_for(firms.a.firm)
    login_as(a, firms.a.candidate_user)
    assert a.get("/me/").status_code == 200
    cookie = a.get_cookie("session", domain="alpha.localhost")
    assert cookie is not None
    b = client_for(firms.b.firm)
    b.set_cookie("session", cookie.value, domain="beta.localhost")
    resp = b.get("/me/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_same_email_in_two_firms_are_two_accounts(app, client_for, firms, auth):
    """One User per person per firm: the same address may exist in both, with its own password."""
    make_user(app, firms.b.firm, firms.a.admin.role, email=firms.a.admin.email, password="beta-password-123")
    b = client_for(firms.b.firm)
    assert auth(b).login(firms.a.admin.email, "correct-horse-battery").status_code == 400
    assert auth(b).login(firms.a.admin.email, "beta-password-123").status_code == 302


# ------------------------------------------------------------------ the tenant filter


def test_tenant_filter_raises_without_a_firm(app, firms):
    with app.app_context():
        for stmt in (select(Candidate), select(User).where(User.email == firms.a.admin.email), select(Message.id)):
            with pytest.raises(TenancyError):
                db.session.execute(stmt).all()
        with pytest.raises(TenancyError):
            db.session.get(Candidate, firms.a.candidate.id)
        # Firm itself is not firm-owned (the Host lookup needs it), and an explicit
        # all_firms() spans firms.
        assert len(db.session.scalars(select(Candidate).execution_options(all_firms=True)).all()) == 2
        with all_firms():
            assert {c.firm_id for c in db.session.scalars(select(Candidate))} == {firms.a.firm.id, firms.b.firm.id}
        db.session.rollback()


def test_tenant_filter_limits_a_bound_session_to_its_firm(app, firms):
    with app.app_context():
        with as_firm(firms.a.firm.id):
            emails = set(db.session.scalars(select(User.email)))
            assert emails == {firms.a.admin.email, firms.a.recruiter.email, firms.a.candidate.email}
            assert db.session.get(Candidate, firms.b.candidate.id) is None
            # Joins and relationship loads are filtered too.
            joined = db.session.scalars(select(Candidate).join(User, User.id == Candidate.user_id)).all()
            assert [c.id for c in joined] == [firms.a.candidate.id]
            # A new row may not be written into another firm.
            db.session.add(Client(firm_id=firms.b.firm.id, name="Sneaky"))
            with pytest.raises(TenancyError):
                db.session.flush()
            db.session.rollback()


def test_a_statement_built_once_is_filtered_for_each_firm_that_runs_it(app, firms):
    """The tenant filter keeps the filtered form of a statement built once (the user loader's),
    and the firm is a bound parameter: the same statement object run under firm A, then B,
    then A again returns each firm's rows only, and never the firm of the first run."""
    once = select(User.email).where(User.email.like("%"))
    with app.app_context():
        seen = []
        for firm in (firms.a, firms.b, firms.a):
            with as_firm(firm.firm.id):
                seen.append(set(db.session.scalars(once)))
                assert db.session.execute(once.limit(1)).first() is not None
        db.session.rollback()
    a = {firms.a.admin.email, firms.a.recruiter.email, firms.a.candidate.email}
    b = {firms.b.admin.email, firms.b.recruiter.email, firms.b.candidate.email}
    assert seen == [a, b, a]


def test_a_refresh_carries_the_firm_it_was_loaded_under(app, firms):
    """SQLAlchemy carries the tenant filter's option into an object's refreshes and joined
    loads (a Search refreshes with its client joined): the firm is the one the object was
    loaded under, also when the refresh happens with no firm bound or across firms."""
    from tests.support.recruiter import make_search

    search = make_search(app, firms.a, client="Carried Client")
    with app.app_context():
        with as_firm(firms.a.firm.id):
            loaded = db.session.get(Search, search.id)
            assert loaded.client.name == "Carried Client"
        for block in (all_firms, lambda: as_firm(firms.a.firm.id)):
            db.session.expire(loaded)
            with block():
                assert loaded.title == search.title and loaded.client.name == "Carried Client"
        db.session.expire(loaded)
        assert loaded.title == search.title  # no firm bound: the object's own firm
        db.session.rollback()


def test_bulk_update_and_delete_are_filtered(app, firms):
    from sqlalchemy import delete, update

    with app.app_context():
        with as_firm(firms.a.firm.id):
            db.session.execute(
                update(Candidate).values(headline="changed").execution_options(synchronize_session=False)
            )
            db.session.execute(
                delete(User).where(User.email.like("recruiter@%")).execution_options(synchronize_session=False)
            )
            db.session.commit()
        with all_firms():
            rows = dict(db.session.execute(select(Candidate.firm_id, Candidate.headline)).all())
            recruiters = set(db.session.scalars(select(User.email).where(User.email.like("recruiter@%"))))
        db.session.rollback()
    assert rows[firms.a.firm.id] == "changed"
    assert rows[firms.b.firm.id] is None
    assert recruiters == {firms.b.recruiter.email}


# ------------------------------------------------------------------ hosts


@pytest.mark.parametrize(
    "host",
    ["nowhere.localhost", "evil.example", "localhost", "127.0.0.1", "a.b.localhost", "alpha.localhost.evil.example"],
)
def test_unknown_host_is_a_plain_404_without_firm_data(client_for, firms, host, auth):
    client = client_for(host=host)
    for path in ("/", "/login", "/me/", "/brand.css", "/reset"):
        resp = client.get(path)
        assert resp.status_code == 404, (host, path)
        body = resp.get_data(as_text=True)
        assert "Page not found" in body
        for ns in (firms.a, firms.b):
            assert ns.firm.name not in body and ns.firm.slug not in re.sub(r"https?://\S+", "", body)
        assert "brand.css" not in body
    assert auth(client).login(firms.a.admin.email, "correct-horse-battery").status_code == 404


def test_disabled_firm_is_not_served(app, client_for, firms):
    with firm_context(app) as s:
        s.get(type(firms.b.firm), firms.b.firm.id).disabled = True
    assert client_for(firms.b.firm).get("/login").status_code == 404
    assert client_for(firms.a.firm).get("/login").status_code == 200


def test_custom_domain_and_default_firm(app, client_for, firms, dns_zone):
    from tests.support.dns_server import verified_domain

    verified_domain(app, dns_zone, firms.b.firm, "careers.beta-firm.example")
    resp = client_for(host="careers.beta-firm.example").get("/login")
    assert resp.status_code == 200 and b"Beta Search" in resp.data
    assert client_for(host="careers.beta-firm.example:8443").get("/login").status_code == 200
    assert client_for(host="127.0.0.1").get("/login").status_code == 404
    app.config["DEFAULT_FIRM"] = "alpha"
    for host in ("127.0.0.1", "localhost", "127.0.0.1:5000"):
        resp = client_for(host=host).get("/login")
        assert resp.status_code == 200 and b"Alpha Search" in resp.data, host
    # The default firm is only for a bare host, never for an unknown name.
    assert client_for(host="nowhere.localhost").get("/login").status_code == 404


def test_new_firm_created_later_is_isolated_too(app, client_for):
    """Not just the fixture pair: a third firm's candidate is invisible to the others."""
    f = make_firm(app, slug="gamma", name="Gamma Search")
    other = make_firm(app, slug="delta", name="Delta Search")
    cand = make_candidate(app, f)
    with app.app_context():
        with as_firm(f.id):
            assert db.session.get(Candidate, cand.id) is not None
        db.session.expunge_all()
        with as_firm(other.id):
            assert db.session.get(Candidate, cand.id) is None
