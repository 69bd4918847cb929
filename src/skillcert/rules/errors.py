"""The domain's error types, shared by every layer.

Each carries a stable snake_case ``code`` and a message in Chinese for the person who
made the request. The API maps them onto HTTP statuses (see ``skillcert.api.errors``);
pages show the message; commands print it and exit non-zero.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the platform explains to a person."""

    status = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str | None = None) -> DomainError:
        """An error about one input field, with the message repeated under that field."""
        return cls(message, code=code, fields={field: [message]})

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """The input itself is wrong (HTTP 400)."""

    status = 400
    default_code = "invalid"


class NotAuthenticated(DomainError):
    status = 401
    default_code = "not_authenticated"


class Forbidden(DomainError):
    """The object is visible to the person but the action is not theirs to take (403)."""

    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    """Absent, or present but not the person's to see (404)."""

    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The action does not fit the current state or a deadline (409)."""

    status = 409
    default_code = "conflict"


class TooLarge(DomainError):
    status = 413
    default_code = "too_large"


class Exhausted(Conflict):
    """A number sequence has no numbers left (filing serial past 9999, certificate past 999999)."""

    default_code = "sequence_exhausted"
