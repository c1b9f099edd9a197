"""A German candidate reads German (issue 20): a candidate whose language is German (their
talent-pool record and their account), of a firm offering English (its default) and German, with
data on every page: searches at several stages, feedback, a consent request and an answered
one, a role that fits, messages, an upcoming and a past interview, office hours. Every candidate
page is crawled (each GET page of the candidate blueprint, the careers site, the sign-in pages)
and every email kind sent to them is delivered through the real outbox, worker and SMTP sink.
Their names, the firm's own texts and the addresses taken out, no word of the product's English
vocabulary may remain.

This waits for the translators (the shipped German catalog is empty until then). The self-check
tests run the same crawl on temporary catalogs: with none, the English words are found; with a
catalog translating every extracted message, the words of the marked texts are gone (and with
every text marked, nothing is left: test_every_candidate_facing_word_is_marked)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from portal.markdown import render_markdown
from portal.models import Candidacy, Candidate, CloseReason, Firm, Interview, Message, Role, Search, Stage, User, utcnow
from portal.services import cadence, conversations, debriefs, interview_feedback, interview_reminders, nurture
from portal.services import feedback as feedback_service
from portal.services import interviews as interview_service
from tests.factories import PASSWORD, firm_context, make_candidate, make_firm, make_user
from tests.support import candidate as portal_data
from tests.support import i18n
from tests.support.fixtures.clients import login_as
from tests.support.interview_services import details
from tests.support.interviews import make_interview, make_office_hours
from tests.worker.test_nurture import give_skills

# Words of the product's English that are not German words too (German says "Feedback",
# "Interview", "Status", "Update", "Job", "Team", "Link", "Recruiter"... and "will", "was",
# "die", "an", "in", "also", "still", "see", "Do." are German: none of those is here).
VOCABULARY = (
    "search",
    "searches",
    "profile",
    "settings",
    "your",
    "you",
    "yours",
    "the",
    "with",
    "we",
    "our",
    "us",
    "role",
    "roles",
    "week",
    "weeks",
    "message",
    "messages",
    "sign",
    "apply",
    "applied",
    "and",
    "for",
    "this",
    "that",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "how",
    "here",
    "there",
    "about",
    "from",
    "have",
    "has",
    "had",
    "been",
    "not",
    "yet",
    "are",
    "is",
    "be",
    "to",
    "of",
    "on",
    "at",
    "or",
    "by",
    "if",
    "it",
    "can",
    "may",
    "should",
    "would",
    "could",
    "please",
    "thank",
    "thanks",
    "hello",
    "welcome",
    "day",
    "days",
    "hours",
    "today",
    "tomorrow",
    "yesterday",
    "ago",
    "next",
    "back",
    "all",
    "more",
    "new",
    "open",
    "closed",
    "close",
    "save",
    "send",
    "cancel",
    "delete",
    "change",
    "yes",
    "client",
    "company",
    "consent",
    "availability",
    "preferences",
    "password",
    "candidate",
    "careers",
    "language",
    "questions",
    "powered",
    "skip",
    "out",
    "hours",
    "calendar",
    "file",
    "files",
    "privacy",
    "notice",
    "read",
    "write",
    "reply",
    "answer",
    "ask",
    "asked",
    "tell",
    "keep",
    "touch",
    "need",
    "want",
    "once",
    "every",
    "any",
    "time",
    "pay",
    "salary",
    "year",
    "month",
    "location",
    "stated",
    "interested",
    "interest",
    "hear",
    "heard",
    "soon",
    "before",
    "until",
    "since",
    "within",
    "without",
    "nothing",
    "something",
    "anything",
    "now",
    "approve",
    "decline",
    "declined",
    "withdraw",
    "withdrew",
    "presented",
    "offer",
    "hired",
    "placed",
    "identified",
    "contacted",
    "getting",
    "know",
    "unsubscribe",
    "survey",
    "experience",
    "booked",
    "cancelled",
    "moved",
    "reschedule",
    "attend",
    "prepare",
    "free",
    "book",
    "phone",
    "first",
    "after",
)

# GET pages of the candidate blueprint that are downloads, not pages.
DOWNLOADS = {
    "candidate.interview_ics",
    "candidate.export_json",
    "candidate.export_zip",
    "candidate.message_file",
    "candidate.cv",
}

# The email kinds (portal/templates/email/<kind>.txt) that go to candidates, and those that go
# to staff only: every template is one or the other (a new one must be placed).
CANDIDATE_EMAILS = {
    "stage_changed", "candidacy_closed", "consent_requested", "feedback_posted", "checkin",
    "nurture_roles", "availability_prompt", "interview_proposed", "interview_scheduled",
    "interview_cancelled", "interview_reminder", "interview_feedback_waiting", "debrief_request",
    "experience_survey", "conversation_reply", "application_received", "sign_in_link",
    "password_reset", "password_changed", "retention_warning",
    "job_alert_confirm", "job_alert_digest", "office_hours_booked", "office_hours_cancelled", "merged_update",
}  # fmt: skip
STAFF_EMAILS = {
    "candidate_update", "referral", "interest", "availability_changed", "consent_answered",
    "conversation_new", "interview_answer", "invitation", "recruiter_digest", "waiting_messages",
    "webhook_disabled", "weekly_figures", "office_hours_booked_recruiter", "office_hours_cancelled_recruiter",
    "account_deleted",
}  # fmt: skip
# Candidate emails this crawl does not bring about yet (each named, with the reason).
NOT_TRIGGERED: dict[str, str] = {}


@dataclass
class German:
    firm: Firm
    recruiter: User
    candidate: Candidate
    user: User
    strip: list[str] = field(default_factory=list)
    ids: dict = field(default_factory=dict)


WELCOME_DE = "Willkommen bei uns. Wir melden uns jede Woche."
WELCOME_EN = "Welcome to our portal, we write every week."


def build(app) -> German:
    """The German candidate's world (module docstring)."""
    firm = make_firm(app, slug="alpenblick", name="Alpenblick Personalberatung")
    with firm_context(app, firm) as s:
        f = s.get(Firm, firm.id)
        f.languages, f.default_language, f.timezone = ["en", "de"], "en", "Europe/Berlin"
        f.support_email, f.postal_address = "kontakt@alpenblick.example", "Hauptstraße 1, 10115 Berlin"
        f.welcome_md, f.welcome_html = WELCOME_EN, render_markdown(WELCOME_EN)
        f.texts = {"de": {"welcome_md": WELCOME_DE, "welcome_html": render_markdown(WELCOME_DE)}}
    rec = make_user(app, firm, Role.RECRUITER, email="lena.vogel@alpenblick.example", name="Lena Vogel")
    cand = make_candidate(app, firm, email="jana.schroeder@example.de", name="Jana Schröder", owner=rec)
    with firm_context(app, firm) as s:
        s.get(Candidate, cand.id).language = "de"
        s.get(User, cand.login.id).language = "de"
        s.get(Candidate, cand.id).location = "Berlin"
    g = German(firm=firm, recruiter=rec, candidate=cand, user=cand.login)
    g.strip += [
        "Alpenblick Personalberatung", "Alpenblick", "Lena Vogel", "Lena", "Jana Schröder", "Jana",
        WELCOME_DE, "Hauptstraße 1, 10115 Berlin", "Kranich AG", "Dana Scully", "Berlin",
    ]  # fmt: skip
    return g


def _search(app, g: German, title: str, **kw) -> Search:
    ns = type("NS", (), {"firm": g.firm, "recruiter": g.recruiter})()
    desc = kw.pop("description_md", f"Eine Stelle als {title} in einem großartigen Team in Berlin.")
    search = portal_data.make_search(app, ns, title=title, client="Kranich AG", description_md=desc, **kw)
    g.strip += [title, desc]
    return search


def _ns(g: German):
    return type("NS", (), {"firm": g.firm, "recruiter": g.recruiter})()


def populate(app, g: German, deliver=lambda: None) -> None:
    """Searches, feedback, consent, interviews, a role that fits, messages, office hours.
    `deliver` runs after each step, so that each kind of email goes out on its own."""
    ns = _ns(g)
    now = utcnow()
    lead = _search(app, g, "Leitung Datenplattform", pay_min=50000, pay_max=60000, publish_pay=True, advertised=True)
    cy = portal_data.add(app, ns, lead, g.candidate, Stage.SCREENING)
    consent = portal_data.request_consent(app, ns, cy.id)
    portal_data.approve(app, ns, g.candidate, consent.id)
    deliver()
    portal_data.move(app, ns, cy.id, Stage.INTERVIEWING)
    deliver()
    with firm_context(app, g.firm) as s:
        fb_text = "Sehr gutes Gespräch; der Kunde mochte Ihre Ideen."
        feedback_service.post_feedback(
            s.get(Firm, g.firm.id), s.get(User, g.recruiter.id), s.get(Candidacy, cy.id), fb_text
        )
    g.strip.append("Sehr gutes Gespräch; der Kunde mochte Ihre Ideen.")
    deliver()
    german_details = {
        "attendees": [{"name": "Dana Scully", "title": "Leiterin Technik"}],
        "candidate_notes_md": "Bringen Sie Beispiele Ihrer Arbeit mit.",
        "location": "https://meet.example.com/abc-defg",
    }
    g.strip += ["Leiterin Technik", "Bringen Sie Beispiele Ihrer Arbeit mit."]
    base = now.astimezone(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    with firm_context(app, g.firm) as s:
        firm, actor, row = s.get(Firm, g.firm.id), s.get(User, g.recruiter.id), s.get(Candidacy, cy.id)
        upcoming = interview_service.schedule(
            firm, actor, row, details(**german_details), starts_at=base + timedelta(days=5)
        )
        proposed = interview_service.schedule(
            firm, actor, row, details(round=2, **german_details),
            slots=[base + timedelta(days=8), base + timedelta(days=9, hours=2)],
        )  # fmt: skip
        dropped = interview_service.schedule(
            firm, actor, row, details(round=3, **german_details), starts_at=base + timedelta(days=12)
        )
        interview_service.cancel(firm, actor, dropped)
        g.ids.update(upcoming=upcoming.id, proposed=proposed.id)
    deliver()
    past = make_interview(app, ns, cy, now - timedelta(minutes=70), attendees=[{"name": "Dana Scully", "title": "Leiterin Technik"}],
                          internal_notes="intern")  # fmt: skip
    g.ids.update(candidacy=cy.id, consent=consent.id, past=past.id, lead=lead.id)

    # A search closed with a reason, one waiting for the candidate's consent.
    closed = _search(app, g, "Produktmanagerin Zahlungen")
    cy2 = portal_data.add(app, ns, closed, g.candidate, Stage.SCREENING)
    deliver()
    explanation = "Der Kunde suchte mehr Erfahrung mit Zahlungen."
    portal_data.close(app, ns, cy2.id, CloseReason.NOT_A_FIT, explanation)
    g.strip.append(explanation)
    deliver()
    asking = _search(app, g, "Architektin Cloud", pay_min=70000, pay_max=80000)
    cy3 = portal_data.add(app, ns, asking, g.candidate, Stage.SCREENING)
    pending = portal_data.request_consent(app, ns, cy3.id)
    g.ids.update(closed=cy2.id, asking=cy3.id, pending=pending.id)

    # A role that fits them (their skills), open and advertised.
    give_skills(app, g.firm, candidate=g.candidate, skills=["Python", "SQL"])
    fits = _search(app, g, "Entwicklerin Python", advertised=True, pay_min=55000, publish_pay=True)
    give_skills(app, g.firm, search=fits, skills=["Python", "SQL"])
    g.ids["role"] = fits.id

    # The conversation: they write, the recruiter answers.
    with firm_context(app, g.firm) as s:
        firm, me = s.get(Firm, g.firm.id), s.get(Candidate, g.candidate.id)
        conversations.post_from_candidate(firm, me, "Wann höre ich vom Kunden?", candidacy_id=cy.id)
    with firm_context(app, g.firm) as s:
        conversations.reply(
            s.get(Firm, g.firm.id), s.get(User, g.recruiter.id), s.get(Candidate, g.candidate.id),
            "Der Kunde antwortet am Freitag.",
        )  # fmt: skip
    g.strip += ["Wann höre ich vom Kunden?", "Der Kunde antwortet am Freitag."]
    deliver()
    make_office_hours(app, ns, weekday=(now.weekday() + 2) % 7)
    # A German member of the talent pool in no search (roles that fit; the retention warning).
    eva = make_candidate(
        app, g.firm, with_login=False, email="eva.klein@example.de", name="Eva Klein", owner=g.recruiter
    )
    with firm_context(app, g.firm) as s:
        s.get(Candidate, eva.id).language = "de"
    give_skills(app, g.firm, candidate=eva, skills=["Python", "SQL"])
    g.strip += ["Eva Klein", "Eva"]


# ---------------------------------------------------------------- pages


def crawl(app, g: German, client_for) -> dict[str, str]:
    """Every candidate page (a URL per GET endpoint of the candidate blueprint, and the careers
    and sign-in pages), as the German candidate reads it: {url: readable text}."""
    pages: dict[str, str] = {}
    c = client_for(g.firm)
    login_as(c, g.user)
    with firm_context(app, g.firm) as s:
        shown = s.scalar(
            select(Message.id).where(Message.candidate_id == g.candidate.id, Message.show_in_portal.is_(True)).limit(1)
        )
        token = s.get(Candidate, g.candidate.id).unsubscribe_token
    ids = g.ids
    urls = {
        "candidate.home": ["/me/"],
        "candidate.candidacy": [f"/me/searches/{ids['candidacy']}", f"/me/searches/{ids['closed']}", f"/me/searches/{ids['asking']}"],
        "candidate.feedback": ["/me/feedback"],
        "candidate.consents": ["/me/consents"],
        "candidate.consent": [f"/me/consents/{ids['pending']}", f"/me/consents/{ids['consent']}"],
        "candidate.roles": ["/me/roles"],
        "candidate.role": [f"/me/roles/{ids['role']}"],
        "candidate.keep_in_touch": ["/me/keep-in-touch"],
        "candidate.messages": ["/me/messages"],
        "candidate.message": [f"/me/messages/{shown}"],
        "candidate.interview": [f"/me/interviews/{ids['upcoming']}", f"/me/interviews/{ids['proposed']}"],
        "candidate.interview_debrief": [f"/me/interviews/{ids['past']}/debrief"],
        "candidate.settings": ["/me/settings"],
        "candidate.profile": ["/me/profile"],
        "candidate.alerts": ["/me/alerts"],
        "candidate.office_hours": ["/me/office-hours"],
        "candidate.unsubscribe": [f"/unsubscribe/{token}"],
        "candidate.survey": ["/survey/not-a-known-token"],
    }  # fmt: skip
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("candidate.") and "GET" in (rule.methods or ()) and rule.endpoint not in DOWNLOADS
    }
    assert endpoints <= set(urls), f"candidate pages the crawl does not visit: {sorted(endpoints - set(urls))}"
    for endpoint, paths in urls.items():
        for path in paths:
            resp = c.get(path)
            expected = 404 if path.startswith("/survey/not-") else 200  # the page of an unknown link
            assert resp.status_code == expected, (endpoint, path, resp.status_code)
            pages[path] = resp.get_data(as_text=True)
    # The careers site and the sign-in pages, signed out, with the switcher's German.
    out = client_for(g.firm)
    assert out.post("/language", data={"language": "de", "next": "/"}).status_code == 303
    for path in (
        "/careers/", f"/careers/jobs/{ids['lead']}", f"/careers/jobs/{ids['lead']}/apply", "/careers/join",
        "/careers/alerts", "/login", "/reset", "/login/link",
    ):  # fmt: skip
        resp = out.get(path)
        if resp.status_code == 404 and path == "/login/link":
            continue
        assert resp.status_code == 200, (path, resp.status_code)
        pages["(signed out) " + path] = resp.get_data(as_text=True)
    for url, page in pages.items():
        assert re.search(r'<html lang="de"', page), f"{url} is not a German page"
    return {url: i18n.readable_text(page) for url, page in pages.items()}


# ---------------------------------------------------------------- emails


def deliver_every_kind(app, g: German, client_for, run_jobs) -> None:
    """Bring about every candidate email kind through the real services and deliver them."""
    ns = _ns(g)
    c = client_for(g.firm)
    login_as(c, g.user)
    # A slot of the proposed interview, chosen; office hours booked.
    run_jobs()
    page = c.get("/me/office-hours").get_data(as_text=True)
    value = re.search(r'name="slot" value="([^"]+)"', page)
    assert value, "no free office-hours time offered"
    assert c.post("/me/office-hours/book", data={"slot": value.group(1)}).status_code in (302, 303)
    # A job alert saved by the candidate, confirmed by email; the weekly digest of new jobs.
    assert c.post("/me/alerts", data={"keywords": "Python", "location": "", "remote": ""}).status_code in (
        200,
        302,
        303,
    )
    # A password changed; a reset and a sign-in link asked for (signed out).
    changed = c.post(
        "/account/password", data={"current_password": PASSWORD, "password": PASSWORD + "!", "confirm": PASSWORD + "!"}
    )
    assert changed.status_code in (302, 303), changed.status_code
    out = client_for(g.firm)
    out.post("/language", data={"language": "de", "next": "/"})
    out.post("/reset", data={"email": g.candidate.email})
    out.post("/login/link", data={"email": g.candidate.email})
    # Someone new applies in German (the careers site with the switcher's German).
    from io import BytesIO

    applicant = "max.muster@example.de"
    out.post(
        f"/careers/jobs/{g.ids['lead']}/apply",
        data={
            "name": "Max Muster", "email": applicant, "location": "Hamburg", "accept_privacy": "y",
            "cv": (BytesIO(portal_data.PDF_BYTES), "Lebenslauf.pdf"),
        },
        content_type="multipart/form-data",
    )  # fmt: skip
    g.strip += ["Max Muster", "Hamburg"]
    # The planners: check-in, roles that fit, availability prompt, reminder, debrief, waiting
    # notice, survey, retention warning; a stage moved twice within the grace window (merged).
    now = utcnow()
    with firm_context(app, g.firm) as s:
        for cy in s.scalars(select(Candidacy).where(Candidacy.candidate_id == g.candidate.id)):
            cy.stage_changed_at = min(cy.stage_changed_at, now - timedelta(days=30))
        me = s.get(Candidate, g.candidate.id)
        me.last_contacted_at = now - timedelta(days=30)
        me.created_at = now - timedelta(weeks=30)
    with firm_context(app, g.firm) as s:
        cadence.plan_checkins(s.get(Firm, g.firm.id), now + timedelta(days=30), horizon=now + timedelta(days=30))
    with firm_context(app, g.firm) as s:
        nurture.plan_nurture(s.get(Firm, g.firm.id), now + timedelta(weeks=30))
    with firm_context(app, g.firm) as s:
        nurture.plan_availability_prompts(s.get(Firm, g.firm.id), now + timedelta(weeks=30))
    with firm_context(app, g.firm) as s:
        interview_reminders.plan_reminders(s.get(Firm, g.firm.id), now + timedelta(days=4, hours=1))
    with firm_context(app, g.firm) as s:
        debriefs.plan_requests(s.get(Firm, g.firm.id), now + timedelta(minutes=20))
    with firm_context(app, g.firm) as s:
        interview_feedback.plan_waiting_notices(s.get(Firm, g.firm.id), now + timedelta(days=6))
    from portal.services import job_alert_digest, retention, surveys

    with firm_context(app, g.firm) as s:
        surveys.plan_surveys(s.get(Firm, g.firm.id), now + timedelta(days=2))
    with firm_context(app, g.firm) as s:
        retention.plan_warnings(s.get(Firm, g.firm.id), now + timedelta(days=3000))
    run_jobs()
    # A German visitor asks for job alerts on the careers site (the confirmation email).
    out.post(
        "/careers/alerts", data={"email": "max.muster@example.de", "keywords": "Python", "location": "", "remote": ""}
    )
    run_jobs()
    fresh = _search(app, g, "Datenanalystin Python", advertised=True)
    give_skills(app, g.firm, search=fresh, skills=["Python"])
    with firm_context(app, g.firm) as s:
        job_alert_digest.plan_digests(s.get(Firm, g.firm.id), now + timedelta(days=8))
    # Two quick changes to one candidacy, merged into one update.
    app.config["GRACE_SECONDS"] = 600  # restored by _clean
    portal_data.move(app, ns, g.ids["asking"], Stage.CONTACTED)
    portal_data.close(app, ns, g.ids["asking"], CloseReason.ROLE_CLOSED, "Die Stelle ist besetzt.")
    g.strip.append("Die Stelle ist besetzt.")
    from tests.support.worker import make_due
    from worker import jobs

    make_due(app)
    jobs.relay()
    # The office-hours booking cancelled by the candidate.
    with firm_context(app, g.firm) as s:
        booked = s.scalar(
            select(Interview.id).where(Interview.candidate_id == g.candidate.id, Interview.candidacy_id.is_(None))
        )
    assert booked is not None, "the office-hours booking"
    assert c.post(f"/me/office-hours/bookings/{booked}/cancel").status_code in (302, 303)
    run_jobs()
    remember_kinds(app, g)  # their messages go with their account
    # Last: the candidate deletes their account (the goodbye email, and the page after it).
    gone = c.post("/me/settings/delete", data={"confirm": "y", "password": PASSWORD + "!"})
    assert gone.status_code == 200, gone.status_code
    g.ids["deleted_page"] = gone.get_data(as_text=True)
    run_jobs()


PEOPLE = {"jana.schroeder@example.de", "max.muster@example.de", "eva.klein@example.de"}


def remember_kinds(app, g: German) -> None:
    """Each message's Message-ID -> its kind (kept in g.ids["kinds"])."""
    from worker import mailer

    with firm_context(app) as s:
        rows = list(s.scalars(select(Message).where(Message.to_email.in_(PEOPLE))))
        g.ids.setdefault("kinds", {}).update({mailer.message_id(m): m.kind for m in rows})


def emails(app, g: German, smtp_sink) -> dict[str, list[str]]:
    """{kind: [readable text of each email of that kind]} sent to the German people."""
    remember_kinds(app, g)
    kinds, people = g.ids["kinds"], PEOPLE
    out: dict[str, list[str]] = {}
    for mail in smtp_sink.messages:
        if not set(mail.rcpt_tos) & people:
            continue
        email = mail.email
        kind = (
            "merged_update" if str(email["Subject"]) in g.ids.get("merged", ()) else kinds.get(email["Message-ID"], "?")
        )
        text = email.get_body(("plain",)).get_content()
        html_part = email.get_body(("html",))
        html = i18n.readable_text(html_part.get_content()) if html_part is not None else ""
        out.setdefault(kind, []).append(" ".join([str(email["Subject"]), text, html]))
    return out


# ---------------------------------------------------------------- the tests


def test_every_email_template_is_placed():
    import os

    folder = os.path.join(i18n.ROOT, "portal", "templates", "email")
    kinds = {n.rsplit(".", 1)[0] for n in os.listdir(folder) if n.endswith((".txt", ".html")) and not n.startswith("_")}
    kinds -= {"layout", "button", "generic"}
    assert kinds == CANDIDATE_EMAILS | STAFF_EMAILS, {
        "not placed": sorted(kinds - CANDIDATE_EMAILS - STAFF_EMAILS),
        "gone": sorted((CANDIDATE_EMAILS | STAFF_EMAILS) - kinds),
    }


def _english(app, client_for, run_jobs, smtp_sink, catalogs: str | None = None):
    """(the German world, {where: [English words found]}, the email kinds received)."""
    g = build(app)
    found: dict[str, list[str]] = {}

    def look():
        populate(app, g, run_jobs)
        for url, text in crawl(app, g, client_for).items():
            if hits := i18n.english_words(text, VOCABULARY, g.strip):
                found[url] = hits
        deliver_every_kind(app, g, client_for, run_jobs)
        if hits := i18n.english_words(i18n.readable_text(g.ids["deleted_page"]), VOCABULARY, g.strip):
            found["/me/settings/delete (the page after)"] = hits
        got = emails(app, g, smtp_sink)
        for kind, texts in got.items():
            for n, text in enumerate(texts):
                if hits := i18n.english_words(text, VOCABULARY, g.strip):
                    found[f"email {kind} #{n + 1}"] = hits
        return got

    from worker import compose

    merged = compose._merged

    def spy(*args, **kwargs):  # which emails are merged updates (composed at send time)
        out = merged(*args, **kwargs)
        g.ids.setdefault("merged", set()).add(" ".join(out[0].split()))
        return out

    compose._merged = spy
    try:
        if catalogs is None:
            got = look()
        else:
            with i18n.translations_from(app, catalogs):
                got = look()
    finally:
        compose._merged = merged
    return g, found, got


def _report(found: dict[str, list[str]], limit: int = 6) -> str:
    lines = [f"{len(found)} pages or emails with English:"]
    for where, hits in found.items():
        lines.append(
            f"  {where}: " + "; ".join(hits[:limit]) + (f" (+{len(hits) - limit})" if len(hits) > limit else "")
        )
    return "\n".join(lines)


def test_a_german_candidate_reads_no_english(app, client_for, run_jobs, smtp_sink):
    """With the shipped catalogs (waits for the translators)."""
    _g, found, got = _english(app, client_for, run_jobs, smtp_sink)
    missing = CANDIDATE_EMAILS - set(got) - set(NOT_TRIGGERED)
    assert not missing, f"candidate emails not received: {sorted(missing)}"
    assert not found, _report(found)


# ---------------------------------------------------------------- the crawl itself, checked


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory):
    """Two temporary catalog folders: "none" (German with no translation at all) and "full"
    (every extracted message translated to a stand-in word, placeholders and markup kept)."""
    from babel.messages import Catalog

    root = tmp_path_factory.mktemp("catalogs")
    i18n.write_catalog(str(root / "none"), "de", Catalog(locale="de", project="Portal"))
    i18n.write_catalog(str(root / "full"), "de", i18n.pseudo_catalog(i18n.extract(), "de", STAND_IN))
    return {"none": str(root / "none"), "full": str(root / "full")}


STAND_IN = "Übersetzung"


def test_self_check_without_a_catalog_the_english_is_found(app, client_for, run_jobs, smtp_sink, catalogs):
    """The crawl can fail: German pages with no translation are full of the vocabulary, on the
    pages and in the emails, and the words come from the product's own texts."""
    _g, found, got = _english(app, client_for, run_jobs, smtp_sink, catalogs["none"])
    assert CANDIDATE_EMAILS - set(NOT_TRIGGERED) <= set(got), sorted(CANDIDATE_EMAILS - set(got))
    assert any(url.startswith("/me/") for url in found) and any(url.startswith("email ") for url in found)
    assert any("'your' in" in hit and "Your profile" in hit for hit in found["/me/profile"]), found["/me/profile"]
    assert any("Skip to content" in hit for hit in found["/me/"])  # base.html, marked


def test_self_check_a_full_catalog_takes_the_marked_words_away(app, client_for, run_jobs, smtp_sink, catalogs):
    """The crawl can pass: with every extracted message translated, the words of marked texts
    are gone (base.html's "Skip to content", the switcher's "Language"), and what is left is
    fewer hits than with no catalog (it is text not marked yet)."""
    _g, empty, _got = _english(app, client_for, run_jobs, smtp_sink, catalogs["none"])
    _wipe(app, smtp_sink)
    _g, full, _got = _english(app, client_for, run_jobs, smtp_sink, catalogs["full"])
    # The signed-in candidate's pages (base.html); the goodbye page after the deletion is read
    # signed out, in the firm's language: not one of them.
    portal = [hit for url, hits in full.items() if url.startswith("/me/") and "after" not in url for hit in hits]
    assert any("Skip to content" in hit for hit in empty["/me/"])
    assert not [hit for hit in portal if "Skip to content" in hit or "Language" in hit or "Sign out" in hit]
    assert sum(map(len, full.values())) < sum(map(len, empty.values()))


def _wipe(app, smtp_sink) -> None:
    """A second world in the same test: the tables, the queue and the mailbox emptied again."""
    from tests.support.fixtures.app import _wipe_database, _wipe_redis

    _wipe_database(app)
    _wipe_redis(app)
    smtp_sink.reset()


def test_every_candidate_facing_word_is_marked(app, client_for, run_jobs, smtp_sink, catalogs):
    """With every extracted message translated, a German candidate reads no English at all:
    whatever is left is a text not marked for translation (waits for the marking branches, not
    for the translators)."""
    _g, found, _got = _english(app, client_for, run_jobs, smtp_sink, catalogs["full"])
    assert not found, _report(found)
