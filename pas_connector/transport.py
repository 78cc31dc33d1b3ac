"""The pooled, signed ``httpx.AsyncClient`` that carries every PAS request.

One client per connector (and so per event loop): it holds the connection pool. The transport
itself never retries (``retries=0``): retries happen above it, around the signed send, so that each
attempt gets a fresh signature.

httpx logs every request's full URL at INFO on the ``httpx`` logger, and PAS URLs hold policy,
claim and policyholder numbers: ``make_http_client`` installs a filter on that logger that masks
the reference segments of PAS URLs (``/api/v1/policies/***/billing``).
"""

from __future__ import annotations

import logging

import httpx

from pas_connector.config import PasSettings
from pas_connector.signing import PasSigner

# Path segments that follow one of these are references (policy, claim, policyholder numbers).
_REFERENCE_PARENTS = frozenset({"policyholders", "policies", "claims"})


def redact_pas_path(path: str) -> str:
    """``path`` with every reference segment replaced by ``***``."""
    segments = path.split("/")
    return "/".join(
        "***" if i > 0 and segments[i - 1] in _REFERENCE_PARENTS and seg else seg
        for i, seg in enumerate(segments)
    )


class RedactPasUrls(logging.Filter):
    """Rewrites httpx's request log lines for PAS hosts so they carry no references."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, httpx.URL) for a in args):
            record.args = tuple(self._redact(a) if isinstance(a, httpx.URL) else a for a in args)
        return True

    def _redact(self, url: httpx.URL) -> httpx.URL | str:
        if url.netloc.decode("ascii", "replace") not in self.hosts:
            return url
        return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{redact_pas_path(url.path)}"


_URL_FILTER = RedactPasUrls()


def _install_url_filter(base_url: str) -> None:
    _URL_FILTER.hosts.add(httpx.URL(base_url).netloc.decode("ascii"))
    httpx_logger = logging.getLogger("httpx")
    if _URL_FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_URL_FILTER)


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
    _install_url_filter(settings.base_url)
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
