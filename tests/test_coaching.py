"""The mechanics stage: samples with the runner partly out of view are left out, the summary
fields are assembled, and what cannot be computed is said."""

from __future__ import annotations

import numpy as np
import pytest

from sprintcv.coaching import hide_unusable, mechanics_stage
from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.metrics.kinematics import angle_series
from sprintcv.metrics.temporal import steps_table

from .metrics.conftest import FPS, LEG, contact, figure

TIMES = np.arange(101) / FPS
CONTACTS = [contact("left", 0.20, 0.31), contact("right", 0.45, 0.55), contact("left", 0.70, 0.80)]


def _runner(t):
    return figure(t, hip_x=lambda s: 1000.0 * s, thigh={"right": lambda s: 40.0 * np.cos(2 * np.pi * (s - 0.40) / 0.5)})


def _stage(t, usable=None, calibration=None):
    xy = _runner(t)
    steps = steps_table(CONTACTS, 100.0)
    return mechanics_stage(steps, angle_series(xy, MEDIAPIPE_JOINTS), xy, MEDIAPIPE_JOINTS, t,
                           np.arange(len(t)), CONTACTS, LEG, direction=1, usable=usable, calibration=calibration)


def test_hide_unusable_copies_with_nan():
    xy = _runner(TIMES)
    angles = angle_series(xy, MEDIAPIPE_JOINTS)
    usable = TIMES < 0.5
    a, b = hide_unusable(angles, xy, usable)
    assert np.isnan(b[~usable]).all() and np.isfinite(b[usable]).all()
    assert np.isnan(a["left_thigh_deg"][~usable]).all() and np.isfinite(angles["left_thigh_deg"]).all()
    assert hide_unusable(angles, xy, None)[1] is xy


def test_stage_fields_and_warnings():
    columns, fields, warnings = _stage(TIMES)
    assert "front_side_share" in columns and len(columns["front_side_share"]) == 3
    assert set(fields) == {"mechanics", "arms", "kinogram", "flags", "far_side", "flag_thresholds", "flags_note"}
    assert fields["kinogram"]["right"]["positions"]["strike"]["frame"] == 40
    assert fields["kinogram"]["left"] is None
    assert warnings[0] == "no kinogram of a left landing: no step from toe-off to full support with the runner in view"
    assert len(warnings) == 2 and warnings[1].startswith("left leg on the far side")
    assert "not a diagnosis" in fields["flags_note"]
    assert fields["flag_thresholds"]["disabled"] == ["asymmetry_contact_s"]


def test_far_side_knee_columns_are_withheld():
    """Running left to right the camera sees the right side: the left leg's knee at touchdown,
    heel-recovery knee and thigh separation at its touchdown are not reported, the right's are."""
    steps = steps_table(CONTACTS, 100.0)
    xy = _runner(TIMES)
    steps["knee_td_deg"] = np.array([170.0, 165.0, 172.0])  # as step_kinematics adds it
    columns, fields, _ = mechanics_stage(steps, angle_series(xy, MEDIAPIPE_JOINTS), xy, MEDIAPIPE_JOINTS, TIMES,
                                         np.arange(len(TIMES)), CONTACTS, LEG, direction=1)
    assert fields["far_side"] == {"side": "left",
                                  "withheld": ["knee_swing_min_deg", "knee_td_deg", "thigh_separation_td_deg"]}
    assert np.isnan(columns["knee_td_deg"][[0, 2]]).all() and columns["knee_td_deg"][1] == 165.0
    assert np.isnan(columns["thigh_separation_td_deg"][[0, 2]]).all()
    assert np.isfinite(columns["thigh_separation_td_deg"][1])
    assert np.isfinite(columns["front_side_share"][0])  # the far leg's other columns stay
    knee = fields["mechanics"]["knee_td_deg"]
    assert np.isnan(knee["left"]) and knee["right"] == 165.0 and knee["n"] == 1
    # the other direction shows the left side
    columns, fields, _ = mechanics_stage(steps, angle_series(xy, MEDIAPIPE_JOINTS), xy, MEDIAPIPE_JOINTS, TIMES,
                                         np.arange(len(TIMES)), CONTACTS, LEG, direction=-1)
    assert fields["far_side"]["side"] == "right" and list(columns["knee_td_deg"][[0, 2]]) == [170.0, 172.0]
    assert np.isnan(columns["knee_td_deg"][1])


def test_inconsistent_contacts_are_said():
    xy = _runner(TIMES)
    _, fields, warnings = mechanics_stage(steps_table(CONTACTS, 100.0), angle_series(xy, MEDIAPIPE_JOINTS), xy,
                                          MEDIAPIPE_JOINTS, TIMES, np.arange(len(TIMES)), CONTACTS, LEG,
                                          direction=1, contacts_reliable=False)
    assert any("may belong to the other leg" in w for w in warnings)


def test_partly_out_of_view_withholds():
    usable = TIMES < 0.40  # the runner leaves the frame during the first flight
    columns, fields, _ = _stage(TIMES, usable=usable)
    assert fields["kinogram"]["right"] is None
    assert np.isnan(columns["trunk_lean_mean_deg"][1:]).all()  # steps after 0.4 s are not seen
    assert np.isnan(columns["trunk_lean_mean_deg"][0])  # 0.20-0.45 s: 16 of 26 samples seen


def test_metres_from_the_summary_calibration():
    calib = {"method": "markers", "coeffs": [0.01, 0.0], "markers_px": [0.0, 1000.0], "markers_m": [0.0, 10.0]}
    columns, _, _ = _stage(TIMES, calibration=calib)
    assert np.isnan(_stage(TIMES)[0]["touchdown_distance_m"]).all()
    # the left leg hangs straight: its heel, 5 px behind the ankle under the hips, lands
    # 5 px = 0.05 m (100 px per metre) behind the hips
    assert columns["touchdown_distance_m"][0] == pytest.approx(-0.05)
