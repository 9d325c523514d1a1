"""The orders-per-hour chart: a real PNG of the expected size, even with no data."""

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest

from bot.charts import DPI, HEIGHT_IN, WIDTH_IN, orders_per_hour_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = datetime(2025, 3, 4, tzinfo=UTC)


def hours(count: int) -> list[tuple[datetime, int]]:
    return [(START + timedelta(hours=i), (i * 7) % 13) for i in range(count)]


def decode(png: bytes) -> np.ndarray:
    return matplotlib.image.imread(io.BytesIO(png), format="png")


@pytest.mark.parametrize("count", [0, 1, 15, 7 * 24])
def test_the_chart_is_a_png_of_the_expected_size(count: int) -> None:
    png = orders_per_hour_png(hours(count), "Orders per hour · today")
    assert png.startswith(PNG_SIGNATURE)
    height, width, _channels = decode(png).shape
    assert (width, height) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))


def test_an_empty_period_still_renders_a_chart() -> None:
    png = orders_per_hour_png([], "Orders per hour · today")
    assert png.startswith(PNG_SIGNATURE)
    assert decode(png).std() > 0  # not a blank image: title and axes are drawn


def test_all_zero_counts_render() -> None:
    png = orders_per_hour_png([(START, 0), (START + timedelta(hours=1), 0)], "No orders")
    assert png.startswith(PNG_SIGNATURE)


def test_different_data_draws_a_different_picture() -> None:
    quiet = orders_per_hour_png([(START, 1)], "t")
    busy = orders_per_hour_png([(START, 40)], "t")
    assert quiet != busy


def test_drawing_leaves_no_figure_open_in_pyplot() -> None:
    before = plt.get_fignums()
    orders_per_hour_png(hours(24), "t")
    assert plt.get_fignums() == before


def test_the_bot_starts_without_loading_matplotlib() -> None:
    """matplotlib costs most of a second and tens of MB: loaded at the first chart only."""
    root = Path(__file__).resolve().parents[2]
    script = ("import sys, bot.__main__, bot.wiring; "
              "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
