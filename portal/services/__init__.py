"""Business rules as plain functions. They take the firm and the acting user explicitly,
flush but never commit, never touch the request, flash or session, never send email (the
outbox records it, the worker sends it), and raise DomainError subclasses that views show on forms."""


class DomainError(Exception):
    """A rule refused the action; the message is shown to the user as is."""


class NotFound(DomainError):
    """The object does not exist in this firm (views answer 404)."""


class Conflict(DomainError):
    """Someone else changed the object first."""
