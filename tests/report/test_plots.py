"""Plots draw the expected artists into the given axes and never open windows."""

import matplotlib

matplotlib.use("Agg")

import subprocess
import sys
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from sprintcv.events import Contact
from sprintcv.report import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _contacts():
    return [Contact("left", 0.1, 0.2, 0, 0, 1, 1), Contact("right", 0.32, np.nan, 0, 0, 1, 1)]


def _steps():
    return {"step": np.array([1, 2, 3]), "foot": np.array(["left", "right", "left"], dtype=object),
            "contact_s": np.array([0.1, 0.12, np.nan]), "flight_s": np.array([0.11, np.nan, np.nan]),
            "resolution_s": np.full(3, 1 / 120)}


@pytest.fixture
def new_ax():
    fig, ax = plt.subplots()
    yield fig, ax
    plt.close(fig)


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ------------------------------------------------------------------------------- joint angles


def test_joint_angles_lines_and_contact_shading():
    t = np.linspace(0, 0.5, 61)
    angles = {"left_thigh_deg": np.sin(t), "right_thigh_deg": np.cos(t), "left_knee_deg": t * 10}
    fig, ax = plots.plot_joint_angles(t, angles, _contacts())
    assert isinstance(fig, Figure)
    assert len(ax.lines) == 3 + 1  # three series and the zero line
    spans = list(ax.patches)
    assert len(spans) == 2
    left, right = spans
    assert left.get_x() == pytest.approx(0.1) and left.get_x() + left.get_width() == pytest.approx(0.2)
    # The open-ended right contact runs to the end of the data (the plot edge).
    assert right.get_x() == pytest.approx(0.32) and right.get_x() + right.get_width() == pytest.approx(0.5)
    assert ax.get_xlim() == pytest.approx((0.0, 0.5))
    assert left.get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.FOOT_COLORS["left"]))
    assert right.get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.FOOT_COLORS["right"]))
    texts = _legend_texts(ax)
    assert {"left thigh", "right thigh", "left knee", "left contact", "right contact"} <= set(texts)


def test_joint_angles_open_start_and_line_colours():
    t = np.linspace(0, 1, 11)
    contacts = [Contact("left", np.nan, 0.3, 0, 0, 1, 1), Contact("right", np.nan, np.nan, 0, 0, 1, 1)]
    angles = {"left_thigh_deg": t, "right_thigh_deg": -t}
    _, ax = plots.plot_joint_angles(t, angles, contacts)
    first, whole = ax.patches
    assert first.get_x() == pytest.approx(0.0) and first.get_width() == pytest.approx(0.3)
    assert whole.get_x() == pytest.approx(0.0) and whole.get_width() == pytest.approx(1.0)
    colours = [line.get_color() for line in ax.lines[:2]]
    assert colours == [plots.FOOT_COLORS["left"], plots.FOOT_COLORS["right"]]


def test_joint_angles_draws_into_given_ax(new_ax):
    fig, ax = new_ax
    t = np.linspace(0, 0.5, 6)
    out = plots.plot_joint_angles(t, {"left_thigh_deg": t}, [], ax=ax)
    assert out[0] is fig and out[1] is ax
    assert not ax.patches


def test_joint_angles_nan_and_missing_keys_do_not_crash():
    t = np.linspace(0, 0.5, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no artists with labels" warning either
        _, ax = plots.plot_joint_angles(t, {}, [])
    assert len(ax.lines) == 1 and ax.get_legend() is None
    _, ax = plots.plot_joint_angles(t, {"left_knee_deg": np.full(6, np.nan)}, _contacts())
    assert len(ax.lines) == 2


# --------------------------------------------------------------------------- contact / flight


def test_contact_flight_bars_in_ms_nan_not_drawn():
    fig, ax = plots.plot_contact_flight(_steps())
    assert isinstance(fig, Figure)
    # Exactly the three finite values, as bars, in ms; NaNs leave no patch behind.
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [100.0, 110.0, 120.0]
    assert ax.get_ylabel() == "time (ms)"
    by_x = {round(p.get_x() + p.get_width() / 2, 6): p for p in ax.patches}
    # Contact bars left of the step number, flight bars right of it, coloured by foot.
    left_rgb = matplotlib.colors.to_rgb(plots.FOOT_COLORS["left"])
    right_rgb = matplotlib.colors.to_rgb(plots.FOOT_COLORS["right"])
    assert by_x[round(1 - 0.19, 6)].get_facecolor()[:3] == pytest.approx(left_rgb)
    assert by_x[round(1 + 0.19, 6)].get_height() == pytest.approx(110.0)
    assert by_x[round(2 - 0.19, 6)].get_facecolor()[:3] == pytest.approx(right_rgb)
    assert {"left", "right", "contact", "flight"} <= set(_legend_texts(ax))


def test_contact_flight_error_bars_one_frame():
    _, ax = plots.plot_contact_flight(_steps())
    error_bars = [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]
    segments = [seg for c in error_bars for seg in c.lines[2][0].get_segments()]
    assert len(segments) == 3  # one per drawn bar
    for seg in segments:
        assert seg[1][1] - seg[0][1] == pytest.approx(2 * 1000 / 120)


def test_contact_flight_without_resolution_and_all_nan(new_ax):
    fig, ax = new_ax
    steps = _steps()
    del steps["resolution_s"]
    steps["contact_s"] = np.full(3, np.nan)
    steps["flight_s"] = np.full(3, np.nan)
    out = plots.plot_contact_flight(steps, ax=ax)
    assert out[0] is fig and out[1] is ax
    assert not ax.patches
    assert not [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]


# ---------------------------------------------------------------------------------- velocity


def test_velocity_fly10_zone_and_gate_lines():
    d = np.linspace(-2, 12, 50)
    gates = [{"at_m": 0.0, "t_s": 0.3}, {"at_m": 10.0, "t_s": 1.4}]
    fig, ax = plots.plot_velocity(d, np.full(50, 9.0), gates=gates)
    assert isinstance(fig, Figure)
    (zone,) = ax.patches
    assert zone.get_x() == pytest.approx(0.0) and zone.get_x() + zone.get_width() == pytest.approx(10.0)
    assert "fly-10" in _legend_texts(ax)
    assert "fly-10" in [t.get_text() for t in ax.texts]
    assert len(ax.lines) == 1 + 2  # speed and one line per gate
    assert sorted(line.get_xdata()[0] for line in ax.lines[1:]) == [0.0, 10.0]
    assert ax.get_xlabel() == "distance (m)" and ax.get_ylabel() == "speed (m/s)"


def test_velocity_not_fly10_and_nan_gates():
    d = np.linspace(-2, 22, 50)
    _, ax = plots.plot_velocity(d, np.full(50, 9.0), gates=[{"at_m": 0.0}, {"at_m": 20.0}])
    assert not ax.patches  # not a fly-10: no zone
    assert len(ax.lines) == 3
    _, ax = plots.plot_velocity(d, np.full(50, 9.0), gates=[{"at_m": np.nan}, {"at_m": None}, {"at_m": 10.0}])
    assert not ax.patches and len(ax.lines) == 2


def test_velocity_all_nan_and_given_ax(new_ax):
    fig, ax = new_ax
    out = plots.plot_velocity(np.arange(5.0), np.full(5, np.nan), ax=ax)
    assert out[0] is fig and out[1] is ax
    assert ax.get_ylim() == (0.0, 1.0)


def test_velocity_time(new_ax):
    fig, ax = plots.plot_velocity_time(np.arange(5.0), np.array([0, 2, np.nan, 6, 8.0]))
    assert isinstance(fig, Figure) and len(ax.lines) == 1
    assert ax.get_xlabel() == "time (s)"
    fig2, ax2 = new_ax
    assert plots.plot_velocity_time(np.arange(3.0), np.ones(3), ax=ax2) == (fig2, ax2)


# ------------------------------------------------------------------------------- front/back


def test_front_back_bars_nan_safe():
    angles = {"left_thigh_deg": np.array([-30.0, 10.0, 70.0, np.nan]), "right_thigh_deg": np.array([np.nan] * 4)}
    fig, ax = plots.plot_front_back(angles)
    assert isinstance(fig, Figure)
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [-30.0, 70.0]  # right leg unknown: nothing drawn
    assert all(p.get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(plots.FOOT_COLORS["left"]))
               for p in ax.patches)


def test_front_back_both_legs_into_given_ax(new_ax):
    fig, ax = new_ax
    angles = {"left_thigh_deg": np.array([-20.0, 60.0]), "right_thigh_deg": np.array([-25.0, 55.0])}
    assert plots.plot_front_back(angles, ax=ax) == (fig, ax)
    rows = sorted((round(p.get_y() + p.get_height() / 2), p.get_width()) for p in ax.patches)
    assert rows == [(0, -20.0), (0, 60.0), (1, -25.0), (1, 55.0)]
    _, ax = plots.plot_front_back({})  # no thighs at all
    assert not ax.patches


# ------------------------------------------------------------------------------------ saving


def test_save_figure_writes_png_and_leaves_nothing_open(tmp_path):
    before = plt.get_fignums()
    fig, _ = plots.plot_velocity_time(np.arange(5.0), np.arange(5.0))
    path = plots.save_figure(fig, tmp_path / "sub" / "v.png")
    assert path == tmp_path / "sub" / "v.png"
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert plt.get_fignums() == before
    assert not list(path.parent.glob("*.part"))


def test_save_figure_closes_pyplot_figure(tmp_path):
    before = plt.get_fignums()
    fig, ax = plt.subplots()
    plots.plot_contact_flight(_steps(), ax=ax)
    plots.save_figure(fig, tmp_path / "cf.png", dpi=50)
    assert plt.get_fignums() == before
    assert (tmp_path / "cf.png").read_bytes()[:8] == PNG_SIGNATURE


def test_importing_the_module_has_no_side_effects():
    code = ("import sys, matplotlib\n"
            "raw = lambda: dict.__getitem__(matplotlib.rcParams, 'backend')\n"
            "before = raw()\n"
            "import sprintcv.report.plots\n"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
            "assert raw() is before, 'backend changed'\n")
    env = {"PATH": "/usr/bin:/bin"}  # no MPLBACKEND from the test run
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr


def test_front_side_share_points_and_means(new_ax):
    steps = {"step": np.array([1, 2, 3, 4]), "foot": np.array(["left", "right", "left", "right"], dtype=object),
             "front_side_share": np.array([0.40, 0.50, 0.44, np.nan])}
    fig, ax = plots.plot_front_side_share(steps, ax=new_ax[1])
    points = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert sorted(len(line.get_xdata()) for line in points) == [1, 2]  # NaN not drawn
    means = sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert means == pytest.approx([42.0, 50.0])
    assert ax.get_ylim() == (0.0, 100.0)
    assert list(ax.get_xticks()) == [1, 2, 3, 4]
