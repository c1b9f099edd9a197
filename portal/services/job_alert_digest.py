"""The weekly job-alert digest: for every active alert due this week, the advertised jobs
that match its criteria and that it has never sent, as one email through the outbox (none
when nothing is new). Matching is this module's own small function (keywords, location,
remote policy). A confidential search is shown and matched by its public summary and
"Confidential client": its client's name is never in the text matched or in the email.

Idempotent: the jobs sent are remembered per alert (JobAlertSent, unique), last_sent_at moves
on in the same transaction, and the email's dedupe key names the alert and the ISO week.
Flushes, never commits (with `checkpoint`, called after each chunk of alerts)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal import outbox
from portal.extensions import db
from portal.models import (
    Audience,
    Candidate,
    Firm,
    JobAlert,
    JobAlertSent,
    Message,
    RemotePreference,
    Search,
    SearchSkill,
    SearchState,
)
from portal.phrases import Phrase
from portal.phrases import lazy as _l
from portal.services import disclosure
from portal.services.cadence import endpoint_url, with_domains
from portal.services.job_alerts import alerts_url, unsubscribe_link

DIGEST_KIND = "job_alert_digest"
STREAM = "job_alerts"
WEEK = timedelta(days=7)
# A daily run finds an alert due a little before its week is up, so the run a week later
# (a few seconds early or late) still sends; the ISO-week dedupe key keeps it to one a week.
SLACK = timedelta(hours=12)
MAX_JOBS = 20  # per email; the rest come next week
CHUNK = 200  # alerts per transaction step


@dataclass(frozen=True)
class Job:
    """An advertised job as a visitor may see it (never a confidential client's name)."""

    id: int
    title: str
    company: str | Phrase  # the client, or "Confidential client" (in the reader's language)
    summary: str  # a confidential search's public summary
    location: str
    remote: RemotePreference
    anticipated: bool
    haystack: str  # lower-case words the keywords are matched in

    @property
    def remote_label(self) -> str:
        return "" if self.remote == RemotePreference.ONSITE else self.remote.label


def advertised_filter(now: datetime) -> tuple:
    """An advertised job: switched on, open (or expected and not closed), not past its date."""
    return (
        Search.advertised.is_(True),
        or_(
            Search.state == SearchState.OPEN,
            Search.anticipated.is_(True) & Search.state.not_in([SearchState.FILLED, SearchState.CANCELLED]),
        ),
        or_(Search.advertise_until.is_(None), Search.advertise_until > now),
    )


def advertised_jobs(firm: Firm, now: datetime) -> list[Job]:
    """The firm's advertised jobs, newest first (two queries: searches, their skills)."""
    if firm.disabled or not firm.careers_enabled:
        return []
    searches = db.session.scalars(
        select(Search)
        .where(Search.firm_id == firm.id, *advertised_filter(now))
        .options(selectinload(Search.skills).joinedload(SearchSkill.skill))
        .order_by(Search.advertised_at.desc(), Search.id.desc())
    ).all()
    return [_job(s) for s in searches]


def _job(s: Search) -> Job:
    """The job as a visitor sees it. A confidential search's texts are read with its client's
    name and aliases taken out (a recruiter may have written them in), so a keyword never
    matches them and the email never shows them."""
    title, summary = s.title, ""
    texts = [s.description_md, s.requirements_md]
    if s.confidential:
        names = disclosure.client_names(s.client)
        title = disclosure.redact(title, names)
        summary = disclosure.redact(s.public_summary or "", names)
        texts = [disclosure.redact(t or "", names) for t in texts]
    else:
        texts.append(s.client.name)
    words = [title, summary, *texts, *(k.skill.name for k in s.skills)]
    return Job(
        id=s.id,
        title=title,
        # Translators: shown instead of a confidential client's name
        company=_l("Confidential client") if s.confidential else s.client.name,
        summary=summary,
        location=s.location or "",
        remote=s.remote_policy,
        anticipated=s.anticipated,
        haystack=" ".join(w for w in words if w).lower(),
    )


def matches(alert: JobAlert, job: Job) -> bool:
    """Every keyword starts a word of the job's text (title, description, requirements,
    skills, public summary); the location is part of the job's (a remote job is anywhere);
    the remote policy is the job's (a job open to any arrangement fits every choice)."""
    for word in re.split(r"[\s,;]+", alert.keywords.lower()):
        if word and not re.search(r"(?<!\w)" + re.escape(word), job.haystack):
            return False
    if alert.location and job.remote != RemotePreference.REMOTE:
        if alert.location.lower() not in job.location.lower():
            return False
    if alert.remote and job.remote not in (RemotePreference(alert.remote), RemotePreference.ANY):
        return False
    return True


def week_key(now: datetime) -> str:
    year, week, _day = now.isocalendar()
    return f"{year}-W{week:02d}"


def plan_digests(firm: Firm, now: datetime, checkpoint: Callable[[], None] | None = None) -> int:
    """Write this week's digest for every due alert with something new. Returns how many."""
    jobs = advertised_jobs(firm, now)
    if not jobs:
        return 0
    due = list(
        db.session.scalars(
            select(JobAlert)
            .where(
                JobAlert.firm_id == firm.id,
                JobAlert.confirmed_at.is_not(None),
                JobAlert.unsubscribed_at.is_(None),
                or_(JobAlert.last_sent_at.is_(None), JobAlert.last_sent_at <= now - WEEK + SLACK),
            )
            .order_by(JobAlert.id)
        )
    )
    if not due:
        return 0
    with_domains(firm)
    job_urls = {j.id: job_url(firm, j.id) for j in jobs}
    written = 0
    for start in range(0, len(due), CHUNK):
        written += _plan_chunk(firm, due[start : start + CHUNK], jobs, job_urls, now)
        if checkpoint is not None:
            checkpoint()
    return written


def _plan_chunk(firm: Firm, alerts: list[JobAlert], jobs: list[Job], job_urls: dict, now: datetime) -> int:
    ids = [a.id for a in alerts]
    sent: dict[int, set[int]] = defaultdict(set)
    for alert_id, search_id in db.session.execute(
        select(JobAlertSent.alert_id, JobAlertSent.search_id).where(
            JobAlertSent.firm_id == firm.id, JobAlertSent.alert_id.in_(ids)
        )
    ):
        sent[alert_id].add(search_id)
    people = {
        c.id: c
        for c in db.session.scalars(
            select(Candidate).where(
                Candidate.firm_id == firm.id, Candidate.id.in_({a.candidate_id for a in alerts if a.candidate_id})
            )
        )
    }
    keys = {a.id: f"job-alert:{a.id}:{week_key(now)}" for a in alerts}
    this_week = set(
        db.session.scalars(
            select(Message.dedupe_key).where(Message.firm_id == firm.id, Message.dedupe_key.in_(keys.values()))
        )
    )
    written = 0
    for alert in alerts:
        if keys[alert.id] in this_week:
            continue  # one digest per alert per ISO week
        candidate = people.get(alert.candidate_id) if alert.candidate_id else None
        if alert.candidate_id and not _may_email(candidate):
            continue  # their unsubscribe or suppression holds; nothing is marked sent
        new = [j for j in jobs if j.id not in sent[alert.id] and matches(alert, j)][:MAX_JOBS]
        if not new:
            continue
        _record(firm, alert, candidate, new, job_urls, keys[alert.id], now)
        written += 1
    return written


def _may_email(candidate: Candidate | None) -> bool:
    return (
        candidate is not None
        and candidate.deleted_at is None
        and bool(candidate.email)
        and not candidate.unsubscribed_all
        and not candidate.email_suppressed
    )


def _record(
    firm: Firm,
    alert: JobAlert,
    candidate: Candidate | None,
    new: list[Job],
    job_urls: dict,
    dedupe_key: str,
    now: datetime,
) -> None:
    unsubscribe = unsubscribe_link(firm, alert)
    msg = outbox.record(
        firm,
        kind=DIGEST_KIND,
        dedupe_key=dedupe_key,
        audience=Audience.CANDIDATE,
        to_email=candidate.email if candidate is not None else alert.email,
        to_name=candidate.name if candidate is not None else None,
        candidate=candidate,
        recipient_user_id=candidate.user_id if candidate is not None else None,
        stream=STREAM,
        show_in_portal=candidate is not None,
        context={
            "jobs": [{"job": j, "url": job_urls[j.id]} for j in new],
            "criteria": alert.criteria_words,
            "name": candidate.name if candidate is not None else None,
            "alerts_url": alerts_url(firm),
            "manage_url": endpoint_url(firm, "candidate.alerts") if candidate is not None else None,
            "unsubscribe_url": unsubscribe,
            "unsubscribe_label": _l("Stop this job alert"),
        },
    )
    msg.list_unsubscribe = unsubscribe
    db.session.add_all(JobAlertSent(firm_id=firm.id, alert_id=alert.id, search_id=j.id, sent_at=now) for j in new)
    alert.last_sent_at = now
    db.session.flush()


def job_url(firm: Firm, search_id: int) -> str:
    """A job's page on the careers site (the job board adds it), else the careers site's
    front page, else the alerts page."""
    for endpoint, values in (("careers.job", {"search_id": search_id}), ("careers.index", {}), ("careers.jobs", {})):
        try:
            url = endpoint_url(firm, endpoint, **values)
        except Exception:  # noqa: BLE001 - a board page that takes other arguments: try the next
            url = None
        if url:
            return url
    return alerts_url(firm)
