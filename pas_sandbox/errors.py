"""Errors the sandbox answers with, each carrying its HTTP status and the PAS error code.

ApiError                      {"error": code, "message": text}
├── BadRequest        400     bad_request: malformed body, header or parameter
├── NotFound          404     not_found: no such holder, policy or claim
├── Conflict          409     conflict: idempotency key reused with a different request,
│                             change refused by the record's state
└── Rejected          422     rejected: a well-formed write the PAS refuses (amount)
"""

from __future__ import annotations


class ApiError(Exception):
    status = 500
    code = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_json(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Rejected(ApiError):
    status = 422
    code = "rejected"
