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


def test_kinogram_strip_keeps_one_crop_size_and_follows_the_runner():
    from sprintcv.report.annotate import kinogram_crop, kinogram_strip

    base = _pose()
    idx = {n: i for i, n in enumerate(MEDIAPIPE_JOINTS)}
    base[idx["nose"]] = (200, 100)  # head: the figure spans y 100-312 and x 200-280
    frames, poses = [], []
    for k in range(5):
        img = np.zeros((400, 900, 3), np.uint8)
        shift = 120 * k
        img[95:320, 190 + shift: 290 + shift] = 120  # the "runner", moving right
        frames.append(img)
        poses.append(base + [shift, 0])
    poses = np.array(poses)
    centres, top, width, height = kinogram_crop(poses)  # margin: 12% of the body height
    assert np.allclose(np.diff(centres), 120)  # each crop centred on its frame's runner
    assert top == round(100 - 0.12 * 212) and height == round(212 * 1.24)
    strip = kinogram_strip(frames, poses, MEDIAPIPE_JOINTS, [["toe-off", "frame 1"]] * 5, "right", height_px=200)
    tile_w = round(width * 200 / height)
    assert strip.shape[1] == 5 * tile_w + 4 * 4  # five tiles and four white gaps
    assert strip.shape[0] == 200 + 18 * 2 + 10  # tile and two caption lines
    # every tile shows the runner (grey body or skeleton) in its middle, not the empty track
    for k in range(5):
        middle = strip[100, k * (tile_w + 4) + tile_w // 2]
        assert middle.max() > 0


def test_kinogram_crop_past_the_frame_edge_is_padded():
    from sprintcv.report.annotate import kinogram_strip

    pose = _pose() - [190, 0]  # runner at the left edge: the crop reaches past x = 0
    img = np.full((400, 400, 3), 200, np.uint8)
    strip = kinogram_strip([img] * 5, np.array([pose] * 5), MEDIAPIPE_JOINTS, [["x"]] * 5, "left", height_px=100)
    assert strip.shape[0] == 100 + 18 + 10 and (strip[:100, :3] == 40).all()  # dark padding
