"""Fault injection for ``/api/`` requests: latency, random errors, timeouts and outages.

Order for each request: wait the drawn latency; then an outage answers 503; then with
probability ``timeout_rate`` the request is held ``timeout_hold_s`` and answered 504; then with
probability ``error_rate`` it is answered 503. The RNG and the sleep function are injected so
tests are exact and fast.

Latency distributions (``LatencySpec``): ``none``; ``fixed`` (``median_ms``); ``uniform``
(``min_ms``..``max_ms``); ``lognormal`` (median ``median_ms``, shape ``sigma``, optionally capped
at ``max_ms``). The command line takes ``none``, ``fixed:MS``, ``uniform:MIN:MAX`` or
``lognormal:MEDIAN:SIGMA``.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

DISTRIBUTIONS = ("none", "fixed", "uniform", "lognormal")
DEFAULT_TIMEOUT_HOLD_S = 5.0

Sleep = Callable[[float], Awaitable[Any]]


class FaultConfigError(ValueError):
    """A fault setting is malformed or out of range."""


@dataclass(frozen=True)
class LatencySpec:
    distribution: str = "none"
    median_ms: float = 0.0
    sigma: float = 0.0
    min_ms: float = 0.0
    max_ms: float | None = None

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise FaultConfigError(f"latency distribution must be one of {DISTRIBUTIONS}")
        for name in ("median_ms", "sigma", "min_ms"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise FaultConfigError(f"latency {name} must be a finite number >= 0")
        if self.max_ms is not None and (not math.isfinite(self.max_ms) or self.max_ms < 0):
            raise FaultConfigError("latency max_ms must be a finite number >= 0")
        if self.distribution == "uniform" and (self.max_ms is None or self.max_ms < self.min_ms):
            raise FaultConfigError("uniform latency needs max_ms >= min_ms")
        if self.distribution == "lognormal" and self.median_ms <= 0:
            raise FaultConfigError("lognormal latency needs median_ms > 0")

    @classmethod
    def parse(cls, text: str) -> LatencySpec:
        """``none`` | ``fixed:MS`` | ``uniform:MIN:MAX`` | ``lognormal:MEDIAN:SIGMA``."""
        name, *args = text.strip().split(":")
        try:
            numbers = [float(a) for a in args]
        except ValueError as exc:
            raise FaultConfigError(f"latency numbers must be numeric: {text!r}") from exc
        expected = {"none": 0, "fixed": 1, "uniform": 2, "lognormal": 2}.get(name)
        if expected is None or len(numbers) != expected:
            raise FaultConfigError(
                f"latency must be none, fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:SIGMA; "
                f"got {text!r}"
            )
        if name == "fixed":
            return cls("fixed", median_ms=numbers[0])
        if name == "uniform":
            return cls("uniform", min_ms=numbers[0], max_ms=numbers[1])
        if name == "lognormal":
            return cls("lognormal", median_ms=numbers[0], sigma=numbers[1])
        return cls()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LatencySpec:
        unknown = set(data) - {"distribution", "median_ms", "sigma", "min_ms", "max_ms"}
        if unknown:
            raise FaultConfigError(f"unknown latency field {sorted(unknown)[0]!r}")
        try:
            max_ms = data.get("max_ms")
            return cls(
                distribution=str(data.get("distribution", "none")),
                median_ms=float(data.get("median_ms", 0.0)),
                sigma=float(data.get("sigma", 0.0)),
                min_ms=float(data.get("min_ms", 0.0)),
                max_ms=None if max_ms is None else float(max_ms),
            )
        except (TypeError, ValueError) as exc:
            raise FaultConfigError("latency fields must be numbers") from exc

    def draw_ms(self, rng: random.Random) -> float:
        """One latency sample in milliseconds."""
        if self.distribution == "fixed":
            value = self.median_ms
        elif self.distribution == "uniform":
            value = rng.uniform(self.min_ms, self.max_ms or self.min_ms)
        elif self.distribution == "lognormal":
            value = rng.lognormvariate(math.log(self.median_ms), self.sigma)
        else:
            return 0.0
        if self.max_ms is not None:
            value = min(value, self.max_ms)
        return max(0.0, value)


@dataclass(frozen=True)
class FaultSettings:
    latency: LatencySpec = field(default_factory=LatencySpec)
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_hold_s: float = DEFAULT_TIMEOUT_HOLD_S
    outage: bool = False

    def __post_init__(self) -> None:
        for name in ("error_rate", "timeout_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise FaultConfigError(f"{name} must be between 0 and 1")
        if not math.isfinite(self.timeout_hold_s) or self.timeout_hold_s < 0:
            raise FaultConfigError("timeout_hold_s must be a finite number >= 0")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: Mapping[str, Any]) -> FaultSettings:
        """A copy with the fields in ``changes`` (a ``PUT /_sandbox/faults`` body) applied."""
        unknown = set(changes) - {
            "latency",
            "error_rate",
            "timeout_rate",
            "timeout_hold_s",
            "outage",
        }
        if unknown:
            raise FaultConfigError(f"unknown fault setting {sorted(unknown)[0]!r}")
        values: dict[str, Any] = {}
        if "latency" in changes:
            latency = changes["latency"]
            if not isinstance(latency, Mapping):
                raise FaultConfigError("latency must be an object")
            values["latency"] = LatencySpec.from_json(latency)
        for name in ("error_rate", "timeout_rate", "timeout_hold_s"):
            if name in changes:
                value = changes[name]
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise FaultConfigError(f"{name} must be a number")
                values[name] = float(value)
        if "outage" in changes:
            if not isinstance(changes["outage"], bool):
                raise FaultConfigError("outage must be true or false")
            values["outage"] = changes["outage"]
        return replace(self, **values)


@dataclass(frozen=True)
class Verdict:
    """What to do with one request after its latency: pass it on, or answer with ``status``."""

    status: int | None = None
    message: str = ""

    @property
    def passes(self) -> bool:
        return self.status is None


PASS = Verdict()


class FaultInjector:
    """Applies the current ``FaultSettings`` to requests."""

    def __init__(
        self,
        settings: FaultSettings | None = None,
        *,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.initial = settings or FaultSettings()
        self.settings = self.initial
        self._rng = rng or random.Random()
        self._sleep = sleep

    def reset(self) -> None:
        """Back to the settings the sandbox started with (its default latency stays on)."""
        self.settings = self.initial

    async def apply(self) -> Verdict:
        """Wait the latency, then decide whether the request fails."""
        s = self.settings
        delay_ms = s.latency.draw_ms(self._rng)
        if delay_ms > 0:
            await self._sleep(delay_ms / 1000.0)
        if s.outage:
            return Verdict(503, "the PAS is unavailable (outage)")
        if s.timeout_rate and self._rng.random() < s.timeout_rate:
            await self._sleep(s.timeout_hold_s)
            return Verdict(504, "the PAS timed out")
        if s.error_rate and self._rng.random() < s.error_rate:
            return Verdict(503, "the PAS is unavailable (injected error)")
        return PASS
