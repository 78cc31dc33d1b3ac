"""After every other test of the run: no fixture persona's date of birth, full policy number or
card number in any server log or stored conversation (tests/security/pii_scan.py).

Runs last (tests/security/conftest.py moves it to the end), over the logs this run wrote under
test-artifacts/logs/ and the Rasa tracker stores under this run's temporary folder. ``make test``
runs the other tests on parallel workers first, then this module on its own with
POLICYLINE_TEST_RUN_STARTED (when that run began) and POLICYLINE_TEST_RUN_TMP (its --basetemp)
set, so the scan covers that run. ``python -m tests.security.pii_scan --since-minutes N`` scans
after any run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.security.conftest import SESSION_STARTED
from tests.security.pii_scan import (
    LOG_ROOT,
    fixture_pii,
    persona_verifications,
    scan_files,
    scan_tracker,
    tracker_stores,
)

pytestmark = pytest.mark.pii_scan


def test_the_patterns_find_each_kind_of_fixture_pii(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("ok line\nuser said 4/12/1985\npolicy aut-1000001\ncard 4242 4242 4242 4242\n")
    kinds = sorted(f.kind for f in scan_files([tmp_path], fixture_pii()))
    assert kinds == ["card number", "date of birth", "policy number"]
    # A masked policy number or a different date is not a finding.
    log.write_text("policy AUT-****001, paid 4/12/2026, claim CLM-1000001\n")
    assert scan_files([tmp_path], fixture_pii()) == []


def test_no_server_log_of_this_run_holds_fixture_pii() -> None:
    findings = (
        scan_files([LOG_ROOT], fixture_pii(), since=SESSION_STARTED) if LOG_ROOT.exists() else []
    )
    assert findings == [], "\n".join(map(str, findings))


def test_no_stored_conversation_of_this_run_holds_fixture_pii(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    roots = [tmp_path_factory.getbasetemp()]
    if earlier_run := os.environ.get("POLICYLINE_TEST_RUN_TMP"):
        roots.append(Path(earlier_run))
    stores = tracker_stores(roots)
    if sum(persona_verifications(url) for url in stores) == 0:
        pytest.skip("no fixture persona verified in a stored conversation of this run")
    findings = [f for url in stores for f in scan_tracker(url, fixture_pii())]
    assert findings == [], "\n".join(map(str, findings[:50]))
