"""Plots across clips: the reps of a session and an athlete's weeks.

Same rules as :mod:`sprintcv.report.plots`: plain arrays in, a pyplot-free figure out as
``(fig, axes)`` (one axes per metric), no window, no global backend; NaN values are left out
of the drawing. Save with :func:`sprintcv.report.plots.save_figure`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .plots import GATE_COLOR, NEUTRAL_COLOR, _legend_if_any

#: Display of each metric: label, unit, scale (value * scale is drawn).
METRIC_DISPLAY: dict[str, tuple[str, str, float]] = {
    "fly10_s": ("fly-10", "s", 1.0),
    "speed_peak_mps": ("top speed", "m/s", 1.0),
    "contact_s_mean": ("contact time", "ms", 1000.0),
    "step_frequency_hz": ("step frequency", "Hz", 1.0),
}
_MARKER_COLOR = "#d62728"


def _figure(n: int, axes: Sequence[Axes] | None, width: float = 8.0) -> tuple[Figure, list[Axes]]:
    if axes is not None:
        if len(axes) != n:
            raise ValueError(f"need {n} axes, got {len(axes)}")
        return axes[0].figure, list(axes)
    fig = Figure(figsize=(width, 1.0 + 2.1 * n), layout="constrained")
    return fig, list(np.atleast_1d(fig.subplots(n, 1, sharex=True)))


def _drawable(series: Mapping[str, np.ndarray]) -> list[str]:
    return [k for k, v in series.items() if np.isfinite(np.asarray(v, dtype=float)).any()]


def _min_span(ax: Axes, values: np.ndarray, rel: float) -> None:
    """Y limits at least ``rel`` of the mean either side, so that a 1 % change between reps
    does not fill the panel."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return
    mid = 0.5 * (finite.min() + finite.max())
    half = max(0.5 * (finite.max() - finite.min()) * 1.15, rel * abs(float(np.mean(finite))))
    if half > 0:
        ax.set_ylim(mid - half, mid + half)


def plot_rep_trend(
    labels: Sequence[str],
    series: Mapping[str, np.ndarray],
    *,
    marker_index: int | None = None,
    levels: Mapping[str, float] | None = None,
    axes: Sequence[Axes] | None = None,
) -> tuple[Figure, list[Axes]]:
    """One panel per metric across the reps of a session, the conditioning marker shaded.

    Parameters
    ----------
    labels : sequence of str, length n
        Rep labels, in rep order.
    series : mapping of str to ndarray, shape (n,)
        Metric per rep, keyed as in :data:`METRIC_DISPLAY` (others are drawn unscaled, with
        their key as label). Metrics with no finite value are not drawn.
    marker_index : int, optional
        First rep of the conditioning part (:func:`sprintcv.compare.conditioning_marker`):
        it and the reps after it are shaded.
    levels : mapping of str to float, optional
        A dashed horizontal line per metric (unscaled), e.g. the conditioning threshold
        relative to the best rep.
    axes : sequence of Axes, optional
        One per drawn metric; new figure when None.

    Returns
    -------
    fig : Figure
    axes : list of Axes
    """
    keys = _drawable(series) or list(series)[:1]
    fig, axs = _figure(max(len(keys), 1), axes)
    x = np.arange(len(labels))
    for ax, key in zip(axs, keys):
        name, unit, scale = METRIC_DISPLAY.get(key, (key, "", 1.0))
        y = np.asarray(series[key], dtype=float) * scale
        ok = np.isfinite(y)
        ax.plot(x[ok], y[ok], "o-", color=NEUTRAL_COLOR, lw=1.2)
        level = (levels or {}).get(key)
        shown = y
        if level is not None and np.isfinite(level):
            ax.axhline(level * scale, ls="--", lw=1, color=_MARKER_COLOR, label="conditioning threshold")
            shown = np.append(y, level * scale)
        _min_span(ax, shown, 0.05)
        ax.set_ylabel(f"{name} ({unit})" if unit else name)
        if marker_index is not None and 0 <= marker_index < len(labels):
            ax.axvspan(marker_index - 0.5, len(labels) - 0.5, color=_MARKER_COLOR, alpha=0.1, lw=0,
                       label="conditioning" if ax is axs[0] else None)
        ax.grid(alpha=0.3)
        _legend_if_any(ax, loc="best", fontsize="small")
    axs[-1].set_xticks(x, list(labels))
    axs[-1].set_xlabel("rep")
    return fig, axs


def plot_history(
    dates: Sequence[str],
    series: Mapping[str, np.ndarray],
    *,
    trends: Mapping[str, Any] | None = None,
    axes: Sequence[Axes] | None = None,
) -> tuple[Figure, list[Axes]]:
    """One panel per metric over an athlete's dates, with the fitted weekly trend.

    Parameters
    ----------
    dates : sequence of str, length n
        ISO dates (``YYYY-MM-DD``), ascending.
    series : mapping of str to ndarray, shape (n,)
        Value per date (:func:`sprintcv.store.per_date`), keyed as :data:`METRIC_DISPLAY`.
    trends : mapping of str to Trend, optional
        :func:`sprintcv.store.weekly_trend` per key; its line is drawn where the slope is
        defined (``intercept`` at the first date, ``slope_per_week``).
    axes : sequence of Axes, optional
        One per metric of ``series``.

    Returns
    -------
    fig : Figure
    axes : list of Axes
    """
    keys = list(series)
    fig, axs = _figure(len(keys), axes)
    days = [dt.date.fromisoformat(str(d)) for d in dates]
    x = np.array(days, dtype="datetime64[D]")
    for ax, key in zip(axs, keys):
        name, unit, scale = METRIC_DISPLAY.get(key, (key, "", 1.0))
        y = np.asarray(series[key], dtype=float) * scale
        ok = np.isfinite(y)
        ax.plot(x[ok], y[ok], "o", color=NEUTRAL_COLOR)
        trend = (trends or {}).get(key)
        if trend is not None and np.isfinite(trend.slope_per_week) and ok.any():
            w = np.array([(d - days[0]).days / 7.0 for d in days])
            w_ok = w[ok]
            line_w = np.array([w_ok.min(), w_ok.max()])
            line_x = np.array([days[0] + dt.timedelta(days=7.0 * v) for v in line_w], dtype="datetime64[D]")
            ax.plot(line_x, (trend.intercept + trend.slope_per_week * line_w) * scale, "--", color=GATE_COLOR,
                    label=f"trend {trend.slope_per_week * scale:+.3g} {unit}/week")
        ax.set_ylabel(f"{name} ({unit})" if unit else name)
        ax.grid(alpha=0.3)
        _legend_if_any(ax, loc="best", fontsize="small")
    axs[-1].set_xlabel("date")
    fig.autofmt_xdate()
    return fig, axs
