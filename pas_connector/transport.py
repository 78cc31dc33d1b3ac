"""The pooled, signed ``httpx.AsyncClient`` that carries every PAS request.

One client per connector (and so per event loop): it holds the connection pool. The transport
itself never retries (``retries=0``): retries happen above it, around the signed send, so that each
attempt gets a fresh signature.
"""

from __future__ import annotations

import httpx

from pas_connector.config import PasSettings
from pas_connector.signing import PasSigner


def pas_timeout(settings: PasSettings) -> httpx.Timeout:
    """Connect and read timeouts from settings; writes and pool waits share the read timeout."""
    return httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)


def make_http_client(
    settings: PasSettings,
    signer: PasSigner,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for the PAS at ``settings.base_url``.

    ``transport`` replaces the network (``httpx.MockTransport`` in unit tests); otherwise a pooled
    HTTP transport limited to ``settings.max_connections`` connections is used.
    """
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    if transport is None:
        transport = httpx.AsyncHTTPTransport(limits=limits, retries=0)
    return httpx.AsyncClient(
        base_url=settings.base_url,
        auth=signer,
        timeout=pas_timeout(settings),
        transport=transport,
        headers={"Accept": "application/json", "User-Agent": "policyline-pas-connector"},
        follow_redirects=False,
        # The PAS is on a private network: proxy variables in the environment must not reroute
        # signed requests (or leak them to a proxy).
        trust_env=False,
    )
