"""Public proof (issue 23, point 4): when an admin turns `Firm.public_figures` on, the careers
site and the candidate sign-in page say "We answered 98 % of candidates within 7 days this
quarter; candidates rate us 9.1/10": the promises report's own headline for the current
quarter (portal/services/reports.py), never a second computation and never typed by hand.

- "answered within N days": the report's cadence promise (active candidates heard from within
  the firm's cadence, N = the firm's cadence days), shown from MIN_CANDIDATES active candidates;
- "rate us": the report's survey average this quarter, shown from MIN_ANSWERS answers.
A figure with less data is left out; with neither, nothing is shown. Percentages and ratings
are rounded down, so a sentence never claims more than the report.

Public pages read the worker's stored snapshot of the report (report_snapshots.headline: one
row, refreshed every planning tick), and keep the figures in a short per-process cache
(CACHE_SECONDS), so a busy careers page adds no statement most of the time and one at most.
Until the worker has stored a snapshot, nothing is shown. The sentence is written in each
page's language from the same figures (the careers pages' version reads the figures)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from babel.numbers import format_decimal
from flask_babel import get_locale

from portal.i18n import DEFAULT, ngettext
from portal.i18n import gettext as _
from portal.models import Firm, utcnow
from portal.services import report_snapshots, reports
from portal.services.report_periods import Headline

MIN_CANDIDATES = 10  # active candidates behind the cadence share
MIN_ANSWERS = 10  # survey answers behind the rating
CACHE_SECONDS = 300
PERIOD = "quarter"

# The figures (not the sentence: that is in each reader's language), per firm, for CACHE_SECONDS.
_cache: dict[tuple, tuple[float, Figures | None]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Figures:
    """What the public sentence says, as the report rounds it down (the same in every language)."""

    percent: int | None  # of active candidates heard from within the cadence
    days: int  # the cadence
    rating: float | None  # the survey average, one decimal


def figures(h: Headline | None) -> Figures | None:
    """The figures a headline has enough data for, or None when it has none."""
    if h is None:
        return None
    pct = rating = None
    if h.cadence_share is not None and h.cadence_count >= MIN_CANDIDATES:
        pct = math.floor(h.cadence_share * 100 + 1e-9)
    if h.survey_average is not None and h.survey_count >= MIN_ANSWERS:
        rating = math.floor(h.survey_average * 10 + 1e-9) / 10
    return Figures(pct, h.cadence_days, rating) if pct is not None or rating is not None else None


def sentence(h: Headline | Figures | None) -> str | None:
    """The public sentence for a headline, in the page's language, or None when no figure has
    enough data. Whole sentences, one per case (never joined from parts in English order)."""
    f = h if isinstance(h, Figures) else figures(h)
    if f is None:
        return None
    rating = _rating(f.rating) if f.rating is not None else None
    if f.percent is not None and rating is not None:
        return ngettext(
            "We answered %(percent)s %% of candidates within %(num)d day this quarter; candidates rate us %(rating)s/10.",
            "We answered %(percent)s %% of candidates within %(num)d days this quarter; candidates rate us %(rating)s/10.",
            f.days,
            percent=f.percent,
            rating=rating,
        )
    if f.percent is not None:
        return ngettext(
            "We answered %(percent)s %% of candidates within %(num)d day this quarter.",
            "We answered %(percent)s %% of candidates within %(num)d days this quarter.",
            f.days,
            percent=f.percent,
        )
    return _("Candidates rate us %(rating)s/10 this quarter.", rating=rating)


def _rating(value: float) -> str:
    """A rating with one decimal in the page's locale: "9.1", "9,1"."""
    return format_decimal(value, format="0.0", locale=get_locale() or DEFAULT)


def _key(firm: Firm) -> tuple:
    # The firm's creation time too: a firm id reused after a deletion (tests) starts afresh.
    return (firm.id, firm.created_at)


def public_figures(firm: Firm | None) -> Figures | None:
    """The figures a public page shows (careers site, sign-in page), or None: the firm's switch
    is off, or the report has too little data, or no snapshot yet. Kept CACHE_SECONDS."""
    if firm is None or not firm.public_figures:
        return None
    key, now = _key(firm), time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    shown = figures(report_snapshots.headline(firm, PERIOD))
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now, shown)
    return shown


def for_public_page(firm: Firm | None) -> str | None:
    """The sentence a public page shows, in its language (see `public_figures`)."""
    return sentence(public_figures(firm))


def forget(firm: Firm) -> None:
    """Drop the cached figures (the admin just turned the switch on or off)."""
    with _lock:
        _cache.pop(_key(firm), None)


def preview(firm: Firm, now: datetime | None = None) -> tuple[str | None, Headline]:
    """For the admin's settings page: the sentence and the headline behind it, from the stored
    snapshot the public pages read (live from reports.headline when there is none yet)."""
    h = report_snapshots.headline(firm, PERIOD)
    if h is None:
        per = reports.standard_periods(firm, now or utcnow())[PERIOD]
        h = reports.headline(firm, per.start, per.end, now=now)
    return sentence(h), h
