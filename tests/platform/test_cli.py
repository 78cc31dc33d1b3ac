"""The ``policyline`` console script: the contract's subcommands exist and personas print."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.settings import Settings
from devtools.cli import banner, build_parser, main

CONTRACT_COMMANDS = {
    "run",
    "sandbox",
    "personas",
    "sms",
    "call",
    "document",
    "rasa",
    "actions",
    "web",
}


def test_help_lists_every_contract_subcommand() -> None:
    help_text = build_parser().format_help()
    for command in CONTRACT_COMMANDS:
        assert f"    {command} " in help_text, command


def test_personas_json_has_the_contract_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "--json"]) == 0
    personas = json.loads(capsys.readouterr().out)
    assert len(personas) >= 5
    for persona in personas:
        for key in ("name", "policy_number", "phone", "date_of_birth", "zip", "line", "status"):
            assert persona[key], (persona["name"], key)
    lines = {p["line"] for p in personas}
    assert {"auto", "home", "renters"} <= lines
    assert any(p["status"] == "cancelled" for p in personas)
    maria = next(p for p in personas if p["name"] == "Maria Alvarez")
    assert maria["date_of_birth"] == "1985-04-12"


def test_personas_table_names_every_persona(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas"]) == 0
    table = capsys.readouterr().out
    assert "Maria Alvarez" in table and "AUT-1000001" in table


def test_console_script_runs_in_a_fresh_process() -> None:
    policyline = [sys.executable, "-m", "devtools.cli", "personas", "--json"]
    done = subprocess.run(policyline, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout)[0]["policy_number"]


def test_the_run_banner_shows_the_personas_on_a_terminal_and_keeps_them_out_of_logs() -> None:
    settings = Settings.from_env({})
    on_terminal = "\n".join(banner(settings, to_terminal=True))
    in_a_log = "\n".join(banner(settings, to_terminal=False))
    assert "Maria Alvarez" in on_terminal and "1985-04-12" in on_terminal
    assert "Maria Alvarez" not in in_a_log and "1985-04-12" not in in_a_log
    assert "AUT-1000001" not in in_a_log
    assert "`policyline personas`" in in_a_log
