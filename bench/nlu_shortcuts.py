"""Single-word shortcuts in the NLU training data: tokens whose presence alone predicts an intent.

A token is listed when it appears in at least ``--min-support`` training examples of
``data/nlu`` and at least ``--min-share`` of them carry one intent. Many such tokens are honest
topic words ("adjuster" under claim_status); the ones in ``NEUTRAL`` carry no request by
themselves (function words, "insurance", "policy", "car"...) and are the shortcuts to break with
counter-examples under other intents. ``--model-reaction`` also parses short neutral sentences
built around each neutral shortcut with an NLU model trained on all of ``data/nlu`` (from the
model cache when unchanged) and shows the intent the model jumps to.

    .venv/bin/python -m bench.nlu_shortcuts [--min-support 6] [--min-share 0.8] [--model-reaction]
        [--model models/policyline.tar.gz]

``--model`` parses with a model already trained (CI passes the one ``make test`` used) instead of
the NLU-only model, so the report adds no training. It is a report: it exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.nlu_eval import PROJECT_ROOT, full_nlu_model, load_data, parse_messages

DATA = PROJECT_ROOT / "data" / "nlu"
# Words that say nothing about what the user wants on their own: if one of them predicts an
# intent, the model may learn the word instead of the request.
NEUTRAL = frozenset(
    """
    a about am an and any are as at be been but by can could did do does for from get got have
    how i i'd i'm if in is it it's just me my no not of ok on or please pls so that the them
    there they this to u up was we were what when where which who why will with would you your
    insurance insured policy car auto home house renters account number need want like know
    help hi hey thanks yes yeah one new my question today now going still
    """.split()
)
# Carrier sentences with no request of their own: the model should not be sure of any intent.
CARRIERS = ("{token}", "hmm {token} ok", "i typed {token} by mistake")
TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Shortcut:
    token: str
    intent: str
    share: float
    support: int
    neutral: bool


def find_shortcuts(data_path: Path, min_support: int, min_share: float) -> list[Shortcut]:
    data = load_data(str(data_path))
    support: Counter[str] = Counter()
    by_intent: dict[str, Counter[str]] = defaultdict(Counter)
    for example in data.intent_examples:
        tokens = set(TOKEN.findall(str(example.get("text")).lower()))
        for token in tokens:
            support[token] += 1
            by_intent[token][str(example.get("intent"))] += 1
    found = []
    for token, n in support.items():
        if n < min_support:
            continue
        intent, top = by_intent[token].most_common(1)[0]
        if top / n >= min_share:
            found.append(Shortcut(token, intent, round(top / n, 3), n, token in NEUTRAL))
    return sorted(found, key=lambda s: (not s.neutral, -s.share, -s.support, s.token))


def model_reactions(shortcuts: Sequence[Shortcut], model: Path | None = None) -> list[str]:
    """Parse the neutral carrier sentences of each neutral shortcut; report the model's guess
    (with ``model`` when given, else an NLU-only model on all of ``data/nlu``)."""
    neutral = [s for s in shortcuts if s.neutral]
    texts = [carrier.format(token=s.token) for s in neutral for carrier in CARRIERS]
    if not texts:
        return ["  no neutral shortcuts"]
    if model is not None:
        parsed = parse_messages(model, texts)
    else:
        with tempfile.TemporaryDirectory(prefix="nlu-shortcuts-") as tmp:
            trained, _, _ = full_nlu_model(Path(tmp) / "nlu_full.tar.gz")
            parsed = parse_messages(trained, texts)
    lines = []
    for text, result in zip(texts, parsed, strict=True):
        intent = result["intent"]["name"]
        confidence = float(result["intent"].get("confidence") or 0.0)
        flag = "  <- sure of an intent" if confidence >= 0.8 and intent != "nlu_fallback" else ""
        lines.append(f"  {text!r:<40}{intent:<24}{confidence:.2f}{flag}")
    return lines


def format_shortcuts(shortcuts: Sequence[Shortcut]) -> list[str]:
    neutral = [s for s in shortcuts if s.neutral]
    lines = [
        f"neutral-word shortcuts: {len(neutral)} (of {len(shortcuts)} predictive tokens)",
        f"{'token':<16}{'intent':<24}{'share':>6}{'n':>5}",
    ]
    lines += [f"{s.token:<16}{s.intent:<24}{s.share:>6.2f}{s.support:>5}" for s in neutral] or [
        "  none"
    ]
    lines += ["", "topic words (expected, listed for review):"]
    lines += [
        f"{s.token:<16}{s.intent:<24}{s.share:>6.2f}{s.support:>5}"
        for s in shortcuts
        if not s.neutral
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--min-support", type=int, default=6)
    parser.add_argument("--min-share", type=float, default=0.8)
    parser.add_argument("--model-reaction", action="store_true")
    parser.add_argument("--model", type=Path, default=None, help="a trained model to parse with")
    args = parser.parse_args(argv)
    shortcuts = find_shortcuts(args.data, args.min_support, args.min_share)
    lines = format_shortcuts(shortcuts)
    if args.model_reaction:
        lines += ["", "model on neutral sentences (text, intent, confidence):"]
        lines += model_reactions(shortcuts, args.model)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
