"""All models, imported here so metadata is complete for Alembic and create_all.
Re-exports only: no model is defined here."""

from portal.models.api_key import ApiKey, IdempotentRequest  # noqa: F401
from portal.models.application import Application, ApplicationSource  # noqa: F401
from portal.models.base import FirmOwned, utcnow  # noqa: F401
from portal.models.candidacy import (  # noqa: F401
    CANDIDATE_STAGE_TEXT,
    OPEN_STAGES,
    PIPELINE,
    Candidacy,
    CandidateUpdate,
    CloseReason,
    Consent,
    ConsentState,
    Feedback,
    Interest,
    Note,
    Stage,
    StageChange,
    SuggestedRole,
    UpdateKind,
)
from portal.models.candidate import (  # noqa: F401
    Candidate,
    CandidateSkill,
    CandidateTag,
    EmploymentStatus,
    JobSeeking,
    RemotePreference,
    Seniority,
    Skill,
    SkillAlias,
    SuggestionFrequency,
)
from portal.models.contact import ContactKind, ContactRecord  # noqa: F401
from portal.models.conversation import Author, ConversationAttachment, ConversationMessage, HeldMail, PostSource  # noqa: F401
from portal.models.firm import AuditEntry, Firm, FirmDomain  # noqa: F401
from portal.models.insight import ReportSnapshot, ReportSnapshotRow, SurveyResponse  # noqa: F401
from portal.models.interview import (  # noqa: F401
    Debrief,
    Interview,
    InterviewFormat,
    InterviewKind,
    InterviewOutcome,
    InterviewSlot,
    InterviewState,
    OfficeHours,
)
from portal.models.job_alert import JobAlert, JobAlertSent  # noqa: F401
from portal.models.message import Audience, Message, MessageState  # noqa: F401
from portal.models.search import Client, Engagement, MatchPool, Search, SearchSkill, SearchState  # noqa: F401
from portal.models.sso import SingleSignOn, SsoLink  # noqa: F401
from portal.models.stored_file import StoredFile  # noqa: F401
from portal.models.two_factor import RecoveryCode, TwoFactor  # noqa: F401
from portal.models.user import AuthToken, Role, TokenPurpose, User, UserSession  # noqa: F401
from portal.models.webhook import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: F401
