"""``policyline document ...``: same PDFs as the conversation, fetched through the PAS."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.documents import DocumentRenderer
from bot.documents.cli import add_parser, run_document_command
from bot.settings import Settings
from devtools.cli import main as policyline
from pas_connector.errors import PasNotFound, PasUnavailable
from tests.documents.support import pdf_text, qpdf_check
from tests.support.app_database import migrated_sqlite


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["document", *argv])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"POLICYLINE_ENV": "test", "POLICYLINE_VAR_DIR": str(tmp_path)})


def _loader(persona, seen: list[str] | None = None):  # type: ignore[no-untyped-def]
    async def load(settings: Settings, number: str):  # type: ignore[no-untyped-def]
        if seen is not None:
            seen.append(number)
        holder, policy = persona(number)
        return policy, holder

    return load


def test_certificate_command_writes_the_pdf_naming_the_holder(
    tmp_path: Path, settings, persona, renderer: DocumentRenderer, capsys
) -> None:
    out = tmp_path / "out" / "coi.pdf"
    seen: list[str] = []
    args = _args(
        "certificate", "--policy", "ren-3000001", "--holder",
        "Buckeye Lofts LLC, 200 N High St, Columbus, OH 43215", "--out", str(out),
    )  # fmt: skip
    status = run_document_command(args, settings, load=_loader(persona, seen), renderer=renderer)

    assert status == 0
    assert seen == ["REN-3000001"]
    text = pdf_text(out.read_bytes())
    assert "Buckeye Lofts LLC" in text and "200 N High St, Columbus, OH 43215" in text
    assert qpdf_check(out).returncode == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["coi.pdf"]  # no temp file left


def test_usage_errors_exit_2_before_calling_the_pas(tmp_path: Path, settings, persona) -> None:
    seen: list[str] = []
    out = str(tmp_path / "x.pdf")
    load = _loader(persona, seen)
    assert run_document_command(_args("certificate", "--policy", "HOM-2000001", "--out", out),
                                settings, load=load) == 2  # fmt: skip
    assert run_document_command(_args("id-card", "--policy", "AUT-1000001", "--holder", "A, B",
                                      "--out", out), settings, load=load) == 2  # fmt: skip
    assert seen == []
    assert not (tmp_path / "x.pdf").exists()


def test_refused_document_exits_1_and_writes_nothing(
    tmp_path: Path, settings, persona, renderer, capsys
) -> None:
    out = tmp_path / "card.pdf"
    args = _args("id-card", "--policy", "AUT-1000002", "--out", str(out))
    assert run_document_command(args, settings, load=_loader(persona), renderer=renderer) == 1
    assert "refused: no insurance ID card for AUT-1000002" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("error", "message"), [
    (PasNotFound("404"), "no policy AUT-9999999 in the PAS"),
    (PasUnavailable("503"), "the PAS did not answer (PasUnavailable)"),
])  # fmt: skip
def test_pas_errors_exit_1_with_a_plain_message(
    tmp_path: Path, settings, capsys, error, message
) -> None:
    async def failing(settings: Settings, number: str):  # type: ignore[no-untyped-def]
        raise error

    args = _args("declarations", "--policy", "AUT-9999999", "--out", str(tmp_path / "d.pdf"))
    assert run_document_command(args, settings, load=failing) == 1
    assert message in capsys.readouterr().err


def test_policyline_document_fetches_from_the_running_sandbox(
    sandbox, tmp_path: Path, monkeypatch
) -> None:
    for name, value in {
        "POLICYLINE_ENV": "test",
        "POLICYLINE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": migrated_sqlite(tmp_path / "app.sqlite"),
        "PAS_BASE_URL": sandbox.base_url,
        "PAS_KEY_ID": sandbox.key_id,
        "PAS_HMAC_SECRET": sandbox.hmac_secret,
        "PAS_REPLICA_URL": sandbox.replica_url,
        "REDIS_URL": "",
    }.items():
        monkeypatch.setenv(name, value)
    card = tmp_path / "card.pdf"
    decs = tmp_path / "decs.pdf"

    assert policyline(["document", "id-card", "--policy", "AUT-1000003", "--out", str(card)]) == 0
    assert policyline(["document", "declarations", "--policy", "HOM-2000001",
                       "--out", str(decs)]) == 0  # fmt: skip

    card_text = pdf_text(card.read_bytes())
    assert card_text.count("NEW YORK STATE INSURANCE IDENTIFICATION CARD") == 2
    assert "José Núñez" in card_text and "AUT-1000003" in card_text
    decs_text = pdf_text(decs.read_bytes())
    assert "Homeowners Policy Declarations" in decs_text and "James Whitfield" in decs_text
    assert "Mortgagee" in decs_text
