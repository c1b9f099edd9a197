"""A confidential client never reaches a candidate through a recruiter's own words (Trust item 7).

Naming the client, or one of its aliases in any case or spacing, in a close explanation,
feedback or a search's close explanation is refused while a reader was not told the client
(a consent request tells them); the refusal names those candidates, keeps what was typed and
offers a version without the name, which goes through. Closing a search shows who reads what
before anything is written, asks for confirmation, and can be undone in the grace window.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import (
    Candidacy,
    Client,
    CloseReason,
    Feedback,
    Message,
    MessageState,
    Search,
    SearchState,
    Stage,
    utcnow,
)
from portal.services import consent as consent_service
from portal.services import pipeline
from tests.factories import firm_context
from tests.support.recruiter import add, flashes, make_search, people

NAMES = ["Globex", "Globex Corp", "GBX"]


def _text(resp) -> str:
    return html_lib.unescape(resp.get_data(as_text=True))


def _globex(app, rec, **kw) -> Search:
    """A confidential search for Globex, whose aliases the recruiter records on the client page."""
    s = make_search(app, rec.f, client="Globex", confidential=True, **kw)
    resp = rec.client.post(
        f"/recruiter/clients/{s.client_id}/edit", data={"name": "Globex", "aliases": "Globex Corp\nGBX"}
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return s


def _tell(app, f, cy) -> None:
    """The candidate is told the client: a consent request names it."""
    with firm_context(app, f.firm):
        consent_service.request_consent(f.firm, f.recruiter, db.session.get(Candidacy, cy.id))


def _messages(app, f, kind: str) -> list[Message]:
    with firm_context(app, f.firm):
        return list(db.session.scalars(select(Message).where(Message.kind == kind).order_by(Message.id)))


def _kept(page: str, typed: str) -> bool:
    """The text is back in a textarea (WTForms starts a textarea's content with a newline)."""
    return re.search(r">\s*" + re.escape(typed) + "</textarea>", page) is not None


def _no_name(text: str) -> bool:
    """No trace of the client's name or an alias (a plain check, independent of the one tested)."""
    return re.search(r"globex|gbx", text, re.I) is None


# ---------------------------------------------------------------- the check itself


@pytest.mark.parametrize(
    "text, found",
    [
        ("We met GLOBEX today.", ["GLOBEX"]),
        ("globex   corp decided", ["globex corp"]),
        ("Globex-Corp decided", ["Globex-Corp"]),
        ("gbx's team liked you", ["gbx"]),
        ("Write to jobs@globex.com.", ["jobs@globex.com"]),
        ("See https://www.globexcorp.com/jobs!", ["https://www.globexcorp.com/jobs"]),
        ("Glo\u200bbex said no", ["Glo\u200bbex"]),  # a zero-width space inside the word
        ("Ｇｌｏｂｅｘ said no", ["Ｇｌｏｂｅｘ"]),  # full-width letters
        ("GBXL and globexian are other words", []),
        ("The client hired internally.", []),
    ],
)
def test_names_are_found_on_word_boundaries_whatever_the_case_spacing_or_address(text, found):
    from portal.services import disclosure

    assert disclosure.find_names(text, NAMES) == found
    redacted = disclosure.redact(text, NAMES)
    assert _no_name(redacted) if found else redacted == text


def test_unicode_names_accents_and_scripts_without_spaces():
    from portal.services import disclosure

    assert disclosure.find_names("La societe generale a dit non", ["Société Générale"]) == ["societe generale"]
    assert disclosure.find_names("Die Straße AG", ["STRASSE AG"]) == ["Straße AG"]
    assert disclosure.find_names("我们与格罗贝公司见面", ["格罗贝"]) == ["格罗贝"]
    assert disclosure.redact("Visit [Globex careers](https://globex.com).", NAMES) == "Visit the client careers."
    assert disclosure.redact("globex said no.", NAMES, "a retailer") == "A retailer said no."


def test_aliases_are_edited_on_the_client_page_and_checked(app, rec):
    s = _globex(app, rec)
    with firm_context(app, rec.f.firm):
        assert db.session.get(Client, s.client_id).alias_list == ["Globex Corp", "GBX"]
    page = _text(rec.client.get(f"/recruiter/searches/{s.id}"))
    assert "also Globex Corp, GBX" in page and f"/recruiter/clients/{s.client_id}/edit" in page
    resp = rec.client.post(f"/recruiter/clients/{s.client_id}/edit", data={"name": "Globex", "aliases": "G"})
    assert resp.status_code == 400 and "too short" in _text(resp)
    assert 'name="aliases"' in resp.get_data(as_text=True) and _kept(resp.get_data(as_text=True), "G")


def test_a_confidential_search_title_may_not_name_its_client(app, rec):
    s = _globex(app, rec)
    form = {
        "title": "Data lead at gbx",
        "client_name": "Globex",
        "confidential": "y",
        "pay_currency": "EUR",
        "remote_policy": "onsite",
        "engagement": "retained",
        "state": "open",
    }
    resp = rec.client.post(f"/recruiter/searches/{s.id}/edit", data=form)
    assert resp.status_code == 400
    assert "Role title: it names the confidential client (“gbx”)" in _text(resp)
    assert 'value="Data lead at gbx"' in resp.get_data(as_text=True)  # kept
    resp = rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**form, "title": "Data lead"})
    assert resp.status_code == 303


# ---------------------------------------------------------------- a candidacy's close reason


def test_a_close_explanation_naming_the_client_is_refused_and_the_version_without_goes_through(app, rec):
    f = rec.f
    s = _globex(app, rec)
    (ann,) = people(app, f, 1, name="Ann Untold")
    cy = add(app, f, s, ann, Stage.SCREENING)
    typed = "globex corp chose someone with more SQL."
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "client_declined", "explanation": typed, "version": cy.version},
    )
    assert resp.status_code == 400
    page = _text(resp)
    assert "names the confidential client (“globex corp”)" in page and "Ann Untold has not been told" in page
    assert _kept(page, typed)  # what was typed is kept
    offered = re.search(r'id="explanation-\d+-without"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert offered == "The client chose someone with more SQL."
    assert 'value="client_declined" selected' in page
    with firm_context(app, f.firm):
        assert db.session.get(Candidacy, cy.id).stage == Stage.SCREENING
    assert _messages(app, f, "candidacy_closed") == []
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "client_declined", "explanation": offered, "version": cy.version},
        follow_redirects=True,
    )
    assert "candidacy is closed" in flashes(resp.get_data(as_text=True))
    (msg,) = _messages(app, f, "candidacy_closed")
    assert "chose someone with more SQL" in msg.body_text
    assert _no_name(msg.body_text) and _no_name(msg.body_html)


def test_a_candidate_who_was_told_may_read_the_name(app, rec):
    f = rec.f
    s = _globex(app, rec)
    cy = add(app, f, s, people(app, f, 1)[0], Stage.SCREENING)
    _tell(app, f, cy)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "client_declined", "explanation": "GBX chose someone else.", "version": cy.version},
    )
    assert resp.status_code == 303
    (msg,) = _messages(app, f, "candidacy_closed")
    assert "GBX chose someone else." in msg.body_text


def test_a_search_that_is_not_confidential_names_its_client_freely(app, rec):
    f = rec.f
    s = make_search(app, f, client="Initech")
    cy = add(app, f, s, people(app, f, 1)[0], Stage.SCREENING)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/close",
        data={"reason": "client_declined", "explanation": "Initech chose someone else.", "version": cy.version},
    )
    assert resp.status_code == 303


# ---------------------------------------------------------------- feedback


def test_feedback_naming_an_alias_is_refused_and_the_version_without_is_posted(app, rec):
    f = rec.f
    s = _globex(app, rec)
    (bo,) = people(app, f, 1, name="Bo Untold")
    cy = add(app, f, s, bo, Stage.SCREENING)
    typed = "The GBX panel loved your *system design*; see https://globex.com/values."
    for action in ("preview", "post"):
        resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": typed, "action": action})
        assert resp.status_code == 400, action
        page = _text(resp)
        assert "This feedback names the confidential client (“GBX” and “https://globex.com/values”)" in page
        assert "Bo Untold has not been told" in page
        assert _kept(page, typed)
    offered = re.search(r'id="body-without"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert offered == "The client panel loved your *system design*; see the client."
    with firm_context(app, f.firm):
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0
    assert _messages(app, f, "feedback_posted") == []
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback",
        data={"body": typed, "body_without": offered, "action": "post-without"},
        follow_redirects=True,
    )
    assert "Feedback posted" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        fb = db.session.scalar(select(Feedback))
        assert fb.body_md == offered
    (msg,) = _messages(app, f, "feedback_posted")
    assert "system design" in msg.body_text and _no_name(msg.body_text) and _no_name(msg.body_html)


def test_feedback_to_a_told_candidate_may_name_the_client(app, rec):
    f = rec.f
    s = _globex(app, rec)
    cy = add(app, f, s, people(app, f, 1)[0], Stage.SCREENING)
    _tell(app, f, cy)
    resp = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Globex loved you.", "action": "post"}
    )
    assert resp.status_code == 303
    assert "Globex loved you." in _messages(app, f, "feedback_posted")[0].body_text


# ---------------------------------------------------------------- closing a search


def _pipeline(app, rec):
    """Globex's confidential search: two told, two not told, one already closed."""
    f = rec.f
    s = _globex(app, rec)
    told = people(app, f, 2, name="Told Person")
    untold = [people(app, f, 1, name="Uma Untold")[0], people(app, f, 1, name="Ulf Untold")[0]]
    (closed,) = people(app, f, 1, name="Cleo Closed")
    cys = {}
    for c in told:
        cys[c.id] = add(app, f, s, c, Stage.SCREENING)
        _tell(app, f, cys[c.id])
    for c in untold:
        cys[c.id] = add(app, f, s, c, Stage.CONTACTED)
    gone = add(app, f, s, closed, Stage.CONTACTED)
    with firm_context(app, f.firm):
        pipeline.close(f.firm, f.recruiter, db.session.get(Candidacy, gone.id), CloseReason.WITHDREW, "")
    return s, told, untold, closed


def _groups(page: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r'<article class="close-group" data-group="(\w+)">(.*?)</article>', page, re.S)
    }


def test_close_search_preview_groups_nothing_sent_before_confirmation(app, rec):
    f = rec.f
    s, told, untold, closed = _pipeline(app, rec)
    before = len(_messages(app, f, "candidacy_closed"))
    form = {"state": "filled", "reason": "role_closed", "explanation": "Globex  Corp hired internally."}
    # The explanation names the client and two candidates were not told: refused, with them named.
    resp = rec.client.post(f"/recruiter/searches/{s.id}/close", data=form)
    assert resp.status_code == 400
    page = _text(resp)
    assert "names the confidential client (“Globex Corp”), and Ulf Untold and Uma Untold have not been told" in page
    assert 'name="confirm"' not in page  # no confirming a refused text
    assert _kept(page, "Globex  Corp hired internally.")
    offered = re.search(r'id="untold_explanation"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert offered == "The client hired internally."
    # The version without the name for those not told: the preview shows each group's text.
    resp = rec.client.post(f"/recruiter/searches/{s.id}/close", data={**form, "untold_explanation": offered})
    assert resp.status_code == 200
    page = _text(resp)
    groups = _groups(page)
    assert set(groups) == {"told", "untold", "closed"}
    assert "Told Person" in groups["told"] and "Globex  Corp hired internally." in groups["told"]
    assert "Uma Untold" in groups["untold"] and "Ulf Untold" in groups["untold"]
    assert "Confidential client" in groups["untold"] and _no_name(groups["untold"])
    assert "Cleo Closed" in groups["closed"] and "(1)" in groups["closed"]
    assert 'name="confirm" value="1"' in page and "tell 4 candidates" in page
    # Two previews, nothing written.
    with firm_context(app, f.firm):
        assert db.session.get(Search, s.id).state == SearchState.OPEN
        assert (
            db.session.scalar(select(func.count()).select_from(Candidacy).where(Candidacy.stage == Stage.CLOSED)) == 1
        )
    assert len(_messages(app, f, "candidacy_closed")) == before
    # Confirmed: the told read it as written, the others the version without the name.
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/close",
        data={**form, "untold_explanation": offered, "confirm": "1"},
        follow_redirects=True,
    )
    assert "4 open candidacies were closed" in flashes(resp.get_data(as_text=True))
    msgs = {m.candidate_id: m for m in _messages(app, f, "candidacy_closed")[before:]}
    assert set(msgs) == {c.id for c in told + untold}
    for c in told:
        assert "Globex  Corp hired internally." in msgs[c.id].body_text
    for c in untold:
        assert "The client hired internally." in msgs[c.id].body_text
        assert _no_name(msgs[c.id].body_text) and _no_name(msgs[c.id].body_html)


def test_close_search_service_refuses_an_alias_for_untold_candidates(app, rec):
    from portal.services import disclosure

    f = rec.f
    s, told, untold, closed = _pipeline(app, rec)
    with firm_context(app, f.firm):
        search = db.session.get(Search, s.id)
        with pytest.raises(disclosure.ClientNamed) as refused:
            pipeline.close_search(
                f.firm, f.recruiter, search, SearchState.CANCELLED, CloseReason.ROLE_CLOSED, "gbx paused hiring."
            )
        assert [r.name for r in refused.value.finding.untold] == ["Ulf Untold", "Uma Untold"]
        assert refused.value.redacted == "The client paused hiring."
        with pytest.raises(disclosure.ClientNamed):  # the version for the untold is checked too
            pipeline.close_search(
                f.firm,
                f.recruiter,
                search,
                SearchState.CANCELLED,
                CloseReason.ROLE_CLOSED,
                "gbx paused hiring.",
                untold_explanation="GLOBEX paused hiring.",
            )


def test_undo_a_search_close_within_the_grace_window_sends_nothing(app, rec, run_jobs, smtp_sink):
    from worker import jobs

    f = rec.f
    app.config["GRACE_SECONDS"] = 300
    s, told, untold, closed = _pipeline(app, rec)
    with firm_context(app, f.firm) as sess:
        sess.execute(update(Message).values(state=MessageState.CANCELLED))  # the setup's messages
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/close",
        follow_redirects=True,
        data={"state": "cancelled", "reason": "role_closed", "explanation": "The role was withdrawn.", "confirm": "1"},
    )
    page = resp.get_data(as_text=True)
    assert "The candidates have not been told yet" in page and ">Undo</button>" in page
    assert len([m for m in _messages(app, f, "candidacy_closed") if m.state == MessageState.PENDING]) == 4
    resp = rec.client.post(f"/recruiter/searches/{s.id}/close/undo", data={}, follow_redirects=True)
    assert "Undone: the search is open again and 4 candidacies are back" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm) as sess:
        assert sess.get(Search, s.id).state == SearchState.OPEN and sess.get(Search, s.id).closed_at is None
        stages = dict(sess.execute(select(Candidacy.candidate_id, Candidacy.stage)).all())
        assert [stages[c.id] for c in told] == [Stage.SCREENING] * 2
        assert [stages[c.id] for c in untold] == [Stage.CONTACTED] * 2
        assert stages[closed.id] == Stage.CLOSED  # closed before: stays closed
        # The grace window passes: the relay finds nothing to send.
        sess.execute(update(Message).values(due_at=utcnow() - timedelta(seconds=1), enqueued_at=None))
    assert {m.state for m in _messages(app, f, "candidacy_closed")} == {MessageState.CANCELLED}
    jobs.relay()
    run_jobs()
    assert smtp_sink.messages == []


def test_undo_of_a_search_close_is_refused_after_the_grace_window(app, rec):
    f = rec.f
    app.config["GRACE_SECONDS"] = 300
    s = make_search(app, f)
    add(app, f, s, people(app, f, 1)[0], Stage.CONTACTED)
    rec.client.post(
        f"/recruiter/searches/{s.id}/close", data={"state": "filled", "reason": "role_closed", "confirm": "1"}
    )
    with firm_context(app, f.firm) as sess:
        sess.get(Search, s.id).closed_at = utcnow() - timedelta(seconds=301)
    resp = rec.client.post(f"/recruiter/searches/{s.id}/close/undo", data={}, follow_redirects=True)
    assert "Too late to undo" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        assert db.session.get(Search, s.id).state == SearchState.FILLED


# ---------------------------------------------------------------- texts every candidate reads


def test_firm_wide_texts_may_not_name_a_confidential_client(app, rec, client_for):
    from tests.support.admin import admin_client, load_firm

    _globex(app, rec)
    make_search(app, rec.f, client="Initech")  # not confidential: may be named
    admin = admin_client(client_for, rec.f)
    settings = {
        "name": "Alpha Search",
        "primary_color": "#1f4e79",
        "accent_color": "#b5461a",
        "support_email": "",
        "postal_address": "",
        "sender_name": "",
        "reply_to": "",
    }
    resp = admin.post("/admin/settings", data={**settings, "welcome_md": "We hire for *GLOBEX corp* and Initech."})
    assert resp.status_code == 400
    assert "The welcome text names a confidential client (“GLOBEX corp”)" in _text(resp)
    assert load_firm(app, rec.f.firm).welcome_md is None
    assert admin.post("/admin/settings", data={**settings, "welcome_md": "We hire for Initech."}).status_code == 302
    stages = {f"{s.value}-{part}": "" for s in Stage for part in ("label", "explanation")}
    resp = admin.post("/admin/stages", data={**stages, "presented-label": "With gbx"})
    assert resp.status_code == 400 and "names a confidential client (“gbx”)" in _text(resp)
    assert load_firm(app, rec.f.firm).stage_labels is None
