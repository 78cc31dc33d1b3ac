"""CI runs the quality gates before the tests, and the gates cover every package.

The import contracts are checked against small throwaway trees: a clean tree keeps every
contract, and each forbidden import breaks the contract that names it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomli

ROOT = Path(__file__).resolve().parents[2]
GATES = ("lint", "typecheck", "contracts")


def _pyproject() -> dict[str, Any]:
    return tomli.loads((ROOT / "pyproject.toml").read_text())


def _installed_packages() -> set[str]:
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.rstrip("*") for pattern in include}


def _make_targets_run_by_ci() -> list[str]:
    script = (ROOT / ".ci" / "run").read_text()
    return re.findall(r"^make\s+(\S+)\s*$", script, flags=re.MULTILINE)


def test_ci_runs_lint_typecheck_and_contracts_before_the_tests() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^set -[a-z]*e", script, re.MULTILINE), "a failing gate must stop the run"
    targets = _make_targets_run_by_ci()
    assert "test" in targets
    for gate in GATES:
        assert gate in targets, f".ci/run does not run make {gate}"
        assert targets.index(gate) < targets.index("test")


@pytest.mark.parametrize(
    ("target", "commands"),
    [
        ("lint", ["ruff check .", "ruff format --check ."]),
        ("typecheck", ["mypy"]),
        ("contracts", ["lint-imports"]),
    ],
)
def test_each_gate_target_runs_its_tool(target: str, commands: list[str]) -> None:
    planned = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for command in commands:
        assert re.search(rf"/{re.escape(command)}\s*$", planned, re.MULTILINE), planned


def test_mypy_checks_every_package_and_is_strict_for_the_core_and_connector() -> None:
    mypy = _pyproject()["tool"]["mypy"]
    assert set(mypy["packages"]) == _installed_packages()
    strict = [o for o in mypy["overrides"] if o.get("disallow_untyped_defs")]
    modules = {m for o in strict for m in o["module"]}
    assert {"bot.*", "pas_connector.*"} <= modules


def test_import_contracts_cover_every_package() -> None:
    roots = set(_pyproject()["tool"]["importlinter"]["root_packages"])
    assert roots == _installed_packages()


def _contract_tree(tmp_path: Path) -> Path:
    """Every root package, importing only what the layers allow."""
    roots = _pyproject()["tool"]["importlinter"]["root_packages"]
    for package in roots:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    allowed = {
        "bot/domain.py": "import pas_connector.client\n",
        "bot/web/__init__.py": "import bot.domain\n",
        "bot/web/pages.py": "import bot.web\n",
        "pas_connector/client.py": "",
        "channels/sms.py": "import bot.domain\n",
        "actions/tasks.py": "import bot.domain\nimport pas_connector.client\n",
        "rasa_sdk_plugins/__init__.py": "import actions.tasks\n",
        "pas_sandbox/app.py": "",
        "devtools/cli.py": "import bot.domain\nimport channels.sms\nimport pas_sandbox.app\n",
    }
    for name, body in allowed.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "lint-imports"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )


def test_a_tree_that_follows_the_layers_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_imports(_contract_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("bot/domain.py", "channels.sms", "The domain core does not import the adapters"),
        ("bot/domain.py", "actions.tasks", "The domain core does not import the adapters"),
        ("bot/domain.py", "pas_sandbox.app", "The domain core does not import the adapters"),
        ("bot/domain.py", "bot.web.pages", "Only the web app's own modules import bot.web"),
        ("pas_connector/client.py", "bot.domain", "The PAS connector imports neither"),
        ("channels/sms.py", "actions.tasks", "Adapters do not import each other"),
        ("bot/web/pages.py", "channels.sms", "Adapters do not import each other"),
        ("actions/tasks.py", "bot.web.pages", "Adapters do not import each other"),
        ("rasa_sdk_plugins/__init__.py", "channels.sms", "rasa-sdk plugin imports no other"),
        ("pas_sandbox/app.py", "pas_connector.client", "The PAS sandbox does not import"),
        ("pas_sandbox/app.py", "bot.domain", "The PAS sandbox does not import"),
        ("bot/domain.py", "devtools.cli", "The product does not import the development tools"),
        ("actions/tasks.py", "devtools.cli", "The product does not import the development tools"),
        ("pas_sandbox/app.py", "devtools.cli", "The product does not import the development tools"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, forbidden_import: str, contract: str
) -> None:
    tree = _contract_tree(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"import {forbidden_import}\n")
    result = _lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
