"""The frame every chart of counts draws its bars or lines in."""

from __future__ import annotations

import reflex as rx


def count_axes(x_key: str) -> tuple[rx.Component, ...]:
    """A chart's dashed grid, its x axis (the `x_key` of each data point), a y axis of whole
    numbers and the tooltip: the first children of a bar or line chart of counts."""
    return (
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key=x_key),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
    )
