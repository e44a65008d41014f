"""Plots across reps and weeks: the right artists, NaN left out, no window."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from sprintcv.report.plots import save_figure
from sprintcv.report.trends import plot_history, plot_rep_trend
from sprintcv.store import weekly_trend, weeks_since


def test_rep_trend_panels_marker_and_threshold(tmp_path):
    series = {"fly10_s": np.array([1.12, 1.10, np.nan, 1.15]), "speed_peak_mps": np.array([9.0, 9.1, 8.9, 8.8]),
              "contact_s_mean": np.full(4, np.nan)}
    fig, axes = plot_rep_trend(["rep 1", "rep 2", "rep 3", "rep 4"], series, marker_index=3,
                               levels={"fly10_s": 1.10 / 0.97})
    assert isinstance(fig, Figure) and len(axes) == 2  # the all-missing contact panel is left out
    line = axes[0].lines[0]
    np.testing.assert_allclose(line.get_xdata(), [0, 1, 3])  # the missing rep is a gap
    assert axes[0].lines[1].get_ydata()[0] == pytest.approx(1.10 / 0.97)  # threshold line
    assert len(axes[1].patches) == 1  # the conditioning part is shaded from rep 4 on
    assert [t.get_text() for t in axes[1].get_xticklabels()] == ["rep 1", "rep 2", "rep 3", "rep 4"]
    lo, hi = axes[1].get_ylim()
    assert hi - lo >= 0.1 * 8.95 - 1e-9  # a 1 % change does not fill the panel
    assert save_figure(fig, tmp_path / "reps.png").stat().st_size > 1000


def test_history_panels_with_trend_lines():
    dates = ["2025-03-03", "2025-03-10", "2025-03-17", "2025-03-31"]
    w = weeks_since(dates)
    fly = 1.20 - 0.01 * w
    trends = {"fly10_s": weekly_trend(w, fly, metric="fly10_s")}
    fig, axes = plot_history(dates, {"fly10_s": fly, "contact_s_mean": np.array([0.11, np.nan, 0.105, 0.1])},
                             trends=trends)
    assert len(axes) == 2
    points, trend_line = axes[0].lines
    np.testing.assert_allclose(trend_line.get_ydata(), [1.20, 1.16])  # from the first to the last date
    assert "-0.01 s/week" in axes[0].get_legend().get_texts()[0].get_text()
    assert len(axes[1].lines[0].get_xdata()) == 3  # NaN left out, no trend line without a trend
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), [110, 105, 100])  # drawn in ms
