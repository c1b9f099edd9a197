"""Every email in its reader's language (issue 20): a candidate's emails in Candidate.language, a
staff member's in User.language, the subject, the text and the HTML alike, `<html lang dir>` in
the layout; and the language is the one the reader has when the email is SENT (a candidate who
switches after a message was recorded gets it in the new language, and their portal's copy
reads as the email did).

The shipped catalogs are still empty, so each test gets a small German catalog of its own,
compiled into a temporary directory the app reads translations from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from portal import outbox
from portal.models import Audience, Candidate, Firm, MessageState, Stage, User, utcnow
from portal.outbox import recipe
from portal.services import cadence
from tests.factories import firm_context, make_user, seq
from tests.support.worker import make_candidacy, make_search, message, messages

GERMAN = {
    "Hello %(name)s,": "Hallo %(name)s,",
    "%(name)s replied to your message": "%(name)s hat auf Ihre Nachricht geantwortet",
    "%(name)s replied to your message:": "%(name)s hat auf Ihre Nachricht geantwortet:",
    "<strong>%(name)s</strong> replied to your message:": "<strong>%(name)s</strong> hat auf Ihre Nachricht geantwortet:",
    "Read and reply in your portal": "In Ihrem Portal lesen und antworten",
    "%(name)s: a message from your candidate": "%(name)s: eine Nachricht Ihres Kandidaten",
    "Open their page": "Seine Seite öffnen",
    "Your update on %(title)s from %(firm)s": "Ihr Stand zu %(title)s von %(firm)s",
    "No decision yet. You are not forgotten: we will tell you as soon as anything changes.": (
        "Noch keine Entscheidung. Wir haben Sie nicht vergessen und melden uns, sobald sich etwas tut."
    ),
    "Reply": "Antworten",
}


@pytest.fixture
def german(app, tmp_path):
    """The app reads a German catalog of GERMAN's messages too, for this test."""
    catalog = Catalog(locale="de")
    for msgid, text in GERMAN.items():
        catalog.add(msgid, text)
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    babel = app.extensions["babel"]
    with app.app_context():
        cache = babel.instance.domain_instance.cache  # translations loaded per language, kept per app
    saved = list(babel.translation_directories)
    babel.translation_directories = [*saved, str(tmp_path)]
    cache.clear()
    yield
    babel.translation_directories = saved
    cache.clear()


def _set(app, firm, model, row_id, **values):
    with firm_context(app, firm) as s:
        row = s.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)


def _record_reply(app, firm, candidate_id: int, recruiter_id: int) -> int:
    """A recruiter's reply to a candidate (email/conversation_reply.*), recorded as the service does."""
    with firm_context(app, firm) as s:
        cand, rec = s.get(Candidate, candidate_id), s.get(User, recruiter_id)
        msg = outbox.record(
            s.get(Firm, firm.id),
            kind="conversation_reply",
            dedupe_key=f"test-reply:{seq()}",
            audience=Audience.CANDIDATE,
            to_email=cand.email,
            to_name=cand.name,
            candidate=cand,
            recipient_user_id=cand.user_id,
            context={
                "candidate_name": cand.name,
                "recruiter": rec,
                "text": "We will call you on Monday.",
                "question": None,
                "link": "http://alpha.localhost/me/messages",
            },
        )
        return msg.id


def _record_update_for(app, firm, candidate_id: int, user_id: int) -> int:
    """A candidate's update emailed to a recruiter (email/candidate_update.*)."""
    with firm_context(app, firm) as s:
        user = s.get(User, user_id)
        msg = outbox.record(
            s.get(Firm, firm.id),
            kind="candidate_update",
            dedupe_key=f"test-update:{seq()}",
            audience=Audience.RECRUITER,
            to_email=user.email,
            to_name=user.name,
            recipient_user_id=user.id,
            show_in_portal=False,
            context={
                "candidate_obj": s.get(Candidate, candidate_id),
                "headline": "",
                "text": "I am on holiday until the 20th.",
                "link": "http://alpha.localhost/recruiter/candidates/1",
            },
        )
        return msg.id


def _sent(smtp_sink):
    (sent,) = smtp_sink.messages
    email = sent.email
    return str(email["Subject"]), email.get_body(("plain",)).get_content(), email.get_body(("html",)).get_content()


def test_a_candidate_reads_their_email_in_their_language(app, firms, german, run_jobs, smtp_sink):
    a = firms.a
    _set(app, a.firm, Candidate, a.candidate.id, language="de")
    mid = _record_reply(app, a.firm, a.candidate.id, a.recruiter.id)
    stored = message(app, mid)
    assert stored.subject == f"{a.recruiter.name} hat auf Ihre Nachricht geantwortet"  # the portal's copy too
    run_jobs()
    subject, text, html = _sent(smtp_sink)
    assert subject == f"{a.recruiter.name} hat auf Ihre Nachricht geantwortet"
    assert f"Hallo {a.candidate.name}," in text and "hat auf Ihre Nachricht geantwortet:" in text
    assert "Hello" not in text
    assert f"<p>Hallo {a.candidate.name},</p>" in html and "In Ihrem Portal lesen und antworten" in html
    assert '<html lang="de" dir="ltr">' in html
    assert "portal:render" not in html and "portal:render" not in text  # the recipe never leaves


def test_the_language_is_the_one_the_candidate_has_when_the_email_is_sent(app, firms, german, run_jobs, smtp_sink):
    a = firms.a
    mid = _record_reply(app, a.firm, a.candidate.id, a.recruiter.id)  # no language chosen: the firm's, English
    stored = message(app, mid)
    assert stored.subject == f"{a.recruiter.name} replied to your message"
    assert recipe.language(stored.body_html) == "en"
    _set(app, a.firm, Candidate, a.candidate.id, language="de")  # they switch before it goes out
    run_jobs()
    subject, text, html = _sent(smtp_sink)
    assert subject == f"{a.recruiter.name} hat auf Ihre Nachricht geantwortet"
    assert f"Hallo {a.candidate.name}," in text and "We will call you on Monday." in text
    assert '<html lang="de" dir="ltr">' in html and ">Antworten</a>" in html  # the layout's words too
    assert smtp_sink.messages[0].email["Content-Language"] == "de"
    sent = message(app, mid)
    assert sent.state == MessageState.SENT
    # The candidate's portal shows what the email said, in the language it said it in.
    assert sent.subject == subject and sent.body_text.startswith(f"Hallo {a.candidate.name},")
    assert recipe.language(sent.body_html) == "de"


def test_a_language_the_firm_does_not_offer_is_the_firms_default(app, firms, german, run_jobs, smtp_sink):
    a = firms.a
    _set(app, a.firm, Firm, a.firm.id, languages=["en", "fr"])
    _set(app, a.firm, Candidate, a.candidate.id, language="de")
    _record_reply(app, a.firm, a.candidate.id, a.recruiter.id)
    run_jobs()
    subject, text, html = _sent(smtp_sink)
    assert subject == f"{a.recruiter.name} replied to your message" and '<html lang="en" dir="ltr">' in html
    assert smtp_sink.messages[0].email["Content-Language"] == "en"


def test_staff_emails_follow_the_staff_members_language_at_send_time(app, firms, german, run_jobs, smtp_sink):
    a = firms.a
    mid = _record_update_for(app, a.firm, a.candidate.id, a.recruiter.id)
    assert message(app, mid).subject == f"{a.candidate.name}: a message from your candidate"
    _set(app, a.firm, User, a.recruiter.id, language="de")
    run_jobs()
    subject, text, html = _sent(smtp_sink)
    assert subject == f"{a.candidate.name}: eine Nachricht Ihres Kandidaten"
    assert f"Hallo {a.recruiter.name}," in text and "I am on holiday until the 20th." in text
    assert "Seine Seite öffnen" in html and '<html lang="de" dir="ltr">' in html


def test_staff_emails_are_recorded_in_the_staff_members_language(app, firms, german, run_jobs, smtp_sink):
    a = firms.a
    _set(app, a.firm, User, a.recruiter.id, language="de")
    _set(app, a.firm, Candidate, a.candidate.id, language="fr")  # the candidate's language is not the reader's
    mid = _record_update_for(app, a.firm, a.candidate.id, a.recruiter.id)
    assert message(app, mid).subject == f"{a.candidate.name}: eine Nachricht Ihres Kandidaten"
    run_jobs()
    assert _sent(smtp_sink)[0] == f"{a.candidate.name}: eine Nachricht Ihres Kandidaten"


def test_a_right_to_left_language_sets_the_layouts_direction(app, firms, run_jobs, smtp_sink):
    a = firms.a
    _set(app, a.firm, Candidate, a.candidate.id, language="ar")
    _record_reply(app, a.firm, a.candidate.id, a.recruiter.id)
    run_jobs()
    assert '<html lang="ar" dir="rtl">' in _sent(smtp_sink)[2]


def test_a_planned_check_in_goes_out_in_the_language_the_candidate_switched_to(app, firms, german, run_jobs, smtp_sink):
    a = firms.a
    now = utcnow()
    search = make_search(app, a.firm, title="Head of Data", owner=a.recruiter, client="Initech")
    make_candidacy(app, a.firm, a.candidate, search, stage=Stage.INTERVIEWING, created_at=now - timedelta(days=20))
    _set(app, a.firm, Candidate, a.candidate.id, last_contacted_at=now - timedelta(days=8))
    with firm_context(app, a.firm) as s:
        assert cadence.plan_checkins(s.get(Firm, a.firm.id), now, horizon=now + timedelta(minutes=70)) == 1
    (m,) = messages(app, kind="checkin")
    assert m.subject == "Your update on Head of Data from Alpha Search" and "No decision yet" in m.body_text
    _set(app, a.firm, Candidate, a.candidate.id, language="de")
    run_jobs()
    subject, text, html = _sent(smtp_sink)
    assert subject == "Ihr Stand zu Head of Data von Alpha Search"
    assert f"Hallo {a.candidate.name}," in text and "Noch keine Entscheidung." in text and "Initech" in text
    assert "Noch keine Entscheidung." in html and '<html lang="de" dir="ltr">' in html


def test_an_email_whose_rows_are_gone_is_sent_as_it_was_rendered(app, firms, german, run_jobs, smtp_sink):
    """The recipe names rows by id: one deleted meanwhile cannot be rendered again, and the email
    goes as it was recorded rather than not at all."""
    a = firms.a
    gone = make_user(app, a.firm, name="Temp Recruiter")
    mid = _record_reply(app, a.firm, a.candidate.id, gone.id)
    with firm_context(app, a.firm) as s:
        s.delete(s.get(User, gone.id))
    _set(app, a.firm, Candidate, a.candidate.id, language="de")
    run_jobs()
    subject, text, _html = _sent(smtp_sink)
    assert subject == "Temp Recruiter replied to your message" and "Hello" in text
    assert message(app, mid).state == MessageState.SENT


def test_a_recipe_keeps_data_never_objects_it_cannot_load_again():
    class Opaque:
        pass

    assert recipe.comment("conversation_reply", "de", {"thing": Opaque()}) == ""
    kept = recipe.comment("x", "de", {"n": 3, "when": utcnow(), "stage": Stage.SCREENING, "t": ("a", "<b>")})
    assert kept.startswith("\n<!--portal:render ") and "<b>" not in kept  # never closes its comment early
    data = recipe.read("<html></html>" + kept)
    assert data["lang"] == "de" and data["kind"] == "x"


def test_a_recipe_keeps_portals_lazy_messages_and_spells_them_in_the_new_language(app, german):
    """Words made with portal.i18n.lazy (stage words, reasons, labels) are kept as messages, so an
    email rendered again at send time says them in the language the reader has then."""
    from flask_babel import force_locale, lazy_gettext

    from portal.i18n import lazy

    kept = recipe.comment("x", "en", {"word": lazy("Reply"), "babel": lazy_gettext("Reply")})
    assert kept, "a context with lazy messages is kept for rendering again"
    context = recipe.load_context(recipe.read("<html></html>" + kept))
    with app.test_request_context(), force_locale("de"):
        assert (str(context["word"]), str(context["babel"])) == ("Antworten", "Antworten")


def test_the_planners_fast_rendering_speaks_each_readers_language(app, firms, german):
    """EmailRenderer (the planners): the layout rendered once per language, not once for all."""
    a = firms.a
    items = (
        {"title": "Head of Data", "client": None, "stage": Stage.INTERVIEWING, "unchanged": True, "recruiter": None},
    )
    with firm_context(app, a.firm) as s:
        renderer = outbox.EmailRenderer(s.get(Firm, a.firm.id), "checkin", fast=True, reply=True)
        emails = {
            lang: renderer.render(
                language=lang, candidate_name="Ann", to_name="Ann", items=items, portal_url="http://x/"
            )
            for lang in ("de", "ar", "en")
        }
        for lang, email in emails.items():
            full = outbox.EmailRenderer(s.get(Firm, a.firm.id), "checkin", reply=True).render(
                language=lang, candidate_name="Ann", to_name="Ann", items=items, portal_url="http://x/"
            )
            assert email == full
    assert emails["de"][0] == "Ihr Stand zu Head of Data von Alpha Search" and "Hallo Ann," in emails["de"][1]
    assert '<html lang="de" dir="ltr">' in emails["de"][2] and ">Antworten</a>" in emails["de"][2]
    assert '<html lang="ar" dir="rtl">' in emails["ar"][2]
    assert emails["en"][0] == "Your update on Head of Data from Alpha Search" and ">Reply</a>" in emails["en"][2]
    assert "a confidential client" in emails["en"][1]
