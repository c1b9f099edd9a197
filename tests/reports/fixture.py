"""The hand-counted report fixture (tests/reports). Firm in Pacific/Auckland (UTC+13 in November),
so "this week" starts Monday 16 Nov 00:00 local = Sunday 15 Nov 11:00 UTC: an event at
15 Nov 12:00 UTC is in the week, one at 15 Nov 10:00 UTC is not (a UTC calendar would say the
opposite for the first).

NOW = Wednesday 18 Nov 2026 12:00 UTC (Thursday 01:00 local). Recruiters Ann (search S1) and
Bob (search S2).

Candidates (all added 1 Nov, contacted 2 Nov 12:00 unless said):
 c1 S1 last message 14 Nov -> silence 4 d (kept, 4-7). A move to presented on 17 Nov, undone.
 c2 S1 last message 5 Nov  -> 13 d (broken, 8-14).
 c3 S2 screening 10 Nov, presented 15 Nov 12:00 UTC with consent (14 Nov), message 17 Nov -> 1 d.
 c4 S2 added 1 Oct, message 10 Oct -> 39 d (broken, over 30); screening 10 Nov, presented
    16 Nov without consent.
 c5 S1 closed 16 Nov, told (close-the-loop message).
 c6 S2 closed 17 Nov, not told.
 c7 S1 screening 10 Nov, closed 16 Nov then undone (reopened; its message cancelled); earlier
    message 12 Nov -> 6 d (kept, 4-7).
 c8 S1 account deleted 17 Nov (the deletion closed the candidacy, nobody to tell).
 c9 S2 closed 15 Nov 10:00 UTC (Sunday 23:00 local: last week), not told.

Hand counts for "this week", firm scope:
 cadence 3/5 (c1 c3 c7 kept; c2 c4 not); histogram 0-3:1 4-7:2 8-14:1 15-30:0 >30:1;
   Ann 2/3, Bob 1/2.
 close the loop 1/2 (c5 yes, c6 no; c7 undone, c8 deleted, c9 last week).
 consent 1/2 (c3 yes, c4 no; c1's undone move not counted).
 feedback 1/2, 1 pending (I1 c3 fed back; I2 c4 window over; I3 c1 window open; I4 did not
   take place).
 replies 2/3, 1 pending (M1 answered in time, M2 late, M4 no reply needed; M3 not due yet).
 survey: 10, 6, 8 -> average 8.0, NPS 0 (one promoter, one detractor), 3 answers.
 funnel: presented 2 (c3, c4), closed 3 (c5 c6 c8).
 time in stage: screening 5 d (c3) and 6 d (c4): median 5.5, mean 5.5; contacted 14 (c5),
   15 (c6), 15 (c8): median 15, mean 14.667.
 applications: careers 1, referral 1.
Ann's scope (S1): cadence 2/3, close 1/1, consent 0/0, feedback 0/0 (1 pending), replies 1/2,
 survey 10 (1 answer, NPS 100)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    Client,
    CloseReason,
    Consent,
    ConsentState,
    Message,
    MessageState,
    Role,
    Search,
    Stage,
    StageChange,
)
from portal.models.application import Application, ApplicationSource
from portal.models.conversation import Author, ConversationMessage
from portal.models.insight import SurveyResponse
from portal.models.interview import Interview, InterviewFormat, InterviewKind, InterviewOutcome
from portal.models.message import Audience
from tests.factories import firm_context, make_firm, make_user, seq

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def build_fixture(app, slug: str = "kiwi", extra_candidates: int = 0) -> SimpleNamespace:
    firm = make_firm(app, slug=slug, name="Kiwi Search")
    with firm_context(app, firm) as s:
        from portal.models import Firm

        f = s.get(Firm, firm.id)
        f.timezone = "Pacific/Auckland"
        f.cadence_days = 7
        f.feedback_window_days = 2
    admin = make_user(app, firm, Role.ADMIN, name="Ada Admin")
    ann = make_user(app, firm, Role.RECRUITER, name="Ann Archer")
    bob = make_user(app, firm, Role.RECRUITER, name="Bob Baker")
    ids: dict[str, int] = {}
    with firm_context(app, firm) as s:
        client = Client(firm_id=firm.id, name="Client Co")
        s.add(client)
        s.flush()
        s1 = Search(firm_id=firm.id, client_id=client.id, owner_id=ann.id, title="Head of Data", created_at=at(10, 1))
        s2 = Search(firm_id=firm.id, client_id=client.id, owner_id=bob.id, title="CFO", created_at=at(10, 1))
        s.add_all([s1, s2])
        s.flush()
        ids["s1"], ids["s2"] = s1.id, s2.id

        def cand(key: str, search: Search, added: datetime | None = None, **kw) -> Candidacy:
            added = added or at(11, 1)
            c = Candidate(firm_id=firm.id, name=kw.pop("name", f"Cand {key}"), email=f"{key}-{seq()}@x.example", **kw)
            s.add(c)
            s.flush()
            cy = Candidacy(
                firm_id=firm.id,
                search_id=search.id,
                candidate_id=c.id,
                stage=Stage.IDENTIFIED,
                created_at=added,
                stage_changed_at=added,
            )
            s.add(cy)
            s.flush()
            ids[key], ids[key + "_cy"] = c.id, cy.id
            move(cy, None, Stage.IDENTIFIED, added)
            return cy

        def move(cy: Candidacy, frm, to: Stage, when: datetime, undone: datetime | None = None, **kw) -> StageChange:
            ch = StageChange(
                firm_id=firm.id,
                candidacy_id=cy.id,
                from_stage=frm,
                to_stage=to,
                created_at=when,
                undone_at=undone,
                actor_id=kw.pop("actor_id", ann.id),
                **kw,
            )
            s.add(ch)
            s.flush()
            if undone is None:
                cy.stage = to
            return ch

        def message(cand_id: int, when: datetime, kind="stage_changed", cy_id=None, state=MessageState.SENT, **kw):
            n = seq()
            s.add(
                Message(
                    firm_id=firm.id,
                    kind=kind,
                    audience=Audience.CANDIDATE,
                    candidate_id=cand_id,
                    candidacy_id=cy_id,
                    subject="s",
                    body_text="b",
                    body_html="b",
                    dedupe_key=f"t:{n}",
                    state=state,
                    created_at=when,
                    **kw,
                )
            )

        def contacted(cy):
            move(cy, Stage.IDENTIFIED, Stage.CONTACTED, at(11, 2))

        # c1: kept (4 d), an undone move to presented without consent
        c1 = cand("c1", s1)
        contacted(c1)
        message(ids["c1"], at(11, 14))
        move(c1, Stage.CONTACTED, Stage.PRESENTED, at(11, 17), undone=at(11, 17, 13))
        # c2: 13 days silent
        c2 = cand("c2", s1)
        contacted(c2)
        message(ids["c2"], at(11, 5))
        # c3: presented with consent, heard yesterday
        c3 = cand("c3", s2)
        contacted(c3)
        move(c3, Stage.CONTACTED, Stage.SCREENING, at(11, 10))
        s.add(
            Consent(
                firm_id=firm.id,
                candidacy_id=c3.id,
                candidate_id=c3.candidate_id,
                search_id=c3.search_id,
                state=ConsentState.APPROVED,
                requested_at=at(11, 13),
                answered_at=at(11, 14),
                client_name="Client Co",
                role_title="CFO",
            )
        )
        move(c3, Stage.SCREENING, Stage.PRESENTED, at(11, 15, 12))
        message(ids["c3"], at(11, 17))
        # c4: added in October, 39 days silent, presented without consent
        c4 = cand("c4", s2, added=at(10, 1))
        move(c4, Stage.IDENTIFIED, Stage.CONTACTED, at(10, 2))
        message(ids["c4"], at(10, 10))
        move(c4, Stage.CONTACTED, Stage.SCREENING, at(11, 10))
        move(c4, Stage.SCREENING, Stage.PRESENTED, at(11, 16))
        # c5: closed and told
        c5 = cand("c5", s1)
        contacted(c5)
        move(c5, Stage.CONTACTED, Stage.CLOSED, at(11, 16), close_reason=CloseReason.NOT_A_FIT)
        message(ids["c5"], at(11, 16), kind="candidacy_closed", cy_id=c5.id)
        # c6: closed, never told
        c6 = cand("c6", s2)
        contacted(c6)
        move(c6, Stage.CONTACTED, Stage.CLOSED, at(11, 17), close_reason=CloseReason.NOT_A_FIT)
        # c7: closed then reopened by undo; its close message cancelled
        c7 = cand("c7", s1)
        contacted(c7)
        move(c7, Stage.CONTACTED, Stage.SCREENING, at(11, 10))
        message(ids["c7"], at(11, 12))
        move(c7, Stage.SCREENING, Stage.CLOSED, at(11, 16), undone=at(11, 16, 13))
        message(ids["c7"], at(11, 16), kind="candidacy_closed", cy_id=c7.id, state=MessageState.CANCELLED)
        # c8: deleted their account on 17 Nov (the deletion closes, nobody is told)
        c8 = cand("c8", s1, name="Deleted candidate", deleted_at=at(11, 17))
        contacted(c8)
        move(c8, Stage.CONTACTED, Stage.CLOSED, at(11, 17), close_reason=CloseReason.WITHDREW, actor_id=None)
        # c9: closed on Sunday 23:00 local (last week), not told
        c9 = cand("c9", s2)
        contacted(c9)
        move(c9, Stage.CONTACTED, Stage.CLOSED, at(11, 15, 10), close_reason=CloseReason.NOT_A_FIT)

        # interviews
        def interview(cy: Candidacy, cand_id: int, starts: datetime, **kw) -> Interview:
            iv = Interview(
                firm_id=firm.id,
                candidacy_id=cy.id,
                candidate_id=cand_id,
                kind=InterviewKind.CLIENT,
                format=InterviewFormat.VIDEO,
                starts_at=starts,
                duration_minutes=60,
                **kw,
            )
            s.add(iv)
            s.flush()
            return iv

        ids["i1"] = interview(c3, ids["c3"], at(11, 16, 1), feedback_at=at(11, 17)).id
        ids["i2"] = interview(c4, ids["c4"], at(11, 16, 2)).id
        ids["i3"] = interview(c1, ids["c1"], at(11, 17, 20)).id
        ids["i4"] = interview(c2, ids["c2"], at(11, 16, 3), outcome=InterviewOutcome.DID_NOT_TAKE_PLACE).id

        # candidate messages (promise 8)
        def said(cand_id, cy, created, due, answered=None, no_reply=None):
            m = ConversationMessage(
                firm_id=firm.id,
                candidate_id=cand_id,
                candidacy_id=cy.id,
                author=Author.CANDIDATE,
                body="hello",
                created_at=created,
                reply_due_at=due,
                answered_at=answered,
                no_reply_reason=no_reply,
            )
            s.add(m)
            s.flush()
            return m.id

        ids["m1"] = said(ids["c1"], c1, at(11, 16), at(11, 17), answered=at(11, 16, 15))
        ids["m2"] = said(ids["c2"], c2, at(11, 16), at(11, 17, 10))
        ids["m3"] = said(ids["c3"], c3, at(11, 18, 10), at(11, 19))
        ids["m4"] = said(ids["c4"], c4, at(11, 16), at(11, 17), no_reply="Thanks only")

        # survey answers
        def answer(cand_id, cy, search, rec, score, when, comment=None):
            s.add(
                SurveyResponse(
                    firm_id=firm.id,
                    candidate_id=cand_id,
                    candidacy_id=cy.id,
                    search_id=search.id,
                    recruiter_id=rec.id,
                    occasion="closed",
                    token_hash=f"h{seq():063d}",
                    asked_at=when - timedelta(days=1),
                    expires_at=when + timedelta(days=30),
                    score=score,
                    comment=comment,
                    answered_at=when,
                )
            )

        answer(ids["c5"], c5, s1, ann, 10, at(11, 16), comment="=HYPERLINK(1) kept me posted")
        answer(ids["c6"], c6, s2, bob, 6, at(11, 17), comment="-slow")
        answer(ids["c3"], c3, s2, bob, 8, at(11, 16))
        answer(ids["c9"], c9, s2, bob, 0, at(11, 15, 10))  # last week
        s.add(
            SurveyResponse(
                firm_id=firm.id,
                candidate_id=ids["c2"],
                occasion="interview",
                token_hash=f"h{seq():063d}",
                asked_at=at(11, 16),
                expires_at=at(12, 16),
            )
        )  # not answered

        # applications
        for cy_search, src, when in (
            (s1, ApplicationSource.CAREERS, at(11, 16)),
            (s2, ApplicationSource.REFERRAL, at(11, 17)),
            (s1, ApplicationSource.CAREERS, at(11, 1)),
        ):
            s.add(
                Application(
                    firm_id=firm.id,
                    candidate_id=ids["c1"],
                    search_id=cy_search.id,
                    source=src,
                    privacy_notice_hash="0" * 64,
                    created_at=when,
                )
            )

        # more of the same shape, for the bounded-queries test
        for _ in range(extra_candidates):
            cy = cand(f"x{seq()}", s1)
            contacted(cy)
            move(cy, Stage.CONTACTED, Stage.CLOSED, at(11, 17), close_reason=CloseReason.NOT_A_FIT)
        db.session.flush()
    return SimpleNamespace(firm=firm, admin=admin, ann=ann, bob=bob, ids=ids)
