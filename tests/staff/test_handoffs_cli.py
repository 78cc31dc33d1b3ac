"""``policyline handoffs --json``: the open queue for operators' scripts, from a migrated database
(SQLite and PostgreSQL), through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.conversation.handoff import handoff_attachments, handoffs
from tests.staff.world import BASE, World

CLI = str(Path(sys.executable).with_name("policyline"))


def _policyline(dbs: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POLICYLINE_ENV": "test",
        "POLICYLINE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": dbs.app_url,
    }
    return subprocess.run(
        [CLI, "handoffs", *args], env=env, capture_output=True, text=True, check=True, timeout=120
    )


def test_handoffs_json_lists_open_items_oldest_first_with_summary_and_attachments(
    dbs: Any, world: World, tmp_path: Path
) -> None:
    with dbs.app_engine.begin() as conn:
        conn.execute(
            handoff_attachments.insert(),
            [
                {
                    "id": f"photo-{n}",
                    "ticket": "HO-CLAIM234",
                    "content_type": "image/jpeg",
                    "byte_size": 120_000,
                    "created_at": BASE + timedelta(hours=1, minutes=n),
                }
                for n in (1, 2)
            ],
        )
    items = json.loads(_policyline(dbs, tmp_path, "--json").stdout)

    assert [i["id"] for i in items] == ["HO-CLAIM234", "HO-COVER567"]
    claim, coverage = items
    for item in items:
        assert {"id", "reason", "channel", "created_at", "summary", "attachments"} <= set(item)
    assert (claim["reason"], claim["channel"], claim["attachments"]) == (
        "first_notice_of_loss",
        "voice",
        2,
    )
    assert claim["created_at"] == "2026-11-23T16:00:06+00:00"
    assert claim["summary"]["who"] == {"assurance": "anonymous", "policy": None}
    assert claim["summary"]["asked"] == ["I was in an accident this morning"]
    assert claim["summary"]["flags"]["urgent"] is True
    assert claim["summary"]["left"]["text"] == "Take the report of a new claim."
    assert coverage["attachments"] == 0
    assert coverage["summary"]["who"] == {"assurance": "verified", "policy": "REN-****001"}
    [asked] = coverage["summary"]["asked"]
    assert "flood damage" in asked and "[CARD]" in asked and "[POLICY]" in asked
    assert coverage["summary"]["channel"] == "sms"

    printed = json.dumps(items)
    assert world.personas["priya"]["policy_number"] not in printed and "4242" not in printed
    assert world.ids["coverage_sms"] not in printed  # transcripts stay behind the console


def test_a_handoff_stored_before_summaries_is_listed_with_a_summary_from_its_columns(
    dbs: Any, tmp_path: Path
) -> None:
    with dbs.app_engine.begin() as conn:
        conn.execute(
            handoffs.insert().values(
                ticket="HO-OLDROW01",
                reason="change_policy",
                intent="change_policy",
                assurance="verified",
                policy_ref="HOM-****001",
                queue="service",
                urgent=False,
                summary="hi\nI moved, new address please",
                created_at=BASE,
                channel="webchat",
                conversation_id="web-old",
                callback=False,
            )
        )
    [item] = json.loads(_policyline(dbs, tmp_path, "--json").stdout)
    assert item["id"] == "HO-OLDROW01" and item["attachments"] == 0
    assert item["summary"]["who"] == {"assurance": "verified", "policy": "HOM-****001"}
    assert item["summary"]["asked"] == ["hi", "I moved, new address please"]
    assert item["summary"]["left"]["text"] == "Make a change to the policy or details."


def test_an_empty_queue_is_an_empty_list_and_the_plain_listing_counts_it(
    dbs: Any, tmp_path: Path
) -> None:
    assert json.loads(_policyline(dbs, tmp_path, "--json").stdout) == []
    assert _policyline(dbs, tmp_path).stdout.splitlines() == ["0 open handoff(s)"]


def test_the_plain_listing_gives_one_line_per_item_with_its_flags(
    dbs: Any, world: World, tmp_path: Path
) -> None:
    lines = _policyline(dbs, tmp_path).stdout.splitlines()
    assert lines[-1] == "2 open handoff(s)"
    assert lines[0].startswith("HO-CLAIM234  2026-11-23 16:00Z  voice")
    assert "[urgent]" in lines[0] and "[urgent]" not in lines[1]
