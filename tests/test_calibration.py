"""Lane calibration and the speed metrics on constructed inputs with exact answers."""

import numpy as np
import pytest

from sprintcv.calibration import LEG_FRACTION_OF_HEIGHT, from_gates, from_leg_length, parse_gates
from sprintcv.errors import CalibrationError
from sprintcv.events import Contact
from sprintcv.metrics.speed import crossing_times, split_table, step_lengths_m, velocity_profile


def test_two_gates_linear_both_directions():
    c = from_gates([100.0, 1100.0], 10.0)
    np.testing.assert_allclose(c.to_m([100, 600, 1100]), [0, 5, 10], atol=1e-9)
    r = from_gates([1100.0, 100.0], 10.0)  # running right to left: met in this order
    np.testing.assert_allclose(r.to_m([1100, 100]), [0, 10], atol=1e-9)
    assert c.px_per_m(500) == pytest.approx(100.0)


def test_three_gates_absorb_perspective():
    # A camera not square to the lane: metres are a smooth non-linear function of the column.
    truth = lambda x: 10 * (x - 100) / 1000 + 2e-6 * (x - 100) * (x - 1100)  # noqa: E731
    px = np.array([100.0, 640.0, 1100.0])
    # place gates where the true map gives 0, 5 and 10 m
    from scipy.optimize import brentq
    px[1] = brentq(lambda x: truth(x) - 5.0, 200, 1000)
    c = from_gates(px, 5.0)
    xs = np.linspace(100, 1100, 11)
    np.testing.assert_allclose(c.to_m(xs), truth(xs), atol=1e-6)
    lin = from_gates([100.0, 1100.0], 10.0)
    assert np.max(np.abs(lin.to_m(xs) - truth(xs))) > 0.2  # a single scale would be 0.25 m off


@pytest.mark.parametrize(
    ("gates", "width", "message"),
    [([500.0], 1280, "at least two"), ([100.0, 100.4], 1280, "repeat"), ([100.0, 1500.0], 1280, "outside"),
     ([100.0, 600.0, 300.0], 1280, "order"), ([-5.0, 300.0], 1280, "outside")],
)
def test_bad_gates(gates, width, message):
    with pytest.raises(CalibrationError, match=message):
        from_gates(gates, 10.0, frame_width=width)


def test_parse_gates():
    assert parse_gates("412, 1630") == [412.0, 1630.0]
    with pytest.raises(CalibrationError, match="--gates"):
        parse_gates("a,b")
    with pytest.raises(CalibrationError, match="--gate-distance"):
        from_gates([1.0, 100.0], -10)


def test_height_scale():
    c = from_leg_length(leg_px=LEG_FRACTION_OF_HEIGHT * 1.8 * 100, height_m=1.8, direction=-1, x0_px=900)
    np.testing.assert_allclose(c.to_m([900, 400]), [0, 5], atol=1e-9)
    assert c.approximate
    with pytest.raises(CalibrationError, match="--height"):
        from_leg_length(100, 180, 1, 0)  # centimetres by mistake


def test_crossings_and_splits_exact_for_constant_speed():
    t = np.arange(0, 2, 1 / 120)
    d = 9.0 * (t - 0.3)
    marks = np.array([0.0, 10.0])
    cross = crossing_times(d, t, marks)
    np.testing.assert_allclose(cross, [0.3, 0.3 + 10 / 9], atol=1e-12)
    (split,) = split_table(cross, marks)
    assert split["time_s"] == pytest.approx(10 / 9) and split["speed_mps"] == pytest.approx(9.0)
    assert np.isnan(crossing_times(d, t, np.array([100.0]))[0])  # never reached


def test_velocity_profile_constant_and_ramp():
    t = np.arange(0, 3, 1 / 60)
    v = velocity_profile(4.0 * t + 0.5 * t**2, t)
    inner = (t > 0.2) & (t < 2.8)
    np.testing.assert_allclose(v[inner], 4.0 + t[inner], atol=1e-9)  # exact for a parabola
    assert np.isnan(v[0]) and np.isnan(v[-1])  # half a window at each end is not reported
    d = 4.0 * t
    d[60:70] = np.nan
    v = velocity_profile(d, t)
    assert np.isnan(v[65]) and v[30] == pytest.approx(4.0)


def test_step_lengths_between_opposite_feet_only():
    cs = [Contact("left", 0, 0.1, 0, 1, 1, 1), Contact("right", 0.2, 0.3, 2, 3, 1, 1),
          Contact("right", 0.6, 0.7, 6, 7, 1, 1)]
    np.testing.assert_allclose(step_lengths_m(cs, np.array([1.0, 3.1, 7.0])), [2.1, np.nan, np.nan])


def test_calibration_round_trips_through_the_summary_dict():
    from sprintcv.calibration import LaneCalibration, from_gates

    calib = from_gates([100.0, 700.0, 1200.0], 5.0)
    back = LaneCalibration.from_dict(calib.to_dict())
    assert back.to_m(640.0) == pytest.approx(calib.to_m(640.0))
    assert back.px_per_m(640.0) == pytest.approx(calib.px_per_m(640.0))
    with pytest.raises(CalibrationError, match="incomplete"):
        LaneCalibration.from_dict({"method": "markers"})
