"""What a webhook event says: the `data` of each event type, built from the rows the service
just changed. Plain dicts of ids, codes and the text the candidate sees; internal notes only
under "internal_notes" (portal.services.webhooks keeps them apart and sends them only to an
endpoint with the notes scope). Reads, never writes; imports no service."""

from __future__ import annotations

from typing import Any

from portal.models import Application, Candidacy, Candidate, Consent, Feedback, Interview, Message, StageChange, User


def _who(user: User | None) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.name}


def candidate(c: Candidate, note: str | None = None) -> dict:
    """A talent-pool member as a firm's other systems keep them (a new internal note apart)."""
    data: dict[str, Any] = {
        "candidate": {
            "id": c.id,
            "name": c.name,
            "email": c.email,
            "phone": c.phone,
            "headline": c.headline,
            "location": c.location,
            "seniority": c.seniority,
            "job_seeking": c.job_seeking,
            "owner_id": c.owner_id,
            "tags": sorted(t.name for t in c.tags),
            "skills": sorted(s.skill.name for s in c.skills),
            "created_at": c.created_at,
            "updated_at": c.updated_at,
        }
    }
    if note:
        data["internal_notes"] = [note]
    return data


def candidacy(cy: Candidacy, change: StageChange, actor: User | None = None, *, undone: bool = False) -> dict:
    """A move or a close: the stage before and after, and the reason the candidate is told."""
    facts: dict[str, Any] = {
        "id": cy.id,
        "search_id": cy.search_id,
        "candidate_id": cy.candidate_id,
        "stage": cy.stage,
        "previous_stage": change.to_stage if undone else change.from_stage,
        "version": cy.version,
        "stage_changed_at": cy.stage_changed_at,
    }
    if cy.close_reason is not None:
        facts.update(close_reason=cy.close_reason, close_explanation=cy.close_explanation, closed_at=cy.closed_at)
    out: dict[str, Any] = {
        "candidacy": facts,
        "search": {"id": cy.search.id, "title": cy.search.title},
        "candidate": {"id": cy.candidate.id, "name": cy.candidate.name, "email": cy.candidate.email},
        "stage_change_id": change.id,
        "actor": _who(actor),
    }
    if undone:
        out["undone"] = True
    return out


def consent(row: Consent) -> dict:
    cy = row.candidacy
    return {
        "consent": {
            "id": row.id,
            "candidacy_id": row.candidacy_id,
            "state": row.state,
            "client_name": row.client_name,
            "role_title": row.role_title,
            "requested_at": row.requested_at,
            "answered_at": row.answered_at,
            "comment": row.comment,
        },
        "candidacy": {"id": cy.id, "search_id": cy.search_id, "candidate_id": cy.candidate_id, "stage": cy.stage},
    }


def feedback(fb: Feedback, actor: User | None) -> dict:
    cy = fb.candidacy
    return {
        "feedback": {
            "id": fb.id,
            "candidacy_id": fb.candidacy_id,
            "body_markdown": fb.body_md,
            "created_at": fb.created_at,
        },
        "candidacy": {"id": cy.id, "search_id": cy.search_id, "candidate_id": cy.candidate_id, "stage": cy.stage},
        "author": _who(actor),
    }


def message_failed(msg: Message, error: str | None) -> dict:
    return {
        "message": {
            "id": msg.id,
            "kind": msg.kind,
            "audience": msg.audience,
            "candidate_id": msg.candidate_id,
            "candidacy_id": msg.candidacy_id,
            "to_email": msg.to_email,
            "subject": msg.subject,
            "error": error,
        }
    }


def interview(iv: Interview, change: str) -> dict:
    """An interview as a calendar or ATS keeps it (`change`: scheduled, proposed, moved, updated,
    cancelled, picked, declined, reschedule_requested, none_suits); internal notes apart."""
    data: dict[str, Any] = {
        "change": change,
        "interview": {
            "id": iv.id,
            "uid": iv.uid,
            "sequence": iv.sequence,
            "candidacy_id": iv.candidacy_id,
            "candidate_id": iv.candidate_id,
            "recruiter_id": iv.recruiter_id,
            "kind": iv.kind,
            "round": iv.round,
            "format": iv.format,
            "state": iv.state,
            "starts_at": iv.starts_at,
            "duration_minutes": iv.duration_minutes,
            "timezone": iv.timezone,
            "slots": [slot.starts_at for slot in iv.slots],
        },
    }
    if iv.internal_notes:
        data["internal_notes"] = [iv.internal_notes]
    return data


def application(app: Application) -> dict:
    """An application from the careers site (search None: joined the talent pool)."""
    return {
        "application": {
            "id": app.id,
            "candidate_id": app.candidate_id,
            "search_id": app.search_id,
            "source": app.source,
            "referred_by_candidate_id": app.referred_by_candidate_id,
            "note": app.note,
            "created_at": app.created_at,
        }
    }
