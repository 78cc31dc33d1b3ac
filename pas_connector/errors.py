"""Errors raised by the PAS connector.

    PasError
    ├── PasUnavailable        the PAS could not answer now: timeout, connection error, 5xx,
    │   │                     429 after waiting, or the circuit breaker is open. Retryable reads.
    │   └── CircuitOpen       the breaker is open; no request was sent
    ├── PasNotFound           404: no such policyholder, policy or claim
    ├── PasRejected           409/422: the PAS refused a write (e.g. amount above balance)
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
