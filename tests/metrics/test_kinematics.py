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
