"""NLU evaluation on a fixed held-out split of ``data/nlu``.

The split is Rasa's own stratified ``TrainingData.train_test_split`` with a fixed seed, so the
same data always gives the same held-out set (regexes, lookups and synonyms stay with the
training part). An NLU-only model is trained on the training part with the project's
``config.yml`` (or ``--config``) into a temporary folder, then every held-out message is parsed
and compared with its labels:

- intents: accuracy, macro-F1 over the intents present in the held-out set, the per-intent
  report, and the most frequent confusions (``nlu_fallback`` counts as a miss and is reported);
- entities: strict precision / recall / F1 (same entity type and same character span) per entity
  type and over all, after the synonym mapper for the values.

Prints a readable report plus a JSON summary, and writes the JSON to
``bench/results/nlu_eval.json``. ``tests/nlu`` reuses ``split_nlu_data``, ``train_nlu_model`` and
``evaluate`` with a floor on the figures.

    .venv/bin/python -m bench.nlu_eval [--config config.yml] [--train-fraction 0.8] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results" / "nlu_eval.json"
DEFAULT_SEED = 20261125
DEFAULT_TRAIN_FRACTION = 0.8
FALLBACK_INTENT = "nlu_fallback"

# Rasa and TensorFlow are chatty on import; keep the report readable.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402


@dataclass(frozen=True)
class NluSplit:
    """The training part and the held-out part of the NLU data."""

    train: TrainingData
    test: TrainingData


@dataclass(frozen=True)
class EntityScore:
    precision: float
    recall: float
    f1: float
    support: int
    true_positives: int = 0
    predicted: int = 0


@dataclass
class NluReport:
    """Figures for one evaluation run on the held-out messages."""

    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    fallback_rate: float
    # accuracy of the classifier's own best guess, ignoring the FallbackClassifier: the gap to
    # intent_accuracy is what the fallback threshold costs on held-out data
    accuracy_before_fallback: float
    # threshold -> (accuracy, fallback rate) had the FallbackClassifier used that threshold
    # (ambiguity threshold ignored): the figures behind config.yml's choice
    threshold_sweep: dict[str, tuple[float, float]]
    per_intent: dict[str, dict[str, float]]
    top_confusions: list[tuple[str, str, int]]
    entity_f1: float
    per_entity: dict[str, EntityScore]
    # what a user would see at run time with the fallback on: routed to the right intent, offered
    # the right intent among two "did you mean" choices (fell back, right intent in the top 2),
    # asked to rephrase (fell back otherwise), routed to a wrong intent; shares of the messages
    runtime_split: dict[str, float] = field(default_factory=dict)
    # messages routed to a wrong intent with confidence >= 0.80
    confident_wrong: int = 0
    parse_ms_p50: float = 0.0
    parse_ms_p95: float = 0.0
    train_seconds: float = 0.0
    misclassified: list[dict[str, Any]] = field(default_factory=list)
    entity_errors: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["top_confusions"] = [
            {"gold": gold, "predicted": predicted, "count": count}
            for gold, predicted, count in self.top_confusions
        ]
        return data


def split_nlu_data(
    data_path: Path = PROJECT_ROOT / "data" / "nlu",
    train_fraction: float = DEFAULT_TRAIN_FRACTION,
    seed: int = DEFAULT_SEED,
) -> NluSplit:
    """Split the NLU data deterministically, stratified by intent."""
    data = load_data(str(data_path))
    train, test = data.train_test_split(train_frac=train_fraction, random_seed=seed)
    return NluSplit(train=train, test=test)


def train_nlu_model(
    train_data: TrainingData,
    out_dir: Path,
    config_path: Path = PROJECT_ROOT / "config.yml",
    domain_path: Path = PROJECT_ROOT / "domain.yml",
) -> Path:
    """Train an NLU-only model on ``train_data`` into ``out_dir``; return the model file."""
    from rasa.model_training import train_nlu

    out_dir.mkdir(parents=True, exist_ok=True)
    train_file = out_dir / "nlu_train.yml"
    train_file.write_text(train_data.nlu_as_yaml(), encoding="utf-8")
    model = train_nlu(
        config=str(config_path),
        nlu_data=str(train_file),
        output=str(out_dir),
        fixed_model_name="nlu_heldout",
        domain=str(domain_path),
    )
    if model is None:
        raise RuntimeError("rasa train nlu produced no model")
    return Path(model)


def normalise(text: str) -> str:
    """A text as the overlap checks compare it: lower case, single spaces, no end punctuation."""
    return " ".join(text.lower().split()).rstrip(" .!?,;:")


def normalised_examples(path: Path) -> dict[str, str]:
    """The intent examples of an NLU file or folder (entity markup removed), by normalised text."""
    from rasa.shared.data import is_nlu_file

    files = (
        sorted(p for p in path.rglob("*.yml") if is_nlu_file(str(p))) if path.is_dir() else [path]
    )
    return {
        normalise(str(m.get("text"))): str(m.get("text"))
        for file in files
        for m in load_data(str(file)).intent_examples
    }


def nlu_data_files(data_path: Path = PROJECT_ROOT / "data" / "nlu") -> list[Path]:
    """The NLU training files (everything under ``data/nlu``)."""
    return sorted(p for p in data_path.rglob("*.yml") if p.is_file())


def full_nlu_model(
    dest: Path,
    config_path: Path = PROJECT_ROOT / "config.yml",
    domain_path: Path = PROJECT_ROOT / "domain.yml",
    data_path: Path = PROJECT_ROOT / "data" / "nlu",
) -> tuple[Path, bool, float]:
    """An NLU-only model trained on all of ``data/nlu`` at ``dest``, from the model cache when
    the config, domain and NLU files are unchanged (``devtools.model_cache``).

    Returns the model, whether it came from the cache, and the training seconds (0 if cached).
    """
    from devtools.model_cache import cached_model, inputs_key

    key = inputs_key([config_path, domain_path, *nlu_data_files(data_path)], extra="nlu-only")
    started = time.perf_counter()
    from_cache = cached_model(
        key,
        dest,
        lambda work: train_nlu_model(
            load_data(str(data_path)), work, config_path=config_path, domain_path=domain_path
        ),
    )
    seconds = 0.0 if from_cache else time.perf_counter() - started
    return dest, from_cache, round(seconds, 1)


def parse_messages(model_path: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Parse each text with the trained model (intent ranking, entities after synonyms).

    Each result also carries ``_parse_ms``, the time this one parse took (one message at a time,
    as a conversation turn does).
    """
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # the processor logs every parse at debug level, message text included
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model_path))

    async def parse_all() -> list[dict[str, Any]]:
        parsed = []
        for text in texts:
            started = time.perf_counter()
            result = await agent.parse_message(text)
            result["_parse_ms"] = (time.perf_counter() - started) * 1000
            parsed.append(result)
        return parsed

    return asyncio.run(parse_all())


def _entity_spans(entities: Iterable[dict[str, Any]]) -> set[tuple[str, int, int]]:
    return {(e["entity"], int(e["start"]), int(e["end"])) for e in entities}


def _entity_texts(text: str, entities: Iterable[dict[str, Any]]) -> set[str]:
    return {f"{e['entity']}={text[int(e['start']) : int(e['end'])]!r}" for e in entities}


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_entities(
    gold: Sequence[Iterable[dict[str, Any]]], predicted: Sequence[Iterable[dict[str, Any]]]
) -> tuple[float, dict[str, EntityScore]]:
    """Strict span scoring: an entity counts only with the same type, start and end."""
    true_pos: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    pred_count: Counter[str] = Counter()
    for gold_entities, predicted_entities in zip(gold, predicted, strict=True):
        gold_spans = _entity_spans(gold_entities)
        # Several extractors may report the same span; count it once.
        pred_spans = _entity_spans(predicted_entities)
        for name, _, _ in gold_spans:
            gold_count[name] += 1
        for name, _, _ in pred_spans:
            pred_count[name] += 1
        for name, _, _ in gold_spans & pred_spans:
            true_pos[name] += 1
    per_entity: dict[str, EntityScore] = {}
    for name in sorted(set(gold_count) | set(pred_count)):
        precision = _ratio(true_pos[name], pred_count[name])
        recall = _ratio(true_pos[name], gold_count[name])
        per_entity[name] = EntityScore(
            precision=round(precision, 4),
            recall=round(recall, 4),
            f1=round(_f1(precision, recall), 4),
            support=gold_count[name],
            true_positives=true_pos[name],
            predicted=pred_count[name],
        )
    precision = _ratio(sum(true_pos.values()), sum(pred_count.values()))
    recall = _ratio(sum(true_pos.values()), sum(gold_count.values()))
    return round(_f1(precision, recall), 4), per_entity


def micro_f1(scores: Iterable[EntityScore]) -> float:
    """Strict micro-F1 over several entity types, from their counts."""
    scores = list(scores)
    true_pos = sum(score.true_positives for score in scores)
    precision = _ratio(true_pos, sum(score.predicted for score in scores))
    recall = _ratio(true_pos, sum(score.support for score in scores))
    return round(_f1(precision, recall), 4)


def _best_guess(parsed: dict[str, Any]) -> str:
    """The highest-ranked intent other than ``nlu_fallback``."""
    return _best_candidate(parsed)[0]


def _best_candidate(parsed: dict[str, Any]) -> tuple[str, float]:
    for candidate in parsed.get("intent_ranking") or []:
        if candidate.get("name") != FALLBACK_INTENT:
            return str(candidate["name"]), float(candidate.get("confidence") or 0.0)
    return str(parsed["intent"]["name"]), float(parsed["intent"].get("confidence") or 0.0)


def sweep_thresholds(
    gold: Sequence[str], parsed: Sequence[dict[str, Any]], thresholds: Iterable[float]
) -> dict[str, tuple[float, float]]:
    """Accuracy and fallback rate for each fallback threshold, from the same parses."""
    best = [_best_candidate(p) for p in parsed]
    sweep: dict[str, tuple[float, float]] = {}
    for threshold in thresholds:
        predicted = [name if conf >= threshold else FALLBACK_INTENT for name, conf in best]
        correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
        fallbacks = predicted.count(FALLBACK_INTENT)
        sweep[f"{threshold:.2f}"] = (
            round(_ratio(correct, len(gold)), 4),
            round(_ratio(fallbacks, len(gold)), 4),
        )
    return sweep


def runtime_split(gold: Sequence[str], parsed: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Shares routed right / did-you-mean / rephrase / routed wrong with the fallback on."""
    from bot.conversation.answers.did_you_mean import candidates

    counts: Counter[str] = Counter()
    for gold_intent, result in zip(gold, parsed, strict=True):
        predicted = result["intent"]["name"]
        if predicted == FALLBACK_INTENT:
            # What the assistant offers (bot.conversation.answers.did_you_mean): the tasks among
            # the two best intents; a conversation intent (goodbye, thank ...) is never offered.
            offered = [task.intent for task in candidates(result.get("intent_ranking") or [])]
            counts["did_you_mean" if gold_intent in offered else "rephrase"] += 1
        else:
            counts["routed_right" if predicted == gold_intent else "routed_wrong"] += 1
    return {
        key: round(_ratio(counts[key], len(gold)), 4)
        for key in ("routed_right", "did_you_mean", "rephrase", "routed_wrong")
    }


def evaluate(model_path: Path, test_data: TrainingData) -> NluReport:
    """Parse the held-out messages and score intents and entities."""
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    examples = [m for m in test_data.intent_examples if m.get("text")]
    texts = [m.get("text") for m in examples]
    gold_intents = [m.get("intent") for m in examples]
    parsed = parse_messages(model_path, texts)
    predicted_intents = [p["intent"]["name"] for p in parsed]
    best_guesses = [_best_guess(p) for p in parsed]

    labels = sorted(set(gold_intents))
    report = classification_report(
        gold_intents, predicted_intents, labels=labels, output_dict=True, zero_division=0
    )
    per_intent = {
        label: {
            "precision": round(report[label]["precision"], 4),
            "recall": round(report[label]["recall"], 4),
            "f1": round(report[label]["f1-score"], 4),
            "support": int(report[label]["support"]),
        }
        for label in labels
    }
    confusions = Counter(
        (gold, predicted)
        for gold, predicted in zip(gold_intents, predicted_intents, strict=True)
        if gold != predicted
    )
    entity_f1, per_entity = score_entities(
        [m.get("entities") or [] for m in examples], [p.get("entities") or [] for p in parsed]
    )
    misclassified = [
        {
            "text": text,
            "gold": gold,
            "predicted": p["intent"]["name"],
            "confidence": round(float(p["intent"].get("confidence") or 0.0), 3),
        }
        for text, gold, p in zip(texts, gold_intents, parsed, strict=True)
        if gold != p["intent"]["name"]
    ]
    entity_errors = [
        {
            "text": text,
            "gold": sorted(_entity_texts(text, m.get("entities") or [])),
            "predicted": sorted(_entity_texts(text, p.get("entities") or [])),
        }
        for text, m, p in zip(texts, examples, parsed, strict=True)
        if _entity_spans(m.get("entities") or []) != _entity_spans(p.get("entities") or [])
    ]
    parse_ms = sorted(p["_parse_ms"] for p in parsed)
    return NluReport(
        runtime_split=runtime_split(gold_intents, parsed),
        confident_wrong=sum(
            1
            for gold, p in zip(gold_intents, parsed, strict=True)
            if p["intent"]["name"] not in (gold, FALLBACK_INTENT)
            and float(p["intent"].get("confidence") or 0.0) >= 0.8
        ),
        parse_ms_p50=round(parse_ms[len(parse_ms) // 2], 1),
        parse_ms_p95=round(parse_ms[min(len(parse_ms) - 1, int(len(parse_ms) * 0.95))], 1),
        examples=len(examples),
        intent_accuracy=round(float(accuracy_score(gold_intents, predicted_intents)), 4),
        intent_macro_f1=round(
            float(
                f1_score(
                    gold_intents, predicted_intents, labels=labels, average="macro", zero_division=0
                )
            ),
            4,
        ),
        fallback_rate=round(_ratio(predicted_intents.count(FALLBACK_INTENT), len(examples)), 4),
        accuracy_before_fallback=round(float(accuracy_score(gold_intents, best_guesses)), 4),
        threshold_sweep=sweep_thresholds(
            gold_intents, parsed, (0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8)
        ),
        per_intent=per_intent,
        top_confusions=[(g, p, n) for (g, p), n in confusions.most_common(10)],
        entity_f1=entity_f1,
        per_entity=per_entity,
        misclassified=misclassified,
        entity_errors=entity_errors,
    )


def run(
    config_path: Path, train_fraction: float, seed: int, work_dir: Path | None = None
) -> NluReport:
    """Split, train on the training part, evaluate on the held-out part."""
    split = split_nlu_data(train_fraction=train_fraction, seed=seed)
    with tempfile.TemporaryDirectory(prefix="nlu-eval-") as tmp:
        out_dir = work_dir or Path(tmp)
        started = time.perf_counter()
        model = train_nlu_model(split.train, out_dir, config_path=config_path)
        train_seconds = time.perf_counter() - started
        report = evaluate(model, split.test)
    report.train_seconds = round(train_seconds, 1)
    return report


def format_report(report: NluReport) -> str:
    """A plain-text report: headline figures, per intent, confusions, entities."""
    lines = [
        f"held-out examples      {report.examples}",
        f"intent accuracy        {report.intent_accuracy:.3f}",
        f"intent macro-F1        {report.intent_macro_f1:.3f}",
        f"nlu_fallback rate      {report.fallback_rate:.3f}",
        f"accuracy w/o fallback  {report.accuracy_before_fallback:.3f}",
        f"entity F1 (strict)     {report.entity_f1:.3f}",
        f"NLU training time      {report.train_seconds:.1f} s",
        f"parse time p50 / p95   {report.parse_ms_p50:.1f} / {report.parse_ms_p95:.1f} ms",
        "",
        "fallback threshold sweep (threshold: accuracy, fallback rate)",
        *(
            f"  {threshold}: {accuracy:.3f}, {rate:.3f}"
            for threshold, (accuracy, rate) in report.threshold_sweep.items()
        ),
        "",
        f"{'intent':<24}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>5}",
    ]
    for intent, s in report.per_intent.items():
        lines.append(
            f"{intent:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
            f"{int(s['support']):>5}"
        )
    lines += ["", "top confusions (gold -> predicted: count)"]
    lines += [f"  {g} -> {p}: {n}" for g, p, n in report.top_confusions] or ["  none"]
    lines += ["", f"{'entity':<24}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>5}"]
    for name, e in report.per_entity.items():
        lines.append(f"{name:<24}{e.precision:>7.3f}{e.recall:>7.3f}{e.f1:>7.3f}{e.support:>5}")
    if report.misclassified:
        lines += ["", "misclassified held-out messages"]
        lines += [
            f"  {m['text']!r}: {m['gold']} -> {m['predicted']} ({m['confidence']})"
            for m in report.misclassified
        ]
    if report.entity_errors:
        lines += ["", "held-out messages with entity mistakes (gold | predicted)"]
        lines += [
            f"  {e['text']!r}: {', '.join(e['gold']) or '-'} | {', '.join(e['predicted']) or '-'}"
            for e in report.entity_errors
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--train-fraction", type=float, default=DEFAULT_TRAIN_FRACTION)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    report = run(args.config, args.train_fraction, args.seed)
    print(format_report(report))
    summary = report.as_json() | {"config": str(args.config), "seed": args.seed}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    headline = (
        "intent_accuracy",
        "intent_macro_f1",
        "accuracy_before_fallback",
        "entity_f1",
        "train_seconds",
        "parse_ms_p50",
        "parse_ms_p95",
    )
    print(json.dumps({key: summary[key] for key in headline}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
