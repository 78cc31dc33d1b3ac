"""Errors raised by the PAS connector.

    PasError
    ├── PasUnavailable        the PAS could not answer now: timeout, connection error, 5xx,
    │   │                     429 after waiting, or the circuit breaker is open. Retryable reads.
    │   ├── PasRateLimited    429: the PAS asked us to slow down (``retry_after`` seconds, if said)
    │   └── CircuitOpen       the breaker is open; no request was sent
    ├── PasNotFound           404: no such policyholder, policy or claim
    ├── PasRejected           400/409/422: the PAS refused the request (e.g. amount above balance)
    ├── PasAuthError          401: our request signature was refused (configuration problem)
    └── PasProtocolError      a response we could not parse (contract drift)

Callers above the connector handle ``PasUnavailable`` by degrading (stale data with its age, or an
apology with a way forward) and never show the message text to a policyholder.
"""

from __future__ import annotations


class PasError(Exception):
    """Base of every PAS connector error."""


class PasUnavailable(PasError):
    """The PAS did not answer in time or answered with a server error."""


class PasRateLimited(PasUnavailable):
    """The PAS answered 429; ``retry_after`` is its ``Retry-After`` hint in seconds, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CircuitOpen(PasUnavailable):
    """The circuit breaker is open: the PAS is failing and we are not calling it."""


class PasNotFound(PasError):
    """The PAS has no such record."""


class PasRejected(PasError):
    """The PAS refused a write request."""

    def __init__(self, message: str, code: str = "rejected") -> None:
        super().__init__(message)
        self.code = code


class PasAuthError(PasError):
    """The PAS refused our signature: a key or clock problem, never retried."""


class PasProtocolError(PasError):
    """The PAS answered with something we cannot parse."""
