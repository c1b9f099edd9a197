"""Clients and searches (the firm's job openings), their skills and match pools. The one rule for
naming a client to a candidate is `client_name_for_candidate` ("Confidential client" until told)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.i18n import lazy as _l
from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow
from portal.models.candidate import RemotePreference, Seniority, Skill


class Client(FirmOwned, Model):
    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("firm_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Other names the client goes by ("Globex Corp", "GBX"), one per line: a confidential
    # client's name and these never reach a candidate who was not told (services/disclosure.py).
    aliases: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in (self.aliases or "").splitlines() if a.strip()]


class SearchState(str, enum.Enum):
    OPEN = "open"
    ON_HOLD = "on_hold"
    FILLED = "filled"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"open": "Open", "on_hold": "On hold", "filled": "Filled", "cancelled": "Cancelled"}[self.value]

    @property
    def is_closed(self) -> bool:
        return self in (SearchState.FILLED, SearchState.CANCELLED)


class Engagement(str, enum.Enum):
    RETAINED = "retained"
    CONTINGENCY = "contingency"


# What matching's roles_for_candidate reads of an open search (ix_searches_firm_open).
_OPEN_ROLE_COLUMNS = [
    "seniority",
    "location",
    "remote_policy",
    "pay_min",
    "pay_max",
    "pay_currency",
    "anticipated",
    "skill_weight",
]


class Search(FirmOwned, Model):
    """One assignment to fill a role for a client."""

    __tablename__ = "searches"
    __table_args__ = (
        Index("ix_searches_firm_state", "firm_id", "state"),
        Index("ix_searches_firm_owner_state", "firm_id", "owner_id", "state", postgresql_include=["id"]),
        Index("ix_searches_firm_advertised", "firm_id", "advertised", "state"),
        # Open searches by title (the candidate page's "add to search"), read from the index alone.
        Index("ix_searches_firm_title", "firm_id", "title", "id", "state", "client_id"),
        # The open searches and what a candidate's suggested roles read of them (matching's
        # roles_for_candidate): one index-only pass, however many searches are closed.
        Index(
            "ix_searches_firm_open",
            "firm_id",
            "id",
            postgresql_include=_OPEN_ROLE_COLUMNS,
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    # What candidates who were not told read instead of a confidential client's name in a
    # version of a recruiter's text without it (None: "the client").
    client_wording: Mapped[str | None] = mapped_column(String(120))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # The description in other languages: {"de": {"description_md": .., "description_html": ..}};
    # a language without one reads the description above (portal/i18n.py firm_text).
    translations: Mapped[dict | None] = mapped_column(JSON)
    requirements_md: Mapped[str] = mapped_column(Text, default="")
    requirements_html: Mapped[str] = mapped_column(Text, default="")
    seniority: Mapped[Seniority | None] = mapped_column(enum_type(Seniority))
    location: Mapped[str | None] = mapped_column(String(120))
    remote_policy: Mapped[RemotePreference] = mapped_column(
        enum_type(RemotePreference), default=RemotePreference.ONSITE
    )
    pay_min: Mapped[int | None] = mapped_column(Integer)
    pay_max: Mapped[int | None] = mapped_column(Integer)
    pay_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    engagement: Mapped[Engagement] = mapped_column(enum_type(Engagement), default=Engagement.RETAINED)
    state: Mapped[SearchState] = mapped_column(enum_type(SearchState), default=SearchState.OPEN)
    anticipated: Mapped[bool] = mapped_column(Boolean, default=False)
    # The careers site: listed only when a recruiter switched it on (and the search is open or
    # anticipated). A confidential search is advertised with `public_summary` instead of its
    # client (the industry or description written for that purpose); pay only if published.
    advertised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    advertised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    advertise_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public_summary: Mapped[str | None] = mapped_column(String(300))
    publish_pay: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The smallest skill overlap kept in this search's match pool (MatchPool), or None when it
    # has none (closed, too few candidate skills to need one, or not built yet).
    pool_floor: Mapped[int | None] = mapped_column(Integer)
    # The sum of the search's skill weights (3 per required skill, 1 per nice-to-have; 0 with
    # no skills): what a candidate's share of it is measured against. Derived from its
    # SearchSkill rows and kept in step with them by portal/services/matching/weights.py (a
    # flush hook for the unit of work; bulk statements call `weights.refresh`). Stored so
    # that roles_for_candidate reads it from ix_searches_firm_open instead of summing every
    # open search's skills per request.
    skill_weight: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    client: Mapped[Client] = relationship(lazy="joined")
    skills: Mapped[list[SearchSkill]] = relationship(back_populates="search", cascade="all, delete-orphan")

    def client_name_for_candidate(self, told: bool = False) -> str:
        """The client's name as a candidate may see it: hidden while confidential."""
        return client_name_for_candidate(self.confidential, self.client.name, told)


def client_name_for_candidate(confidential: bool, client_name: str, told: bool = False) -> str:
    """The one rule for naming a client to a candidate (also used on rows read without
    loading the Search): "Confidential client" until they were told the name."""
    return str(CONFIDENTIAL_CLIENT) if confidential and not told else client_name


# Translators: what a candidate reads instead of the name of a client that keeps its search confidential.
CONFIDENTIAL_CLIENT = _l("Confidential client")


class SearchSkill(FirmOwned, Model):
    __tablename__ = "search_skills"
    # Covering indexes for matching: the searches asking for a skill, and each search's weights.
    __table_args__ = (
        Index("ix_search_skills_firm_skill", "firm_id", "skill_id", "search_id", "required"),
        Index("ix_search_skills_firm_search_required", "firm_id", "search_id", "required"),
    )

    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    search: Mapped[Search] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


class MatchPool(FirmOwned, Model):
    """A search's match pool: every candidate whose weighted skill overlap (`have`: 3 per
    required skill, 1 per nice-to-have) with the search is at least its `pool_floor`, at
    least `matching.OVERLAP_CAP` of them. Built for open searches over many candidate skills
    and kept exact on every skill change (portal/services/match_pools.py), so the search page
    reads its best overlaps here instead of aggregating tens of thousands of rows."""

    __tablename__ = "match_pools"
    # Read best first from the index alone.
    __table_args__ = (Index("ix_match_pools_search_have", "search_id", "have", "candidate_id", "firm_id"),)

    # Millions of rows at a large firm: the firm's column without the mixin's own index (every
    # statement also names the search or the candidate, which lead the two indexes).
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), nullable=False)
    # Derived rows, rebuilt in bulk: no foreign keys to the person or the search (checking
    # them took a third of building a pool). Candidates and searches are never deleted, only
    # anonymised or closed, and those paths delete their pool rows; the firm's key cascades.
    candidate_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    have: Mapped[int] = mapped_column(Integer)
