"""Rendered documents kept per process, keyed by what they show, so an unchanged one is not redrawn.

A person who asks for their ID card again (another channel, a lost link, the MMS copy after the
web link) gets the same PDF without the renderer running again. The key is
(kind, policy number, data version, day):

- the data version is a SHA-256 of everything the renderer is given (the policy, its holder, and
  a certificate's holder), so any change the PAS reports (a vehicle, a premium, an address, a
  cancellation) makes a new version and the old PDF is never served for it; nothing depends on
  when the data was fetched;
- the day (UTC, from the service's clock) is part of the key because what a document may say
  depends on it (a policy in force today, the date in the file name).

A cached PDF keeps the creation time of its first render. Certificates are never cached: each
one carries its own certificate number. The cache is bounded (least recently used out) and
holds PDFs only in this process's memory, next to the copies ``document_links`` already stores.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.documents.certificate import CertificateHolder
from bot.documents.kinds import DocumentKind
from bot.documents.rendering import RenderedDocument
from pas_connector.models import Policy, Policyholder

DEFAULT_MAX_ENTRIES = 128  # ~60 KB each: under 8 MB per process

CacheKey = tuple[str, str, str, date]


def data_version(
    policy: Policy, holder: Policyholder, certificate_holder: CertificateHolder | None = None
) -> str:
    """A digest of every field a document is drawn from: equal data, equal version."""
    model = {
        "policy": dataclasses.asdict(policy),
        "holder": dataclasses.asdict(holder),
        "certificate_holder": (
            dataclasses.asdict(certificate_holder) if certificate_holder else None
        ),
    }
    canonical = json.dumps(model, sort_keys=True, default=_json_value, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_value(value: Any) -> str:
    # Decimal, date, datetime and enums as their exact text (never a float).
    return f"{type(value).__name__}:{value}"


class RenderCache:
    """At most ``max_entries`` rendered documents, least recently used evicted; thread-safe."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must not be negative")
        self._max = max_entries
        self._entries: OrderedDict[CacheKey, RenderedDocument] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_render(
        self,
        kind: DocumentKind,
        policy: Policy,
        holder: Policyholder,
        day: date,
        render: Callable[[], RenderedDocument],
        *,
        certificate_holder: CertificateHolder | None = None,
    ) -> RenderedDocument:
        """The cached document for this data and day, or ``render()``'s (kept unless refused)."""
        if self._max == 0 or kind is DocumentKind.CERTIFICATE:
            return render()
        key = (
            kind.value,
            policy.policy_number,
            data_version(policy, holder, certificate_holder),
            day,
        )
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return cached
            self.misses += 1
        # Rendered outside the lock: two first requests for the same document may both render
        # (same result); one slow render never holds up the others.
        rendered = render()
        with self._lock:
            self._entries[key] = rendered
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return rendered
