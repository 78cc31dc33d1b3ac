"""How many HTTP requests went to the PAS: per process, and per scope (one conversation's turn).

A "PAS call" here is a request on the wire, retries included; a read answered by the cache or by
an identical request already in flight (``single_flight``) is not one. Replica reads are SQL, not
PAS API requests, and are counted apart.

``PasConnector.requests`` counts for the whole process. ``PasConnector.counting()`` opens a scope
(a context variable) that counts the requests made by the code inside it, tasks it starts
included (they inherit the context): a fetch another scope joined is counted once, in the scope
that sent it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestCount:
    """PAS API requests (``http``) and replica queries (``replica``) by operation."""

    http: Counter[str] = field(default_factory=Counter)
    replica: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Every HTTP request to the PAS API counted here."""
        return sum(self.http.values())

    def add_http(self, operation: str, requests: int) -> None:
        if requests > 0:
            self.http[operation] += requests

    def add_replica(self, operation: str) -> None:
        self.replica[operation] += 1


_SCOPES: ContextVar[tuple[RequestCount, ...]] = ContextVar("pas_request_scopes", default=())


@contextmanager
def counting() -> Iterator[RequestCount]:
    """A scope that counts the PAS requests made inside it (nested scopes all count)."""
    count = RequestCount()
    token = _SCOPES.set((*_SCOPES.get(), count))
    try:
        yield count
    finally:
        _SCOPES.reset(token)


def open_scopes() -> tuple[RequestCount, ...]:
    """The scopes counting the current code (innermost last)."""
    return _SCOPES.get()
