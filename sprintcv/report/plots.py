"""Report plots. Each function takes arrays, draws into ``ax`` (a new figure when None) and
returns ``(fig, ax)``; nothing here shows a window or sets a global backend."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: One colour per foot / leg, everywhere.
FOOT_COLORS = {"left": "#1f77b4", "right": "#ff7f0e"}


def _axes(ax: Axes | None, size: tuple[float, float] = (8.0, 3.6)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def plot_joint_angles(
    t_s: np.ndarray,
    angles: dict[str, np.ndarray],
    contacts: Sequence[Any],
    keys: Sequence[str] = ("left_thigh_deg", "right_thigh_deg", "left_knee_deg", "right_knee_deg"),
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Angles (degrees) over time (s) with each contact shaded in its foot's colour.

    ``contacts``: objects with ``foot``, ``touchdown_s``, ``toeoff_s`` (NaN edges are drawn
    to the edge of the plot).
    """
    fig, ax = _axes(ax)
    t = np.asarray(t_s, float)
    for key in keys:
        if key in angles:
            side = key.split("_")[0]
            style = "-" if "thigh" in key else ":"
            ax.plot(t, angles[key], style, color=FOOT_COLORS.get(side, "0.3"), lw=1.6,
                    label=key.replace("_deg", "").replace("_", " "))
    lo, hi = (t[0], t[-1]) if len(t) else (0.0, 1.0)
    for c in contacts:
        start = c.touchdown_s if np.isfinite(c.touchdown_s) else lo
        end = c.toeoff_s if np.isfinite(c.toeoff_s) else hi
        ax.axvspan(start, end, color=FOOT_COLORS.get(c.foot, "0.5"), alpha=0.15, lw=0)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("angle (deg; thigh + = in front)")
    ax.legend(loc="upper right", fontsize=8, ncol=2)
    return fig, ax


def plot_contact_flight(steps: dict[str, np.ndarray], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Contact and flight time (ms) per step, bars coloured by foot (flight hatched),
    with +/-1 frame error bars when ``resolution_s`` is given."""
    fig, ax = _axes(ax)
    step = np.asarray(steps["step"], float)
    feet = np.asarray(steps["foot"]).astype(str)
    res = np.asarray(steps.get("resolution_s", np.full(len(step), np.nan)), float) * 1000
    width = 0.38
    for key, offset, hatch in (("contact_s", -width / 2, None), ("flight_s", width / 2, "//")):
        values = np.asarray(steps[key], float) * 1000
        ok = np.isfinite(values)
        colors = [FOOT_COLORS.get(f, "0.5") for f in feet[ok]]
        ax.bar(step[ok] + offset, values[ok], width, color=colors, hatch=hatch, alpha=0.9 if hatch is None else 0.5,
               label=key.replace("_s", ""), edgecolor="white",
               yerr=np.where(np.isfinite(res[ok]), res[ok], 0.0), capsize=2)
    ax.set_xlabel("step")
    ax.set_ylabel("time (ms)")
    ax.set_xticks(step)
    handles = [ax.bar([np.nan], [np.nan], color=c, label=f) for f, c in FOOT_COLORS.items()]
    ax.legend(handles=handles, labels=["left (solid: contact, hatched: flight)", "right"], fontsize=8)
    return fig, ax


def _fly_zone(gates: Sequence[dict] | None) -> tuple[float, float] | None:
    if not gates or len(gates) < 2:
        return None
    a, b = float(gates[0]["at_m"]), float(gates[1]["at_m"])
    return (a, b) if abs(b - a - 10.0) < 1e-9 else None


def plot_velocity(
    distance_m: np.ndarray, speed_mps: np.ndarray, gates: Sequence[dict] | None = None, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Speed (m/s) against distance (m); gates as vertical lines, the fly-10 zone shaded."""
    fig, ax = _axes(ax)
    ax.plot(distance_m, speed_mps, color="0.15", lw=1.8, label="speed")
    zone = _fly_zone(gates)
    if zone is not None:
        ax.axvspan(*zone, color="#2ca02c", alpha=0.12, lw=0, label="fly-10")
    for g in gates or []:
        ax.axvline(float(g["at_m"]), color="#2ca02c", lw=1.0)
    ax.set_xlabel("distance (m)")
    ax.set_ylabel("speed (m/s)")
    # From zero, so that a 1% wobble does not look like a collapse.
    top = np.nanmax(speed_mps) if np.isfinite(speed_mps).any() else 1.0
    ax.set_ylim(0, 1.1 * top)
    ax.legend(loc="lower right", fontsize=8)
    return fig, ax


def plot_velocity_time(t_s: np.ndarray, speed_mps: np.ndarray, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Speed (m/s) against time (s)."""
    fig, ax = _axes(ax)
    ax.plot(t_s, speed_mps, color="0.15", lw=1.8)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("speed (m/s)")
    return fig, ax


def plot_front_back(angles: dict[str, np.ndarray], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Front-side vs back-side: per leg, the thigh's furthest angle in front (+) and behind
    (-) of the vertical through the hip, as horizontal bars (degrees)."""
    fig, ax = _axes(ax, (6.0, 2.6))
    for row, side in enumerate(("left", "right")):
        series = np.asarray(angles.get(f"{side}_thigh_deg", []), float)
        series = series[np.isfinite(series)]
        if not len(series):
            continue
        front, back = float(series.max()), float(series.min())
        ax.barh(row, front, color=FOOT_COLORS[side], alpha=0.9)
        ax.barh(row, back, color=FOOT_COLORS[side], alpha=0.45)
        ax.text(front, row, f" {front:.0f}", va="center", fontsize=8)
        ax.text(back, row, f"{back:.0f} ", va="center", ha="right", fontsize=8)
    ax.axvline(0, color="0.3", lw=1)
    ax.set_yticks([0, 1], ["left thigh", "right thigh"])
    ax.set_xlabel("thigh angle (deg): behind the body < 0 < in front")
    return fig, ax


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` as PNG atomically and release it."""
    from ..io.results import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    fig.clear()
    return path
