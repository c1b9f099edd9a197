"""The one-click unsubscribe page speaks the language of the candidate whose link it is (the
language their emails are in), not the browser's, the switcher's cookie or the signed-in
person's of whoever opened the link."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.i18n import COOKIE
from portal.models import Candidate, Firm
from tests.factories import firm_context


def _lang(resp) -> str:
    found = re.search(r'<html lang="([^"]+)"', resp.get_data(as_text=True))
    assert found, "the page has no <html lang>"
    return found.group(1)


def _set(app, f, language):
    with firm_context(app, f.firm):
        db.session.get(Candidate, f.candidate.id).language = language
        db.session.get(Firm, f.firm.id).languages = None  # every shipped language


def test_the_page_is_in_the_candidates_language_not_the_visitors(app, firms, client_for):
    f = firms.a
    _set(app, f, "de")
    c = client_for(f.firm)
    c.set_cookie(COOKIE, "fr", domain=f"{f.firm.slug}.localhost")
    path = f"/unsubscribe/{f.candidate.unsubscribe_token}"
    shown = c.get(path, headers={"Accept-Language": "es"})
    assert shown.status_code == 200 and _lang(shown) == "de"
    done = c.post(path, data={"List-Unsubscribe": "One-Click"}, headers={"Accept-Language": "es"})
    assert done.status_code == 200 and _lang(done) == "de"
    # Another page of the same visitor still follows their own choice.
    assert _lang(c.get("/login", headers={"Accept-Language": "es"})) == "fr"


def test_no_language_of_their_own_reads_the_firms_default(app, firms, client_for):
    f = firms.a
    _set(app, f, None)
    resp = client_for(f.firm).get(f"/unsubscribe/{f.candidate.unsubscribe_token}", headers={"Accept-Language": "nl"})
    assert resp.status_code == 200 and _lang(resp) == "en"  # their emails' language: the firm's default
    assert "Unsubscribe from optional emails?" in resp.get_data(as_text=True)
