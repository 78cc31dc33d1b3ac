"""Plain language: what the assistant says and what the web pages say meets the readability bar.

Every response in domain.yml, every sentence of the assistant's wording in Python and every page
template's prose reads at Flesch reading ease >= 60 or grade <= 8, and every texted reply fits
one SMS segment, unless devtools/readability_exceptions.yml lists it with a reason.
"""

from __future__ import annotations

import pytest
import yaml

from devtools.readability import (
    PROJECT_ROOT,
    Message,
    Score,
    all_messages,
    load_exceptions,
    report,
    score,
    sms_length,
)

EXCEPTIONS = load_exceptions()


@pytest.fixture(scope="module")
def scores() -> list[Score]:
    return [score(m) for m in all_messages()]


def _listing(scores: list[Score]) -> str:
    return "\n".join(
        f"  {s.message.key}  (reading ease {s.reading_ease:.0f}, grade {s.grade:.1f}, "
        f"{s.sms_chars}/{s.sms_segment} SMS characters)\n    {s.message.text}"
        for s in scores
    )


def test_every_message_reads_plainly_or_is_a_listed_exception(scores: list[Score]) -> None:
    hard = [s for s in scores if not s.plain and s.message.key not in EXCEPTIONS.readability]
    assert not hard, (
        "Reword these (reading ease >= 60 or grade <= 8), or list them with a reason in "
        "devtools/readability_exceptions.yml:\n" + _listing(hard)
    )


def test_every_texted_reply_fits_one_sms_segment_or_is_a_listed_exception(
    scores: list[Score],
) -> None:
    long = [
        s
        for s in scores
        if s.message.texted and not s.one_segment and s.message.key not in EXCEPTIONS.sms_length
    ]
    assert not long, (
        "Shorten these to one SMS segment, or list them with a reason in "
        "devtools/readability_exceptions.yml:\n" + _listing(long)
    )


def test_every_exception_names_a_message_that_still_misses_the_bar_and_says_why(
    scores: list[Score],
) -> None:
    by_key = {s.message.key: s for s in scores}
    for section, entries, misses in (
        ("readability", EXCEPTIONS.readability, lambda s: not s.plain),
        ("sms_length", EXCEPTIONS.sms_length, lambda s: not s.one_segment),
    ):
        for key, entry in entries.items():
            assert key in by_key, f"{section}: {key!r} names no message any more; remove it"
            assert misses(by_key[key]), f"{section}: {key!r} meets the bar now; remove it"
            assert str(entry.get("reason") or "").strip(), f"{section}: {key!r} needs a reason"
            if entry["reason"] == "to reword":
                assert entry.get("proposed"), f"{section}: {key!r}: say how to reword it"


def test_messages_come_from_the_domain_the_code_and_every_page_template(
    scores: list[Score],
) -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    variants = sum(
        1 for vs in (domain.get("responses") or {}).values() for v in vs if v.get("text")
    )
    keys = [s.message.key for s in scores]
    assert sum(k.startswith("domain.yml:") for k in keys) == variants
    assert any(k.startswith("bot/conversation/answers/") for k in keys)
    assert any(k.startswith("actions/") for k in keys)
    assert any(k.startswith("channels/voice") for k in keys)
    templates = {
        p.relative_to(PROJECT_ROOT).as_posix()
        for p in (PROJECT_ROOT / "bot/web/templates").rglob("*.html")
    }
    assert "bot/web/templates/auth/login.html" in keys
    assert {k for k in keys if k.endswith(".html")} <= templates


def test_the_bar_separates_plain_from_legal_wording() -> None:
    plain = score(
        Message("plain", "code", "Your bill is due on the 5th. Reply PAY to pay it.", 0, True)
    )
    legal = score(
        Message(
            "legal",
            "code",
            "Notwithstanding the foregoing, indemnification obligations hereunder shall "
            "survive termination of the aforementioned insurance agreement.",
            0,
            True,
        )
    )
    assert plain.plain and not legal.plain


def test_sms_segments_follow_gsm7_and_ucs2() -> None:
    assert sms_length("a" * 160) == (160, 160)
    assert sms_length("Cost: 5€ [net]") == (17, 160)  # €, [ and ] take two septets each
    assert sms_length("José Nuñez") == (10, 160)  # é and ñ are in GSM-7
    assert sms_length("José Núñez") == (10, 70)  # ú is not: the whole text goes as UCS-2
    assert sms_length("Đặng Thị") == (8, 70)
    assert sms_length("📄 ID card") == (10, 70)  # the emoji is two UTF-16 units


def test_placeholders_count_toward_the_sms_length() -> None:
    with_field = score(Message("k", "code", "Your balance is it.", 1, True))
    assert with_field.sms_chars == len("Your balance is it.") - 2 + 10


def test_report_lists_headline_figures_and_the_hardest_messages(scores: list[Score]) -> None:
    text = report(scores, EXCEPTIONS, worst=5)
    assert text.splitlines()[0].startswith("responses")
    assert "The 5 hardest" in text
    assert len([line for line in text.splitlines() if "grade" in line and ":" in line]) >= 5
