"""Plots draw the expected artists into the given axes and never open windows."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sprintcv.events import Contact  # noqa: E402
from sprintcv.report import plots  # noqa: E402


def _contacts():
    return [Contact("left", 0.1, 0.2, 0, 0, 1, 1), Contact("right", 0.32, np.nan, 0, 0, 1, 1)]


def test_joint_angles_lines_and_contact_shading():
    t = np.linspace(0, 0.5, 61)
    angles = {"left_thigh_deg": np.sin(t), "right_thigh_deg": np.cos(t), "left_knee_deg": t * 10}
    fig, ax = plots.plot_joint_angles(t, angles, _contacts())
    assert len(ax.lines) == 3 + 1  # three series and the zero line
    spans = [p for p in ax.patches]
    assert len(spans) == 2
    # The open-ended right contact runs to the end of the data.
    x0, width = spans[1].get_x(), spans[1].get_width()
    assert x0 == pytest.approx(0.32) and x0 + width == pytest.approx(0.5)
    fig2, ax2 = plt.subplots()
    assert plots.plot_joint_angles(t, angles, [], ax=ax2) == (fig2, ax2)
    plt.close(fig2)


def test_contact_flight_bars_in_ms():
    steps = {"step": np.array([1, 2, 3]), "foot": np.array(["left", "right", "left"], dtype=object),
             "contact_s": np.array([0.1, 0.12, np.nan]), "flight_s": np.array([0.11, np.nan, np.nan]),
             "resolution_s": np.full(3, 1 / 120)}
    fig, ax = plots.plot_contact_flight(steps)
    heights = sorted(round(p.get_height(), 6) for p in ax.patches if np.isfinite(p.get_height()))
    assert heights == [100.0, 110.0, 120.0]


def test_velocity_fly10_zone():
    d = np.linspace(-2, 12, 50)
    fig, ax = plots.plot_velocity(d, np.full(50, 9.0), gates=[{"at_m": 0.0, "t_s": 0.3}, {"at_m": 10.0, "t_s": 1.4}])
    zone = [p for p in ax.patches]
    assert len(zone) == 1
    x0, width = zone[0].get_x(), zone[0].get_width()
    assert x0 == pytest.approx(0.0) and x0 + width == pytest.approx(10.0)
    assert "fly-10" in [t.get_text() for t in ax.get_legend().get_texts()]
    fig, ax = plots.plot_velocity(d, np.full(50, 9.0), gates=[{"at_m": 0.0}, {"at_m": 20.0}])
    assert not ax.patches  # not a fly-10: no zone


def test_front_back_bars():
    angles = {"left_thigh_deg": np.array([-30.0, 10.0, 70.0, np.nan]), "right_thigh_deg": np.array([np.nan] * 4)}
    fig, ax = plots.plot_front_back(angles)
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [-30.0, 70.0]  # right leg unknown: nothing drawn


def test_save_figure_writes_png_and_leaves_nothing_open(tmp_path):
    before = plt.get_fignums()
    fig, ax = plots.plot_velocity_time(np.arange(5.0), np.arange(5.0))
    path = plots.save_figure(fig, tmp_path / "v.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == before
    assert not list(tmp_path.glob("*.part"))
