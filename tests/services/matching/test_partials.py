"""The template partials other pages include to show a match."""

from __future__ import annotations

from flask import render_template_string

from portal.extensions import db
from portal.models import Candidacy, CloseReason, RemotePreference, Stage, utcnow
from portal.services import matching
from tests.factories import firm_context
from tests.support import matching as h


def _setup(firm):
    secret = h.client(firm, "Umbrella Confidential Ltd")
    old = h.search(firm, required=["Python"], client_obj=secret, title="Earlier role")
    s = h.search(
        firm,
        required=["Python", "Go"],
        nice=["Docker"],
        client_obj=secret,
        confidential=True,
        title="Platform <Lead>",
        location="Zurich",
        remote_policy=RemotePreference.HYBRID,
    )
    me = h.person(firm, ["Python", "Docker"], name="Ada <Lovelace>", location="Zurich")
    db.session.add(
        Candidacy(
            firm_id=firm.id,
            search_id=old.id,
            candidate_id=me.id,
            stage=Stage.CLOSED,
            close_reason=CloseReason.NOT_A_FIT,
            closed_at=utcnow(),
        )
    )
    db.session.flush()
    return s, me


def test_candidate_partials_hide_client_and_warnings(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm), app.test_request_context(base_url=f"http://{firm.slug}.localhost"):
        s, me = _setup(firm)
        (m,) = matching.roles_for_candidate(firm, me)
        html = render_template_string(
            '{% from "matching/macros.html" import role_card %}'
            "{% call role_card(m) %}<button>I am interested</button>{% endcall %}"
            '{% with match=m, audience="candidate" %}{% include "matching/_reasons.html" %}{% endwith %}',
            m=m,
        )
        assert "Platform &lt;Lead&gt;" in html  # escaped, never raw
        assert "Confidential client" in html
        assert "Umbrella" not in html and "Earlier role" not in html
        assert "&#10003; Python" in html and "&#10007; Go" in html
        assert "not on your profile yet: Go" in html
        assert "<button>I am interested</button>" in html
        assert "The role is in Zurich, where you are based." in html


def test_recruiter_partial_shows_warnings_and_missing(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm), app.test_request_context(base_url=f"http://{firm.slug}.localhost"):
        s, me = _setup(firm)
        (m,) = matching.candidates_for_search(firm, s)
        html = render_template_string(
            '{% from "matching/macros.html" import candidate_card %}'
            "{% call candidate_card(m) %}<button>Add</button>{% endcall %}",
            m=m,
        )
        assert "Ada &lt;Lovelace&gt;" in html
        assert "Closed with Umbrella Confidential Ltd for \u201cEarlier role\u201d" in html
        assert "missing: Go" in html and "<button>Add</button>" in html
        inc = render_template_string(
            '{% with match=m, audience="recruiter" %}{% include "matching/_reasons.html" %}{% endwith %}', m=m
        )
        assert "Earlier with this client" in inc
