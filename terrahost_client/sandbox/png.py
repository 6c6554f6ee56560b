"""A tiny PNG encoder and a traffic chart, so graph endpoints return real images.

Palette PNG (colour type 3, 8 bits per pixel): one byte per pixel keeps the
drawing code simple and the files small. No Pillow.
"""

import math
import struct
import zlib
from random import Random

WIDTH = 400
HEIGHT = 150

BACKGROUND, GRID, AXIS, AREA, LINE = range(5)
PALETTE = (
    (255, 255, 255),  # background
    (225, 228, 232),  # grid
    (90, 96, 105),  # axis and border
    (46, 160, 67),  # inbound, filled
    (31, 111, 235),  # outbound, line
)

# Per period: (number of daily cycles across the chart, noise, trend)
PERIODS = {
    "day": (1, 0.08, 0.0),
    "week": (7, 0.12, 0.0),
    "month": (30, 0.15, 0.1),
    "year": (52, 0.2, 0.35),
}


def encode_png(width, height, rows, palette=PALETTE):
    """Encode rows of palette indices (bytes-like, `width` long) as a PNG file."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    plte = b"".join(bytes(colour) for colour in palette)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)  # filter type 0 per row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", plte)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def series(seed_text, period, count):
    """Two deterministic traffic curves (in, out), values in 0..1."""
    cycles, noise, trend = PERIODS[period]
    rng = Random(seed_text)
    base = rng.uniform(0.2, 0.45)
    phase = rng.uniform(0, 2 * math.pi)
    inbound, outbound = [], []
    level = 0.0
    ratio = 0.35
    for x in range(count):
        t = x / count
        # Smoothed noise, so the curve wanders rather than jitters.
        level = 0.85 * level + 0.15 * rng.uniform(-noise, noise) * 3
        ratio = min(0.5, max(0.2, ratio + rng.uniform(-0.02, 0.02)))
        wave = 0.25 * (1 + math.sin(2 * math.pi * cycles * t + phase)) / 2
        value = base + wave + trend * t + level
        inbound.append(min(1.0, max(0.02, value)))
        outbound.append(min(1.0, max(0.01, value * ratio)))
    return inbound, outbound


def traffic_chart(seed_text, period, width=WIDTH, height=HEIGHT):
    """A line/area chart as PNG bytes: filled inbound, outbound as a line."""
    plot_top, plot_bottom = 6, height - 7
    plot_left, plot_right = 6, width - 7
    plot_height = plot_bottom - plot_top
    inbound, outbound = series(seed_text, period, plot_right - plot_left)

    blank = bytearray([BACKGROUND]) * width
    for x in range(plot_left, plot_right, 50):
        blank[x] = GRID
    grid_line = bytearray([BACKGROUND]) * width
    grid_line[plot_left:plot_right] = bytearray([GRID]) * (plot_right - plot_left)
    rows = []
    for y in range(height):
        is_grid = plot_top <= y <= plot_bottom and (plot_bottom - y) % 30 == 0
        rows.append(bytearray(grid_line if is_grid else blank))

    previous = None
    for i, (value_in, value_out) in enumerate(zip(inbound, outbound, strict=True)):
        x = plot_left + i
        top = plot_bottom - int(value_in * plot_height)
        for y in range(top, plot_bottom):
            rows[y][x] = AREA
        y_out = plot_bottom - int(value_out * plot_height)
        low, high = (y_out, y_out) if previous is None else sorted((previous, y_out))
        for y in range(low, high + 1):
            rows[y][x] = LINE
        previous = y_out

    # Axes along the left and bottom of the plot, a thin border around it all.
    for y in range(plot_top, plot_bottom + 1):
        rows[y][plot_left - 1] = AXIS
    rows[plot_bottom][plot_left - 1 : plot_right] = bytearray([AXIS]) * (plot_right - plot_left + 1)
    rows[0][:] = bytearray([AXIS]) * width
    rows[-1][:] = bytearray([AXIS]) * width
    for row in rows:
        row[0] = row[-1] = AXIS
    return encode_png(width, height, rows)
