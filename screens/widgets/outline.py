"""The rounded outline of a control, as the points of a closed `Line`.

A wide line whose colour is not opaque is drawn through the stencil buffer (a full-window
clear and extra pass each frame), so outlines are opaque and one not shown has no points.
A few segments a corner look the same at these radii and cost a software renderer far fewer
triangles.
"""
from __future__ import annotations

import math

SEGMENTS = 6   # per corner


def outline(x: float, y: float, width: float, height: float, radius: float,
            shown: bool = True) -> list[float]:
    if not shown or width <= 0 or height <= 0:
        return []
    r = max(0.0, min(radius, width / 2, height / 2))
    points: list[float] = []
    # corners counter-clockwise from the bottom right: centre, start angle
    for cx, cy, start in ((x + width - r, y + r, -90), (x + width - r, y + height - r, 0),
                          (x + r, y + height - r, 90), (x + r, y + r, 180)):
        for step in range(SEGMENTS + 1):
            angle = math.radians(start + 90 * step / SEGMENTS)
            points += (cx + r * math.cos(angle), cy + r * math.sin(angle))
    return points
