"""``make nlu-report``: how well the NLU understands wording it never trained on.

Trains an NLU-only model on all of ``data/nlu`` with the project's ``config.yml`` (or copies the
one trained from the same config, domain, NLU files and Rasa version from the model cache outside
the clone, ``devtools.model_cache``), then scores two test sets it never trains on:

- ``tests/nlu/held_out_nlu.yml``: the project's own held-out set (written for testing only;
  ``tests/nlu/test_held_out_nlu.py`` checks none of it is in ``data/``);
- ``../shared/eval/peer_nlu.yml``: utterances written by other projects, relabelled to our
  intents (skipped with a note when the file is absent).

For each: accuracy, macro-F1 (over the intents the set has), the weakest intents, the top
confusions, and the run-time split with the fallback on: routed right / "did you mean" (fell
back, and the right intent is one of the tasks the assistant offers: a task among the top two) /
asked to rephrase / routed wrong. Writes the figures to ``bench/results/nlu_report.json``.

    .venv/bin/python -m bench.nlu_report [--config config.yml] [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.nlu_eval import PROJECT_ROOT, NluReport, evaluate, full_nlu_model, load_data

HELD_OUT = PROJECT_ROOT / "tests" / "nlu" / "held_out_nlu.yml"
PEER = PROJECT_ROOT.parent / "shared" / "eval" / "peer_nlu.yml"
RESULTS = PROJECT_ROOT / "bench" / "results" / "nlu_report.json"
WEAKEST = 6
CONFUSIONS = 8


def _pct(share: float) -> str:
    return f"{share * 100:5.1f}%"


def format_set(name: str, report: NluReport, *, show_errors: bool) -> list[str]:
    split = report.runtime_split
    lines = [
        f"== {name}: {report.examples} messages, {len(report.per_intent)} intents",
        f"accuracy {report.intent_accuracy:.3f}   macro-F1 {report.intent_macro_f1:.3f}   "
        f"best guess w/o fallback {report.accuracy_before_fallback:.3f}",
        f"run time (fallback on): routed right {_pct(split['routed_right'])} | did you mean "
        f"{_pct(split['did_you_mean'])} | rephrase {_pct(split['rephrase'])} | routed wrong "
        f"{_pct(split['routed_wrong'])} ({report.confident_wrong} wrong at >= 0.80)",
        "weakest intents (F1, precision, recall, n):",
    ]
    weakest = sorted(report.per_intent.items(), key=lambda item: item[1]["f1"])[:WEAKEST]
    lines += [
        f"  {intent:<24}{s['f1']:.3f}  p {s['precision']:.3f}  r {s['recall']:.3f}  "
        f"n {int(s['support'])}"
        for intent, s in weakest
    ]
    lines.append("top confusions (gold -> predicted: count):")
    lines += [f"  {g} -> {p}: {n}" for g, p, n in report.top_confusions[:CONFUSIONS]] or ["  none"]
    if show_errors:
        lines.append("misclassified:")
        lines += [
            f"  {m['text']!r}: {m['gold']} -> {m['predicted']} ({m['confidence']})"
            for m in report.misclassified
        ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--peer", type=Path, default=PEER)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--show-errors", action="store_true", help="list the own held-out set's mistakes"
    )
    args = parser.parse_args(argv)

    summary: dict[str, Any] = {"config": str(args.config)}
    with tempfile.TemporaryDirectory(prefix="nlu-report-") as tmp:
        model, from_cache, seconds = full_nlu_model(
            Path(tmp) / "nlu_full.tar.gz", config_path=args.config
        )
        how = "copied from the model cache" if from_cache else f"trained in {seconds:.0f} s"
        lines = [f"NLU model on all of data/nlu ({args.config.name}): {how}", ""]
        summary["train_seconds"] = None if from_cache else seconds
        sets = [("own held-out set", HELD_OUT, args.show_errors)]
        if args.peer.is_file():
            sets.append(("peer set", args.peer, False))
        else:
            lines += [f"peer set not found at {args.peer}: skipped", ""]
        for name, path, show_errors in sets:
            report = evaluate(model, load_data(str(path)))
            lines += [*format_set(name, report, show_errors=show_errors), ""]
            summary[name] = {
                "path": str(path),
                "examples": report.examples,
                "accuracy": report.intent_accuracy,
                "macro_f1": report.intent_macro_f1,
                "runtime_split": report.runtime_split,
                "confident_wrong": report.confident_wrong,
                "per_intent": report.per_intent,
                "top_confusions": report.as_json()["top_confusions"],
                "parse_ms_p95": report.parse_ms_p95,
            }
    print("\n".join(lines).rstrip())
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
