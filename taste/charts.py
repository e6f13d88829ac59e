"""Bar charts as plain numbers for the taste page's server-rendered SVG.

The view computes every bar's box here; the templates only place them, and
each chart also has a table with the same figures (its text alternative).
Coordinates are in the SVG's own units (``WIDTH`` × ``HEIGHT``); the image
scales to the page's width.
"""

from dataclasses import dataclass

WIDTH = 400
HEIGHT = 200
LEFT = 40  # room for the value axis ("100%")
BOTTOM = 24  # room for the category labels
TOP = 10
GAP = 0.2  # share of each slot left empty between bars
MAX_BAR_WIDTH = 40  # one or two bars should not fill the chart
GRID_LINES = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    series: int  # 0 the member, 1 the community


@dataclass(frozen=True)
class Slot:
    label: str
    label_x: float
    show_label: bool
    bars: list


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    slots: list
    grid: list
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 16


def bar_chart(labels, *series, percent=False, max_labels=12):
    """A chart of ``labels`` with one bar per series in each slot.

    ``series`` are lists of numbers as long as ``labels``; with ``percent`` the
    axis reads in per cent. At most ``max_labels`` category labels are written
    (evenly spaced), so a long time line stays legible on a phone.
    """
    peak = max((value for values in series for value in values), default=0) or 1
    scale_top = _grid_step(peak) * GRID_LINES
    plot_height = HEIGHT - BOTTOM - TOP
    slot_width = (WIDTH - LEFT) / max(len(labels), 1)
    bar_width = min(slot_width * (1 - GAP) / max(len(series), 1), MAX_BAR_WIDTH)
    group_width = bar_width * len(series)
    step = max(1, -(-len(labels) // max_labels))
    slots = []
    for index, label in enumerate(labels):
        start = LEFT + index * slot_width + (slot_width - group_width) / 2
        bars = []
        for number, values in enumerate(series):
            height = plot_height * values[index] / scale_top
            bars.append(
                Bar(
                    x=round(start + number * bar_width, 2),
                    y=round(HEIGHT - BOTTOM - height, 2),
                    width=round(bar_width, 2),
                    height=round(height, 2),
                    value=values[index],
                    series=number,
                )
            )
        slots.append(
            Slot(
                label=label,
                label_x=round(LEFT + (index + 0.5) * slot_width, 2),
                show_label=index % step == 0,
                bars=bars,
            )
        )
    grid = []
    for line in range(GRID_LINES + 1):
        value = scale_top * line / GRID_LINES
        text = f"{value:g}%" if percent else f"{value:g}"
        grid.append(GridLine(round(HEIGHT - BOTTOM - plot_height * line / GRID_LINES, 2), text))
    return BarChart(slots=slots, grid=grid)


def _grid_step(peak):
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ (at least 1) that fits ``peak`` in ``GRID_LINES``
    steps, so every grid line reads as a whole number (2.5 only from 25 up) and a
    share of 100% tops the axis at 100%, not 200%."""
    target = peak / GRID_LINES
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = magnitude * factor
            if step >= target and step == int(step):
                return int(step)
        magnitude *= 10


def percentages(counts):
    total = sum(counts)
    return [round(100 * count / total, 1) if total else 0 for count in counts]
