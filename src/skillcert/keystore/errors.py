"""The keystore's one refusal: a key that cannot be had (HTTP 503, ``signing_key_missing``)."""

from __future__ import annotations

from skillcert.rules.errors import DomainError


class KeyUnavailable(DomainError):
    """No current key, no master key, or a master key that does not open the stored keys."""

    status = 503
    default_code = "signing_key_missing"
