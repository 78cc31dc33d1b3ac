"""Server-drawn SVG line charts for the containment dashboard (no script, no chart library).

``containment_chart`` turns one category's rates per bucket into coordinates the template
draws: a polyline of the rate (gaps where a bucket had no tasks), a dot per bucket with a
``<title>`` tooltip, and a dashed line at the reference figure
(docs/architecture.md, "Reference figures"). ``rows`` holds the same values as text, for the
table under each chart (a tooltip is no way to read a value by keyboard or screen reader).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH = 320
HEIGHT = 160
PAD_LEFT = 34
PAD_RIGHT = 18
PAD_TOP = 10
PAD_BOTTOM = 22


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    # each segment is a run of consecutive buckets that had tasks: "x,y x,y ..."
    segments: tuple[str, ...]
    dots: tuple[Dot, ...]
    benchmark_y: float | None
    benchmark_label: str
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    # (bucket, containment, tasks) for every bucket, in order: the chart's values as text
    rows: tuple[tuple[str, str, int], ...] = ()
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot_left(self) -> int:
        return PAD_LEFT

    @property
    def plot_right(self) -> int:
        return WIDTH - PAD_RIGHT


def _y(rate: float) -> float:
    return round(PAD_TOP + (1 - rate) * (HEIGHT - PAD_TOP - PAD_BOTTOM), 1)


def _x(index: int, step: float, span: float, count: int) -> float:
    return round(PAD_LEFT + index * step, 1) if count > 1 else PAD_LEFT + span / 2


def containment_chart(
    title: str,
    points: list[tuple[date, float | None, int]],
    benchmark: float | None,
) -> LineChart:
    """A chart of ``(bucket start, rate or None, tasks)`` with the reference ``benchmark``."""
    span = WIDTH - PAD_LEFT - PAD_RIGHT
    step = span / max(len(points) - 1, 1)
    segments: list[str] = []
    current: list[str] = []
    dots: list[Dot] = []
    rows = tuple(
        (f"{start:%b} {start.day}", f"{rate:.0%}" if rate is not None else "no tasks", tasks)
        for start, rate, tasks in points
    )
    for index, (start, rate, tasks) in enumerate(points):
        x = _x(index, step, span, len(points))
        if rate is None:
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        y = _y(rate)
        current.append(f"{x},{y}")
        dots.append(Dot(x, y, f"{start:%b} {start.day}: {rate:.0%} of {tasks} tasks"))
    if current:
        segments.append(" ".join(current))
    label_every = max(1, math.ceil(len(points) / 4))
    x_labels = tuple(
        (
            _x(i, step, span, len(points)),
            f"{d:%b} {d.day}",
        )
        for i, (d, _, _) in enumerate(points)
        if i % label_every == 0
    )
    y_ticks = tuple((_y(v), f"{v:.0%}") for v in (0.0, 0.5, 1.0))
    return LineChart(
        title=title,
        segments=tuple(segments),
        dots=tuple(dots),
        benchmark_y=_y(benchmark) if benchmark is not None else None,
        benchmark_label=f"case study {benchmark:.0%}" if benchmark is not None else "",
        x_labels=x_labels,
        y_ticks=y_ticks,
        rows=rows,
    )
