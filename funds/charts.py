"""Geometry of the funds pages' inline SVG charts (no script: the CSP allows none inline): budget against
spending by category as bars, and cumulative spending by month as a line against the budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from funds.models import ZERO
from funds.selectors import CategoryLine, MonthPoint

BAR_WIDTH = 320
LINE_WIDTH, LINE_HEIGHT, PAD = 480, 180, 28


@dataclass(frozen=True)
class Bar:
    line: CategoryLine
    budget_width: float
    spent_width: float


def bars(lines: Sequence[CategoryLine]) -> list[Bar]:
    """Each category's budget and spending as widths in a ``BAR_WIDTH`` box, on one scale."""
    largest = max([*(max(line.budget, line.spent) for line in lines), Decimal("1")])
    scale = Decimal(BAR_WIDTH) / largest
    return [
        Bar(line, float(round(max(line.budget, ZERO) * scale, 1)), float(round(max(line.spent, ZERO) * scale, 1)))
        for line in lines
    ]


@dataclass(frozen=True)
class LineChart:
    points: str
    budget_y: float
    dots: list[tuple[float, float, MonthPoint]]
    width: int = LINE_WIDTH
    height: int = LINE_HEIGHT


def spending_line(points: Sequence[MonthPoint], budget: Decimal) -> LineChart | None:
    """Cumulative spending per month as a polyline, and the budget as a horizontal line, in one box."""
    if not points:
        return None
    top = max([budget, *(p.cumulative for p in points), Decimal("1")])
    inner_w, inner_h = LINE_WIDTH - 2 * PAD, LINE_HEIGHT - 2 * PAD
    step = inner_w / (len(points) - 1) if len(points) > 1 else 0

    def y(value: Decimal) -> float:
        return round(PAD + inner_h * (1 - float(max(value, ZERO) / top)), 1)

    dots = []
    for index, point in enumerate(points):
        x = round(PAD + (index * step if len(points) > 1 else inner_w / 2), 1)
        dots.append((x, y(point.cumulative), point))
    return LineChart(points=" ".join(f"{x},{yy}" for x, yy, _p in dots), budget_y=y(budget), dots=dots)
