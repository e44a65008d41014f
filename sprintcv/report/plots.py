"""Report plots.

Each function takes plain arrays (not the whole analysis), draws into ``ax`` (a new
:class:`matplotlib.figure.Figure` when ``ax`` is None) and returns ``(fig, ax)``. Nothing here
imports :mod:`matplotlib.pyplot` at import time, shows a window or sets a global backend, so the
module is safe on a headless server. Missing values (NaN) are left out of the drawing rather
than raising.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

#: One colour per foot / leg, used by every plot.
FOOT_COLORS: dict[str, str] = {"left": "#1f77b4", "right": "#ff7f0e"}
#: Colour of anything that belongs to neither foot (unknown foot, speed curve).
NEUTRAL_COLOR = "0.3"
#: Colour of timing gates and the fly-10 zone.
GATE_COLOR = "#2ca02c"
#: Distance between the two gates of a fly-10 (m) and the tolerance to recognise it (m).
FLY10_M = 10.0
_FLY10_TOL_M = 1e-6


def _axes(ax: Axes | None, size: tuple[float, float] = (8.0, 3.6)) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``; a new pyplot-free figure when ``ax`` is None."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _num(value: Any) -> float:
    """``value`` as a float; None and non-numbers become NaN."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _finite_range(values: np.ndarray, default: tuple[float, float] = (0.0, 1.0)) -> tuple[float, float]:
    """(min, max) of the finite values, ``default`` when there are none."""
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else default


def _legend_if_any(ax: Axes, **kwargs: Any) -> None:
    """Draw a legend only when some artist has a label (avoids matplotlib's warning)."""
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(**kwargs)


def _speed_ylim(ax: Axes, speed_mps: np.ndarray) -> None:
    """Speed axis from zero, so that a 1 % wobble does not look like a collapse."""
    _, top = _finite_range(np.asarray(speed_mps, float), (0.0, np.nan))
    ax.set_ylim(0.0, 1.1 * top if top > 0 else 1.0)  # NaN or <= 0: a unit axis


# --------------------------------------------------------------------------------------------
# Joint angles
# --------------------------------------------------------------------------------------------


def _angle_label(key: str) -> str:
    return key.removesuffix("_deg").replace("_", " ")


def _shade_contacts(ax: Axes, contacts: Sequence[Any], lo: float, hi: float) -> None:
    """One ``axvspan`` per contact in its foot's colour; NaN edges go to ``lo`` / ``hi``."""
    labelled: set[str] = set()
    for c in contacts:
        start, end = _num(c.touchdown_s), _num(c.toeoff_s)
        start = start if np.isfinite(start) else lo
        end = end if np.isfinite(end) else hi
        if not end > start:
            continue
        foot = str(c.foot)
        label = f"{foot} contact" if foot not in labelled else None
        labelled.add(foot)
        ax.axvspan(start, end, color=FOOT_COLORS.get(foot, NEUTRAL_COLOR), alpha=0.15, lw=0, label=label)


def plot_joint_angles(
    t_s: np.ndarray,
    angles: Mapping[str, np.ndarray],
    contacts: Sequence[Any],
    keys: Sequence[str] = ("left_thigh_deg", "right_thigh_deg", "left_knee_deg", "right_knee_deg"),
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Joint angles over time with each foot's ground contacts shaded.

    Parameters
    ----------
    t_s : ndarray, shape (n,)
        Sample times (s).
    angles : mapping of str to ndarray, shape (n,)
        Angle series (deg); thigh angles are positive in front of the hip. Keys not present
        are skipped; NaN samples are gaps in the lines.
    contacts : sequence of objects
        Each with ``foot`` (``"left"``/``"right"``), ``touchdown_s`` and ``toeoff_s`` (s). A
        NaN edge (contact in progress at the start or end) is shaded to the edge of the plot.
    keys : sequence of str
        Which series of ``angles`` to draw, in this order. Left/right is taken from the
        prefix; thighs are solid lines, other joints dotted.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : Figure
    ax : Axes
    """
    fig, ax = _axes(ax)
    t = np.asarray(t_s, float)
    for key in keys:
        if key not in angles:
            continue
        side = key.split("_", 1)[0]
        style = "-" if "thigh" in key else ":"
        ax.plot(t, np.asarray(angles[key], float), style, color=FOOT_COLORS.get(side, NEUTRAL_COLOR),
                lw=1.6, label=_angle_label(key))
    lo, hi = _finite_range(t)
    _shade_contacts(ax, contacts, lo, hi)
    ax.axhline(0.0, color="0.6", lw=0.8)
    if hi > lo:
        ax.set_xlim(lo, hi)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("angle (deg; thigh + = in front)")
    _legend_if_any(ax, loc="upper right", fontsize=8, ncol=2)
    return fig, ax


# --------------------------------------------------------------------------------------------
# Contact and flight times
# --------------------------------------------------------------------------------------------

_BAR_WIDTH = 0.38
#: (column, x offset from the step number, hatch, alpha) of the two bars of a step.
_STEP_BARS = (("contact_s", -_BAR_WIDTH / 2, None, 0.9), ("flight_s", _BAR_WIDTH / 2, "//", 0.5))


def _step_bars(ax: Axes, step: np.ndarray, feet: np.ndarray, res_ms: np.ndarray,
               column: np.ndarray, offset: float, hatch: str | None, alpha: float) -> None:
    """Bars (ms) of one column where both the step number and the value are finite."""
    values = np.asarray(column, float) * 1000.0
    ok = np.isfinite(values) & np.isfinite(step)
    x = step[ok] + offset
    colors = [FOOT_COLORS.get(f, NEUTRAL_COLOR) for f in feet[ok]]
    ax.bar(x, values[ok], _BAR_WIDTH, color=colors, hatch=hatch, alpha=alpha, edgecolor="white")
    err = ok & np.isfinite(res_ms)
    if err.any():
        ax.errorbar(step[err] + offset, values[err], yerr=res_ms[err], fmt="none", ecolor="0.2",
                    capsize=2, lw=0.8)


def _contact_flight_legend(ax: Axes) -> None:
    """Proxy handles (not added to the axes): foot colours, then solid/hatched meaning."""
    handles = [Patch(color=c, label=f) for f, c in FOOT_COLORS.items()]
    handles += [Patch(facecolor="0.6", label="contact"),
                Patch(facecolor="0.6", alpha=0.5, hatch="//", edgecolor="white", label="flight")]
    ax.legend(handles=handles, fontsize=8, ncol=2)


def plot_contact_flight(steps: Mapping[str, np.ndarray], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Contact and flight time per step as grouped bars coloured by foot.

    Parameters
    ----------
    steps : mapping of str to ndarray, shape (m,)
        Step table with columns ``step`` (step number), ``foot`` (``"left"``/``"right"``),
        ``contact_s`` and ``flight_s`` (s), and optionally ``resolution_s`` (s, one frame),
        drawn as +/- error bars. A NaN value is not drawn (no bar, no error bar).
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : Figure
    ax : Axes
        Contact bars solid (left of the step number), flight bars hatched (right of it);
        heights in ms.
    """
    fig, ax = _axes(ax)
    step = np.asarray(steps["step"], float)
    feet = np.asarray(steps["foot"]).astype(str)
    res_ms = np.asarray(steps.get("resolution_s", np.full(len(step), np.nan)), float) * 1000.0
    res_ms = np.broadcast_to(res_ms, step.shape)
    for column, offset, hatch, alpha in _STEP_BARS:
        _step_bars(ax, step, feet, res_ms, steps[column], offset, hatch, alpha)
    ax.set_xticks(np.unique(step[np.isfinite(step)]))
    ax.set_xlabel("step")
    ax.set_ylabel("time (ms)")
    _contact_flight_legend(ax)
    return fig, ax


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------


def _gate_positions(gates: Sequence[Mapping[str, Any]] | None) -> list[float]:
    """Finite ``at_m`` of each gate (m), in the given order."""
    at = [_num(g.get("at_m")) for g in gates or []]
    return [a for a in at if np.isfinite(a)]


def _fly_zone(gates: Sequence[Mapping[str, Any]] | None) -> tuple[float, float] | None:
    """(start, end) in m of the first two gates when they are 10 m apart, else None."""
    at = [_num(g.get("at_m")) for g in (gates or [])[:2]]
    if len(at) < 2 or not np.all(np.isfinite(at)):
        return None
    a, b = sorted(at)
    return (a, b) if abs(b - a - FLY10_M) < _FLY10_TOL_M else None


def plot_velocity(
    distance_m: np.ndarray,
    speed_mps: np.ndarray,
    gates: Sequence[Mapping[str, Any]] | None = None,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Horizontal speed against distance, with the timing gates.

    Parameters
    ----------
    distance_m : ndarray, shape (n,)
        Distance along the run (m).
    speed_mps : ndarray, shape (n,)
        Horizontal speed (m/s); NaN samples are gaps.
    gates : sequence of mapping, optional
        Gates as ``{"at_m": ..., "t_s": ...}``; each finite ``at_m`` is a vertical line. When
        the first two are 10 m apart the zone between them is shaded and labelled "fly-10".
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : Figure
    ax : Axes
    """
    fig, ax = _axes(ax)
    ax.plot(np.asarray(distance_m, float), np.asarray(speed_mps, float), color="0.15", lw=1.8, label="speed")
    zone = _fly_zone(gates)
    if zone is not None:
        ax.axvspan(*zone, color=GATE_COLOR, alpha=0.12, lw=0, label="fly-10")
        ax.text(sum(zone) / 2, 0.04, "fly-10", transform=ax.get_xaxis_transform(), ha="center",
                color=GATE_COLOR, fontsize=9)
    for i, at in enumerate(_gate_positions(gates)):
        ax.axvline(at, color=GATE_COLOR, lw=1.0, label="gate" if i == 0 else None)
    ax.set_xlabel("distance (m)")
    ax.set_ylabel("speed (m/s)")
    _speed_ylim(ax, speed_mps)
    ax.legend(loc="lower right", fontsize=8)
    return fig, ax


def plot_velocity_time(t_s: np.ndarray, speed_mps: np.ndarray, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Horizontal speed against time.

    Parameters
    ----------
    t_s : ndarray, shape (n,)
        Sample times (s).
    speed_mps : ndarray, shape (n,)
        Horizontal speed (m/s); NaN samples are gaps.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : Figure
    ax : Axes
    """
    fig, ax = _axes(ax)
    ax.plot(np.asarray(t_s, float), np.asarray(speed_mps, float), color="0.15", lw=1.8)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("speed (m/s)")
    _speed_ylim(ax, speed_mps)
    return fig, ax


# --------------------------------------------------------------------------------------------
# Front side / back side
# --------------------------------------------------------------------------------------------

_LEGS = ("left", "right")


def _thigh_range(angles: Mapping[str, np.ndarray], side: str) -> tuple[float, float] | None:
    """(max in front, max behind) thigh angle (deg) of one leg, None without finite data."""
    series = np.asarray(angles.get(f"{side}_thigh_deg", []), float)
    if not np.isfinite(series).any():
        return None
    lo, hi = _finite_range(series)
    return hi, lo


def plot_front_back(angles: Mapping[str, np.ndarray], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Front-side vs back-side mechanics: each thigh's angle range, in front and behind.

    Parameters
    ----------
    angles : mapping of str to ndarray, shape (n,)
        Uses ``left_thigh_deg`` and ``right_thigh_deg`` (deg, positive in front of the
        vertical through the hip). NaN samples are ignored; a leg without finite samples
        gets no bars.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : Figure
    ax : Axes
        Per leg (row 0 left, row 1 right) two horizontal bars from 0: to the maximum (in
        front, normally > 0, solid) and to the minimum (behind, normally < 0, light).
    """
    fig, ax = _axes(ax, (6.0, 2.6))
    for row, side in enumerate(_LEGS):
        extent = _thigh_range(angles, side)
        if extent is None:
            continue
        front, back = extent
        ax.barh(row, front, color=FOOT_COLORS[side], alpha=0.9)
        ax.barh(row, back, color=FOOT_COLORS[side], alpha=0.45)
        ax.text(front, row, f" {front:.0f}", va="center", ha="left", fontsize=8)
        ax.text(back, row, f"{back:.0f} ", va="center", ha="right", fontsize=8)
    ax.axvline(0.0, color="0.3", lw=1)
    ax.set_yticks(range(len(_LEGS)), [f"{s} thigh" for s in _LEGS])
    ax.set_ylim(-0.6, len(_LEGS) - 0.4)
    ax.set_xlabel("thigh angle (deg): behind the body < 0 < in front")
    return fig, ax


def plot_front_side_share(steps: Mapping[str, np.ndarray], ax: Axes | None = None) -> tuple[Figure, Axes]:
    """Front-side share of each leg cycle per step, left and right, with each leg's mean.

    Parameters
    ----------
    steps : mapping of str to ndarray, shape (m,)
        Step table with ``step``, ``foot`` and ``front_side_share`` (0-1: share of the leg
        cycle starting at that contact with the ankle in front of the body line). NaN values
        are not drawn.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : Figure
    ax : Axes
        Markers per step (percent), a dashed line at each leg's mean, 50% drawn for reference.
    """
    fig, ax = _axes(ax, (6.0, 2.8))
    step = np.asarray(steps["step"], float)
    feet = np.asarray(steps["foot"]).astype(str)
    share = np.asarray(steps["front_side_share"], float) * 100.0
    for side in _LEGS:
        ok = (feet == side) & np.isfinite(share) & np.isfinite(step)
        if not ok.any():
            continue
        ax.plot(step[ok], share[ok], "o", color=FOOT_COLORS[side], label=f"{side} leg")
        ax.axhline(float(share[ok].mean()), color=FOOT_COLORS[side], ls="--", lw=1)
    ax.axhline(50.0, color="0.6", lw=0.8)
    ax.set_ylim(0.0, 100.0)
    ax.set_xticks(np.unique(step[np.isfinite(step)]))
    ax.set_xlabel("step (cycle starting at its touchdown)")
    ax.set_ylabel("ankle in front of body line (%)")
    _legend_if_any(ax, fontsize=8, loc="lower right")
    return fig, ax


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def _close(fig: Figure) -> None:
    """Release ``fig``: through pyplot when pyplot manages it, else by clearing it."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt  # already imported by whoever created this figure

        plt.close(fig)
    else:
        fig.clear()


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` as a PNG atomically, then close it.

    Parameters
    ----------
    fig : Figure
        The figure; closed (or cleared) afterwards, also when writing fails.
    path : str or Path
        Target file; its folder is created. Written to a temporary file beside it and renamed
        into place, so a reader never sees a half-written PNG.
    dpi : int
        Resolution (dots per inch).

    Returns
    -------
    Path
        ``path``.
    """
    from ..io.results import atomic_path

    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi)
    finally:
        _close(fig)
    return path
