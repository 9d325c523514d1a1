"""Charts for admin replies, drawn off-screen with matplotlib's Agg canvas.

Uses the object-oriented API (`Figure` + `FigureCanvasAgg`), never `pyplot`: no global
figure registry, no GUI backend, nothing leaks between calls or threads.
"""

from __future__ import annotations

import io
from datetime import datetime

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100  # 800 x 400 px: sharp in a chat, small to send
_BAR_COLOUR = "#e23744"
_TICK_STEPS = (1, 2, 3, 6, 12, 24, 48, 168)  # hours between labels
_MAX_TICKS = 12


def orders_per_hour_png(points: list[tuple[datetime, int]], title: str) -> bytes:
    """A bar chart of orders per hour as PNG bytes; no points draws an empty, labelled chart."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself as the figure's canvas: Agg, no GUI, no pyplot
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=13)
    axes.set_ylabel("orders")
    axes.set_xlabel("hour (UTC)")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if points:
        _draw_bars(axes, points)
    else:
        axes.set_ylim(0, 1)
        axes.set_xticks([])
        axes.text(0.5, 0.5, "no orders yet", ha="center", va="center",
                  transform=axes.transAxes, color="grey")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _draw_bars(axes: Axes, points: list[tuple[datetime, int]]) -> None:
    """Bars at hour positions 0..n-1, labelled with clock times (and days past 24 h)."""
    counts = [count for _, count in points]
    axes.bar(range(len(points)), counts, width=0.9, align="edge", color=_BAR_COLOUR)
    axes.set_xlim(0, len(points))
    axes.set_ylim(0, max(1, *counts) * 1.1)
    step = next((s for s in _TICK_STEPS if len(points) / s <= _MAX_TICKS), _TICK_STEPS[-1])
    spans_days = len(points) > 24
    ticks = range(0, len(points), step)
    axes.set_xticks(list(ticks))
    axes.set_xticklabels([_label(points[i][0], spans_days) for i in ticks])


def _label(hour: datetime, spans_days: bool) -> str:
    if spans_days and hour.hour == 0:
        return hour.strftime("%a %d %b")
    return hour.strftime("%H:00" if not spans_days else "%a %H:00")
