"""Angle definitions on hand-built joint positions (body frame: x forward, y up)."""

import numpy as np
import pytest

from sprintcv.metrics.kinematics import joint_angle_deg, segment_angle_deg, trunk_lean_deg


@pytest.mark.parametrize(
    ("distal", "expected"),
    [
        ((0.0, -1.0), 0.0),      # knee straight below the hip
        ((1.0, -1.0), 45.0),     # knee ahead and below: 45 deg in front
        ((1.0, 0.0), 90.0),      # thigh horizontal in front
        ((-1.0, -1.0), -45.0),   # knee behind the hip
        ((np.sqrt(3), -1.0), 60.0),
    ],
)
def test_segment_angle_sign_and_value(distal, expected):
    assert segment_angle_deg(np.zeros(2), np.array(distal)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("a", "c", "expected"),
    [
        ((0, 1), (0, -1), 180.0),    # straight limb
        ((0, 1), (1, 0), 90.0),      # right angle, the elbow cue
        ((0, 1), (np.sqrt(3), -1), 120.0),
        ((0, 1), (-1, 0), 90.0),     # interior angle does not depend on bending side
    ],
)
def test_joint_angle_interior(a, c, expected):
    assert joint_angle_deg(np.array(a, float), np.zeros(2), np.array(c, float)) == pytest.approx(expected, abs=1e-9)


def test_trunk_lean_forward_positive():
    hip = np.array([[0.0, 0.0], [0.0, 0.0]])
    shoulder = np.array([[0.0, 1.0], [np.tan(np.radians(10)), 1.0]])
    np.testing.assert_allclose(trunk_lean_deg(hip, shoulder), [0.0, 10.0], atol=1e-9)


def test_nan_propagates():
    assert np.isnan(segment_angle_deg(np.array([np.nan, 0.0]), np.array([0.0, -1.0])))


def test_window_max_needs_a_covered_window():
    from sprintcv.metrics.kinematics import value_at, window_max

    t = np.arange(10) / 10.0
    y = np.arange(10.0)
    assert window_max(y, t, 0.2, 0.5) == 5.0
    y[3:6] = np.nan
    assert np.isnan(window_max(y, t, 0.2, 0.5))  # 1 of 4 samples left: the peak may be gone
    assert np.isnan(window_max(y, t, np.nan, 0.5))
    assert value_at(np.arange(10.0), t, 0.25) == pytest.approx(2.5)
    assert np.isnan(value_at(np.arange(10.0), t, 1.5))


def test_value_at_does_not_bridge_a_gap():
    from sprintcv.metrics.kinematics import value_at

    t = np.arange(10) / 10.0
    y = np.arange(10.0)
    y[4] = np.nan
    assert value_at(y, t, 0.3) == 3.0                       # on a sample
    assert value_at(y, t, 0.55) == pytest.approx(5.5)       # between two finite samples
    assert np.isnan(value_at(y, t, 0.4))                    # the sample itself is missing
    assert np.isnan(value_at(y, t, 0.35))                   # one of the two around it is missing
    assert value_at(y, t, 0.9) == 9.0                       # the last sample


def test_broken_leg_samples_flag_a_segment_of_the_wrong_length(times):
    from sprintcv.joints import MEDIAPIPE_JOINTS
    from sprintcv.metrics.kinematics import angle_series, broken_leg_samples, hide_broken_legs, step_kinematics

    from .conftest import LEG, contact, figure

    names = MEDIAPIPE_JOINTS
    xy = figure(times, thigh={"right": lambda s: 30.0 * np.sin(2 * np.pi * s)}, knee={"right": 150.0})
    right_ankle, right_knee = names.index("right_ankle"), names.index("right_knee")
    # sample 40: the right ankle drawn 30% further from the knee (a joint on the wrong limb)
    xy[40, right_ankle] = xy[40, right_knee] + 1.3 * (xy[40, right_ankle] - xy[40, right_knee])
    # sample 60: 15% (within the 20% a side view allows)
    xy[60, right_ankle] = xy[60, right_knee] + 1.15 * (xy[60, right_ankle] - xy[60, right_knee])
    broken = broken_leg_samples(xy, names)
    assert np.flatnonzero(broken["right"]).tolist() == [40] and not broken["left"].any()
    angles = hide_broken_legs(angle_series(xy, names), broken)
    for k in ("thigh", "shin", "knee"):
        assert np.isnan(angles[f"right_{k}_deg"][40]) and np.isfinite(angles[f"right_{k}_deg"][[39, 41, 60]]).all()
        assert np.isfinite(angles[f"left_{k}_deg"]).all()
    # a touchdown on the broken sample, and one next to it: no knee or shin angle for either
    cols = step_kinematics(angles, xy, names, times, [contact("right", 0.40, 0.50), contact("right", 0.395, 0.50),
                                                       contact("right", 0.60, 0.70)], LEG)
    assert np.isnan(cols["knee_td_deg"][:2]).all() and np.isnan(cols["shin_td_deg"][:2]).all()
    assert cols["knee_td_deg"][2] == pytest.approx(150.0, abs=1.0)  # the 15% one is kept
