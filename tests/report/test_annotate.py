"""Drawing helpers on blank images with hand-placed joints."""

import numpy as np

from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.report.annotate import CONTACT_RGB, draw_skeleton, draw_touchdown_distance, near_side, zoom_window


def _pose():
    xy = np.full((33, 2), np.nan)
    idx = {n: i for i, n in enumerate(MEDIAPIPE_JOINTS)}
    for side in ("left", "right"):
        xy[idx[f"{side}_hip"]] = (200, 200)
        xy[idx[f"{side}_knee"]] = (230, 250)
        xy[idx[f"{side}_ankle"]] = (250, 300)
    xy[idx["right_heel"]] = (240, 310)
    xy[idx["right_foot_index"]] = (280, 312)
    return xy


def test_touchdown_distance_bar_from_hip_to_foot():
    img = np.zeros((400, 400, 3), np.uint8)
    draw_touchdown_distance(img, _pose(), MEDIAPIPE_JOINTS, "right", leg_px=100.0)
    red = np.all(img == CONTACT_RGB, axis=-1)
    y = 312 + 6  # drawn just below the lower foot point
    assert red[y, 205:235].all()  # the bar spans hip (200) to the heel (240)
    assert not red[y, 260:300].any()


def test_near_side_convention():
    assert near_side(+1) == "right" and near_side(-1) == "left"


def test_skeleton_drawn_and_missing_joints_skipped():
    img = np.zeros((400, 400, 3), np.uint8)
    out = draw_skeleton(img, _pose(), MEDIAPIPE_JOINTS, near="right")
    assert out.any() and not img.any()  # a copy is drawn on, the input is untouched


def test_zoom_window_only_for_small_runner():
    xy = _pose()
    assert zoom_window(xy, (1080, 1920)) is not None
    assert zoom_window(xy * 5, (1080, 1920)) is None
