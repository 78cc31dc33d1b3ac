"""``policyline document {id-card|declarations|certificate} --policy NUMBER --out FILE.pdf``.

For staff and operations: the same PDFs the conversation sends, fetched through the PAS
connector (signed, audited) with the settings from the environment. ``devtools/cli.py`` calls
``add_parser(subparsers)``; the parsed arguments carry ``handler``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.documents.certificate import CertificateHolder
from bot.documents.errors import CertificateHolderRequired, DocumentUnavailable
from bot.documents.kinds import DocumentKind
from bot.documents.rendering import DocumentRenderer
from bot.settings import Settings
from bot.sync_pas import connector_for
from pas_connector.errors import PasError, PasNotFound
from pas_connector.models import Policy, Policyholder

PolicyLoader = Callable[[Settings, str], Coroutine[Any, Any, tuple[Policy, Policyholder]]]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``document`` subcommand to the ``policyline`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "document",
        help="render an ID card, declarations page or certificate to a PDF",
        description="Render a policy document to a PDF file (fetches the policy from the PAS).",
    )
    parser.add_argument("kind", choices=[k.cli_name for k in DocumentKind])
    parser.add_argument("--policy", required=True, metavar="NUMBER", help="policy number")
    parser.add_argument(
        "--holder",
        metavar='"NAME, ADDRESS"',
        help="certificate holder: name, then a comma, then the address (certificates only)",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    parser.set_defaults(handler=run_document_command)
    return parser


async def load_from_pas(settings: Settings, policy_number: str) -> tuple[Policy, Policyholder]:
    """The policy and its policyholder, through the PAS connector."""

    connector = connector_for(settings)
    try:
        policy = (await connector.get_policy(policy_number)).value
        holder = (await connector.get_policyholder(policy.holder_id)).value
    finally:
        await connector.aclose()
    return policy, holder


def run_document_command(
    args: argparse.Namespace,
    settings: Settings,
    *,
    load: PolicyLoader = load_from_pas,
    renderer: DocumentRenderer | None = None,
) -> int:
    """Render the document to ``args.out``; exit status 0, 1 (refused or PAS error) or 2 (usage)."""
    kind = DocumentKind.parse(args.kind)
    certificate_holder = None
    if args.holder:
        if kind is not DocumentKind.CERTIFICATE:
            print("error: --holder applies to certificates only", file=sys.stderr)
            return 2
        try:
            certificate_holder = CertificateHolder.parse(args.holder)
        except CertificateHolderRequired:
            print('error: --holder needs "NAME, ADDRESS"', file=sys.stderr)
            return 2
    elif kind is DocumentKind.CERTIFICATE:
        print('error: a certificate needs --holder "NAME, ADDRESS"', file=sys.stderr)
        return 2
    number = args.policy.strip().upper()
    try:
        policy, holder = asyncio.run(load(settings, number))
    except PasNotFound:
        print(f"error: no policy {number} in the PAS", file=sys.stderr)
        return 1
    except PasError as exc:
        print(f"error: the PAS did not answer ({type(exc).__name__})", file=sys.stderr)
        return 1
    try:
        document = (renderer or DocumentRenderer()).render(
            kind, policy, holder, certificate_holder=certificate_holder
        )
    except DocumentUnavailable as exc:
        print(f"refused: no {kind.label} for {number}: {exc}", file=sys.stderr)
        return 1
    _write_atomically(args.out, document.pdf)
    print(
        f"wrote {args.out} ({kind.label}, {document.page_count} page"
        f"{'s' if document.page_count != 1 else ''}, {document.size_bytes:,} bytes)"
    )
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    # A half-written PDF must never be left behind under the requested name.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".document-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
