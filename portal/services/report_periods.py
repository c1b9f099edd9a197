"""The promises report's periods (in the firm's own calendar days) and result types: see
portal/services/reports.py for what each figure means."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import true

from portal.i18n import gettext as _
from portal.models import Firm, Search
from portal.models.base import utcnow

EXCEPTIONS_KEPT = 200  # exceptions listed per promise (the count is always complete)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    key: str  # week, 30d, quarter, last_quarter, or custom:YYYY-MM-DD:YYYY-MM-DD
    label: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    @property
    def days(self) -> tuple[date, date]:
        """First and last calendar day (in the firm's zone the bounds were made in)."""
        return self.start.date(), (self.end - timedelta(seconds=1)).date()


STANDARD_PERIODS = ("week", "30d", "quarter", "last_quarter")


def _midnight(firm: Firm, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=firm.zone).astimezone(UTC)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def standard_periods(firm: Firm, now: datetime | None = None) -> dict[str, Period]:
    """This week (from Monday), the last 30 days (today included), this quarter and the last
    quarter, all from midnight in the firm's time zone; periods ending now end at `now`."""
    now = now or utcnow()
    today = now.astimezone(firm.zone).date()
    monday = today - timedelta(days=today.weekday())
    q = _quarter_start(today)
    last_q = _quarter_start(q - timedelta(days=1))
    return {
        "week": Period("week", _("This week"), _midnight(firm, monday), now),
        "30d": Period("30d", _("Last 30 days"), _midnight(firm, today - timedelta(days=29)), now),
        "quarter": Period("quarter", _("This quarter"), _midnight(firm, q), now),
        "last_quarter": Period("last_quarter", _("Last quarter"), _midnight(firm, last_q), _midnight(firm, q)),
    }


def custom_period(firm: Firm, first: date, last: date, now: datetime | None = None) -> Period:
    """From the first day's midnight to the end of the last day (both in the firm's zone)."""
    if last < first:
        first, last = last, first
    end = min(_midnight(firm, last + timedelta(days=1)), now or utcnow())
    label = f"{first.isoformat()} to {last.isoformat()}"  # data (the weekly email's words are its own)
    return Period(f"custom:{first.isoformat()}:{last.isoformat()}", label, _midnight(firm, first), end)


def period_words(first: date, last: date) -> str:
    """A custom period in words, in the reader's locale: "Nov 15, 2026 to Nov 30, 2026"."""
    from portal import i18n

    return _("%(first)s to %(last)s", first=i18n.day(first), last=i18n.day(last))


def period_label(period: dict) -> str:
    """A stored report's period ({"key", "label", ...}) as the reader says it: a snapshot keeps
    the words of whoever computed it, so the label is made again from the key."""
    key = period.get("key") or ""
    standard = {
        "week": _("This week"),
        "30d": _("Last 30 days"),
        "quarter": _("This quarter"),
        "last_quarter": _("Last quarter"),
    }
    if key in standard:
        return standard[key]
    if key.startswith("custom:"):
        try:
            _custom, first, last = key.split(":")
            return period_words(date.fromisoformat(first), date.fromisoformat(last))
        except ValueError:
            pass
    return period.get("label") or key


def period(firm: Firm, key: str, now: datetime | None = None) -> Period | None:
    """A period from its key (a standard one, or custom:YYYY-MM-DD:YYYY-MM-DD), or None."""
    if key in STANDARD_PERIODS:
        return standard_periods(firm, now)[key]
    if key.startswith("custom:"):
        try:
            _, a, b = key.split(":")
            return custom_period(firm, date.fromisoformat(a), date.fromisoformat(b), now)
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------- results


@dataclass
class PromiseFigure:
    """One promise in one scope and period: how many cases, how many kept, the exceptions
    (dicts with ids and names for links), and the same per search and per recruiter."""

    key: str
    kept: int = 0
    total: int = 0
    exceptions: list[dict] = field(default_factory=list)
    exception_count: int = 0
    pending: int = 0
    by_search: dict[int, list[int]] = field(default_factory=dict)  # search id: [kept, total]
    by_recruiter: dict[int, list[int]] = field(default_factory=dict)  # owner id (0: none): [kept, total]

    @property
    def share(self) -> float | None:
        return share(self.kept, self.total)

    def add(self, search_id: int | None, owner_id: int | None, ok: bool, exception: dict | None) -> None:
        self.total += 1
        self.kept += ok
        if search_id is not None:
            row = self.by_search.setdefault(search_id, [0, 0])
            row[0] += ok
            row[1] += 1
        row = self.by_recruiter.setdefault(owner_id or 0, [0, 0])
        row[0] += ok
        row[1] += 1
        if not ok and exception is not None:
            self.exception_count += 1
            if len(self.exceptions) < EXCEPTIONS_KEPT:
                self.exceptions.append(exception)


def share(kept: int, total: int) -> float | None:
    """Kept / total as a fraction (0..1), or None when there was nothing to keep."""
    return kept / total if total else None


@dataclass(frozen=True)
class Headline:
    """The figures a sentence can carry (weekly email, public figures). None: no data."""

    cadence_share: float | None
    close_loop_share: float | None
    consent_share: float | None
    feedback_share: float | None
    reply_share: float | None
    survey_average: float | None
    nps: float | None
    survey_count: int
    cadence_days: int
    cadence_count: int = 0  # how many active candidates the cadence share is out of


def _scope(recruiter_id: int | None):
    """The Search.owner_id condition of a recruiter's scope (True for the firm)."""
    return Search.owner_id == recruiter_id if recruiter_id is not None else true()


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None
