"""Temporal metrics are differences of events: checked on hand-made contacts."""

import numpy as np
import pytest

from sprintcv.events import Contact
from sprintcv.metrics.temporal import asymmetry_pct, steps_table, stride_frequency, temporal_summary


def _c(foot, td, to):
    return Contact(foot, td, to, 0, 0, 1.0, 1.0)


def _gait(n=6, contact=0.10, flight=0.12, t0=0.05):
    out, t = [], t0
    for i in range(n):
        out.append(_c("left" if i % 2 == 0 else "right", t, t + contact))
        t += contact + flight
    return out


def test_steps_table_differences():
    steps = steps_table(_gait(), fps=240.0)
    np.testing.assert_allclose(steps["contact_s"], 0.10, atol=1e-12)
    np.testing.assert_allclose(steps["flight_s"][:-1], 0.12, atol=1e-12)
    assert np.isnan(steps["flight_s"][-1])  # no next contact: flight unknown
    np.testing.assert_allclose(steps["step_frequency_hz"][:-1], 1 / 0.22, rtol=1e-12)
    np.testing.assert_allclose(steps["resolution_s"], 1 / 240)
    assert list(steps["foot"][:2]) == ["left", "right"]


def test_missing_contact_breaks_difference_not_guessed():
    contacts = _gait()
    del contacts[2]  # a left contact missed: right follows right
    steps = steps_table(contacts, fps=120.0)
    assert np.isnan(steps["flight_s"][1]) and np.isnan(steps["step_s"][1])


def test_summary_and_asymmetry():
    contacts = [_c("left", 0.0, 0.11), _c("right", 0.23, 0.32), _c("left", 0.44, 0.55), _c("right", 0.67, 0.76)]
    steps = steps_table(contacts, fps=240.0)
    s = temporal_summary(steps, contacts)
    assert s["contact_s_mean"] == pytest.approx(0.10)
    assert s["per_foot"]["left"]["contact_s_mean"] == pytest.approx(0.11)
    assert s["asymmetry_pct"]["contact_s"] == pytest.approx(100 * 0.02 / 0.10)
    # touchdown steps 0.23, 0.21, 0.23 and toe-off steps 0.21, 0.23, 0.21: both edges time the step
    assert s["step_frequency_hz"] == pytest.approx(1 / np.mean([0.23, 0.21, 0.23, 0.21, 0.23, 0.21]))


def test_stride_frequency_survives_missing_far_foot():
    contacts = [c for c in _gait(n=10) if c.foot == "left"]  # right foot never seen
    assert stride_frequency(contacts) == pytest.approx(1 / 0.22)
    steps = steps_table(contacts, fps=30.0)
    assert temporal_summary(steps, contacts)["step_frequency_hz"] == pytest.approx(1 / 0.22)


def test_asymmetry_missing():
    assert np.isnan(asymmetry_pct(float("nan"), 1.0))


def test_step_frequency_pools_touchdown_and_toe_off_steps():
    from sprintcv.metrics.temporal import event_step_frequency, stride_frequency

    # three contacts, step time 0.21 s; the first touchdown timed 0.03 s late
    contacts = [_c("left", 0.03, 0.10), _c("right", 0.21, 0.31), _c("left", 0.42, 0.52)]
    hz, n = event_step_frequency(contacts)
    assert n == 2
    assert hz == pytest.approx(1 / np.mean([0.18, 0.21, 0.21, 0.21]))  # 4.85 Hz; 5.13 from touchdowns alone
    # strides: touchdown 0.39 s and toe-off 0.42 s for the left foot
    assert stride_frequency(contacts) == pytest.approx(2 / np.mean([0.39, 0.42]))
    # the same foot twice in a row is not a step; a missing edge leaves the other
    assert event_step_frequency([_c("left", 0.0, 0.1), _c("left", 0.4, 0.5)]) == (pytest.approx(np.nan, nan_ok=True), 0)
    hz, n = event_step_frequency([_c("left", 0.0, np.nan), _c("right", 0.22, 0.32)])
    assert n == 1 and hz == pytest.approx(1 / 0.22)
