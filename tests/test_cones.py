"""Timing-cone detection (sprintcv.cones): the bundled sample clip, rendered and encoded synthetic
clips, hand-drawn shapes that are not cones, colour parsing, and real track footage."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import cv2
import numpy as np
import pytest

import sprintcv.synthetic.render as render
from sprintcv.cones import COLORS, Cone, color_mask, detect_cones, detect_cones_in_frames, parse_color
from sprintcv.io.video import VideoReader
from sprintcv.synthetic.render import make_clip, make_scene, render_frames

#: Largest accepted error of a cone's x (px) against the renderer's truth.
TOL_PX = 1.5

ORANGE = (255, 110, 20)
TRACK = (168, 74, 54)
GREY = (128, 128, 128)


def _decode(path, indices) -> list[np.ndarray]:
    """RGB frames at the given decoded-frame indices (stops decoding after the last one)."""
    want = set(int(i) for i in indices)
    out = []
    with VideoReader(path, drop_duplicates=False) as reader:
        for f in reader.frames():
            if f.index in want:
                out.append(f.image)
            if f.index >= max(want):
                break
    return out


def _draw_cone(img, x, base_y, h, color=ORANGE, band=False):
    """Upright cone (trapezoid) with its axis at sub-pixel column ``x``, base on row ``base_y``.

    With ``band`` a white band crosses the whole cone at 45-65 % of its height (splitting the
    colour mask into two stacked blobs).
    """
    s = 16
    bot, top = 0.55 * h, 0.12 * h

    def poly(pts, c):
        fixed = np.round(np.asarray(pts) * s).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(img, [fixed], c, cv2.LINE_AA, 4)

    yt = base_y - h
    poly([[x - bot / 2, base_y], [x - top / 2, yt], [x + top / 2, yt], [x + bot / 2, base_y]], color)
    if band:
        def hw(y):
            return (bot + (top - bot) * (base_y - y) / h) / 2

        y0, y1 = base_y - 0.45 * h, base_y - 0.65 * h
        poly([[x - hw(y0), y0], [x - hw(y1), y1], [x + hw(y1), y1], [x + hw(y0), y0]], (250, 250, 250))


def _canvas(color=TRACK, h=480, w=640):
    rng = np.random.default_rng(0)
    img = np.empty((h, w, 3), np.uint8)
    img[:] = color
    noise = rng.integers(-6, 7, (h, w, 1))
    return np.clip(img.astype(int) + noise, 0, 255).astype(np.uint8)


def _truth_x(scene) -> list[float]:
    cam = scene.camera
    xs = [cam.origin_x_px + x * cam.px_per_m for x in scene.cones_m]
    if scene.direction == "right_to_left":
        xs = [(scene.width - 1) - x for x in xs]
    return sorted(xs)


def _assert_match(cones, truth_x, tol=TOL_PX):
    assert len(cones) == len(truth_x), (cones, truth_x)
    for c, t in zip(cones, truth_x):
        assert abs(c.x_px - t) <= tol, (c, t)


# ---------------------------------------------------------------------------------------------
# bundled sample clip
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_frames(sample_clip):
    return _decode(sample_clip, range(0, 200, 25))  # 8 frames spread over the clip


def test_sample_clip_cones_over_frames(sample_frames, sample_truth):
    cones = detect_cones_in_frames(sample_frames)
    truth = sorted(c["x_px"] for c in sample_truth["cones"])
    _assert_match(cones, truth)
    assert [round(t, 1) for t in truth] == [114.7, 1164.3]
    # both cones stand on the same line, 0.30 m tall at ~105 px/m
    assert abs(cones[0].base_y_px - cones[1].base_y_px) <= 1.0
    for c in cones:
        assert 26 <= c.height_px <= 36 and 0.5 <= c.score <= 1.0
        assert c.base_y_px < sample_truth["ground_y_px"]


def test_sample_clip_single_frames(sample_frames, sample_truth):
    truth = sorted(c["x_px"] for c in sample_truth["cones"])
    for k in (0, 3, 4):  # frames 0, 75, 100: the runner is away from both cones
        _assert_match(detect_cones(sample_frames[k]), truth)


# ---------------------------------------------------------------------------------------------
# encoded synthetic clips
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cones_m, direction, size",
    [
        ((1.0, 6.0, 11.0), "left_to_right", (1280, 720)),
        ((1.0, 11.0), "right_to_left", (1280, 720)),
        ((0.0, 10.0), "left_to_right", (960, 540)),
    ],
)
def test_encoded_clip_cones(tmp_path, cones_m, direction, size):
    clip = tmp_path / "c.mp4"
    truth = make_clip(clip, fps=30.0, duration_s=0.5, width=size[0], height=size[1], direction=direction,
                      cones_m=cones_m, seed=3)
    frames = _decode(clip, range(0, 15, 2))
    cones = detect_cones_in_frames(frames)
    _assert_match(cones, sorted(c["x_px"] for c in truth["cones"]))
    assert len({c.base_y_px for c in cones}) == 1


def test_rendered_frames_subpixel_accuracy():
    """Uncompressed renders: sub-pixel accuracy over sizes and fractional positions."""
    errs = []
    for ppm in (30.0, 60.0, 105.0, 200.0):
        span = min(10.0, 1000.0 / ppm)
        for k in range(3):
            scene = make_scene(px_per_m=ppm, cones_m=(1.0 + 0.013 * k, 1.0 + span + 0.0071 * k))
            img = next(render_frames(scene, np.array([0.0]))[0])
            cones = detect_cones(img)
            truth = _truth_x(scene)
            assert len(cones) == 2
            errs += [c.x_px - t for c, t in zip(cones, truth)]
    errs = np.abs(errs)
    assert errs.max() <= 0.3 and errs.mean() <= 0.1


def test_no_cone_returns_empty():
    scene = make_scene(cones_m=())
    frames = list(render_frames(scene, np.linspace(0.0, 1.9, 4))[0])
    for img in frames:
        assert detect_cones(img) == []
    assert detect_cones_in_frames(frames) == []
    assert detect_cones(np.full((240, 320, 3), 128, np.uint8)) == []


# ---------------------------------------------------------------------------------------------
# shapes that are not cones, moving objects, occlusion
# ---------------------------------------------------------------------------------------------
def test_orange_blobs_that_are_not_cones_are_rejected():
    img = _canvas()
    cv2.rectangle(img, (20, 40), (300, 60), ORANGE, -1)  # wide horizontal bar
    cv2.rectangle(img, (20, 100), (600, 102), ORANGE, -1)  # painted line
    cv2.rectangle(img, (360, 150), (400, 190), ORANGE, -1)  # square
    cv2.rectangle(img, (450, 130), (456, 250), ORANGE, -1)  # thin pole
    cv2.circle(img, (540, 200), 22, ORANGE, -1)  # disc
    tri = np.array([[60, 300], [100, 300], [80, 350]], np.int32)  # inverted triangle
    cv2.fillPoly(img, [tri.reshape(-1, 1, 2)], ORANGE)
    cv2.ellipse(img, (220, 320), (60, 12), 0, 0, 360, ORANGE, -1)  # flat disc marker seen from the side
    assert detect_cones(img) == []
    _draw_cone(img, 500.25, 440, 40)  # the detector is alive
    cones = detect_cones(img)
    assert len(cones) == 1 and abs(cones[0].x_px - 500.25) <= 0.5


def test_cone_split_by_white_band_is_one_cone():
    img = _canvas()
    _draw_cone(img, 320.4, 300, 60, band=True)
    mask = color_mask(img)
    stats = cv2.connectedComponentsWithStats(mask[230:305, 280:360].astype(np.uint8), connectivity=4)[2]
    assert int((stats[1:, cv2.CC_STAT_AREA] >= 3).sum()) == 2  # the band really splits the mask
    cones = detect_cones(img)
    assert len(cones) == 1
    c = cones[0]
    assert abs(c.x_px - 320.4) <= 0.5
    assert 58 <= c.height_px <= 64 and abs(c.base_y_px - 300) <= 1


def test_moving_cone_shape_rejected_over_frames():
    scene = make_scene(cones_m=(1.0, 11.0))
    frames = list(render_frames(scene, np.linspace(0.0, 1.9, 8))[0])
    moved = []
    for k, img in enumerate(frames):
        img = img.copy()
        _draw_cone(img, 250.0 + 100.0 * k, 620, 36)  # an orange cone-shaped object that moves
        moved.append(img)
        assert len(detect_cones(img)) == 3
    _assert_match(detect_cones_in_frames(moved), _truth_x(scene))


def test_orange_clothing_runner_rejected(monkeypatch):
    if not hasattr(render, "_SHIRT") or not hasattr(render, "_SHORTS"):
        pytest.skip("renderer colours renamed")
    monkeypatch.setattr(render, "_SHIRT", ORANGE)
    monkeypatch.setattr(render, "_SHORTS", (240, 100, 30))
    scene = make_scene(cones_m=(1.0, 6.0, 11.0))
    frames = list(render_frames(scene, np.linspace(0.0, 1.95, 8))[0])
    assert color_mask(frames[4]).sum() > 2 * color_mask(frames[0]).sum()  # the runner is orange
    _assert_match(detect_cones_in_frames(frames), _truth_x(scene))


def test_cone_hidden_in_some_frames_and_exclude():
    scene = make_scene(cones_m=(1.0, 11.0))
    frames = list(render_frames(scene, np.linspace(0.0, 1.9, 8))[0])
    truth = _truth_x(scene)
    x0 = int(round(truth[0]))
    hidden = []
    for k, img in enumerate(frames):
        img = img.copy()
        if k in (2, 3):  # something grey stands in front of the first cone
            cv2.rectangle(img, (x0 - 25, 480), (x0 + 25, 600), GREY, -1)
        hidden.append(img)
    assert len(detect_cones(hidden[2])) == 1
    _assert_match(detect_cones_in_frames(hidden), truth)
    # the same cone hidden in most frames is dropped; min_fraction lowers the bar
    assert len(detect_cones_in_frames(hidden[:4], min_fraction=0.75)) == 1
    assert len(detect_cones_in_frames(hidden[:4], min_fraction=0.5)) == 2
    # exclude: pixels to ignore
    ex = np.zeros(frames[0].shape[:2], bool)
    ex[:, x0 - 30 : x0 + 30] = True
    _assert_match(detect_cones(frames[0], exclude=ex), truth[1:])


# ---------------------------------------------------------------------------------------------
# colours
# ---------------------------------------------------------------------------------------------
def test_blue_cone_on_a_rendered_frame():
    scene = make_scene(cones_m=(1.0, 11.0))
    base = next(render_frames(scene, np.array([1.0]))[0])  # runner (blue shirt) mid-picture
    img = base.copy()
    pts = np.array([[700.3 - 12, 560], [700.3 - 2.5, 526], [700.3 + 2.5, 526], [700.3 + 12, 560]])
    cv2.fillPoly(img, [np.round(pts * 16).astype(np.int32).reshape(-1, 1, 2)], (20, 60, 230), cv2.LINE_AA, 4)
    cones = detect_cones(img, color="blue")
    assert len(cones) == 1 and abs(cones[0].x_px - 700.3) <= 0.5
    assert abs(cones[0].base_y_px - 560) <= 1
    assert detect_cones(base, color="blue") == []
    # the orange cones are not blue, and the blue one is not orange
    _assert_match(detect_cones(img), _truth_x(scene))


def test_red_cone_wraps_hue_and_explicit_range():
    img = _canvas(color=(60, 120, 60))  # grass
    _draw_cone(img, 200.6, 300, 40, color=(225, 20, 40))  # red: hue ~177, wraps through 0
    _draw_cone(img, 420.2, 300, 40, color=(140, 0, 210))  # purple: no named colour
    cones = detect_cones(img, color="red")
    assert len(cones) == 1 and abs(cones[0].x_px - 200.6) <= 0.5
    assert detect_cones(img) == []
    purple = ((130, 150, 100), (150, 255, 255))
    cones = detect_cones(img, color=purple)
    assert len(cones) == 1 and abs(cones[0].x_px - 420.2) <= 0.5
    # explicit range equal to the named one gives the same cones
    img2 = _canvas()
    _draw_cone(img2, 300.3, 300, 40)
    assert detect_cones(img2, color=COLORS["orange"]) == detect_cones(img2, color="Orange")


def test_parse_color():
    assert parse_color("orange") == COLORS["orange"]
    assert parse_color(" BLUE ") == COLORS["blue"]
    assert parse_color(np.array([[1, 2, 3], [4, 5, 6]])) == ((1, 2, 3), (4, 5, 6))
    assert parse_color(((170, 100, 100), (10, 255, 255))) == ((170, 100, 100), (10, 255, 255))
    for name in ("red", "yellow", "green", "pink"):
        (h0, s0, v0), (h1, s1, v1) = parse_color(name)
        assert s0 <= s1 and v0 <= v1
    with pytest.raises(ValueError, match="unknown cone colour 'purple'"):
        parse_color("purple")
    with pytest.raises(ValueError, match="unknown cone colour"):
        detect_cones(np.zeros((20, 20, 3), np.uint8), color="teal")
    for bad in [((0, 0), (10, 255, 255)), ((0, 0, 0), (200, 255, 255)), ((0, 200, 0), (10, 100, 255)),
                "", 5, ((0, 0, 0),), (("a", 0, 0), (10, 255, 255))]:
        with pytest.raises(ValueError):
            parse_color(bad)


def test_input_validation_and_types():
    with pytest.raises(ValueError, match="uint8"):
        detect_cones(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(ValueError, match="RGB"):
        detect_cones(np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError, match="exclude"):
        detect_cones(np.zeros((10, 10, 3), np.uint8), exclude=np.zeros((5, 5), bool))
    with pytest.raises(ValueError, match="at least one frame"):
        detect_cones_in_frames([])
    with pytest.raises(ValueError, match="min_fraction"):
        detect_cones_in_frames([np.zeros((10, 10, 3), np.uint8)], min_fraction=0.0)
    c = Cone(1.0, 2.0, 3.0, 4.0, 0.5)
    with pytest.raises(FrozenInstanceError):
        c.x_px = 2.0  # type: ignore[misc]


def test_min_height_and_max_height_frac():
    img = _canvas()
    _draw_cone(img, 100.0, 300, 12)
    _draw_cone(img, 300.0, 400, 150)
    hs = sorted(c.height_px for c in detect_cones(img, max_height_frac=0.5))
    assert len(hs) == 2 and 11 <= hs[0] <= 16 and 148 <= hs[1] <= 155
    assert len(detect_cones(img, min_height_px=20, max_height_frac=0.5)) == 1
    assert len(detect_cones(img)) == 1  # 150 px > 0.25 * 480


# ---------------------------------------------------------------------------------------------
# real footage (../shared/clips, skipped when absent)
# ---------------------------------------------------------------------------------------------
@pytest.mark.shared
def test_real_track_frames_no_false_cones(shared_clips):
    """A real outdoor track (hand-held phone, runner in black) has no timing cones. Its only
    orange object is a roadside sign stand on an orange conical foot in the infield, left of the
    picture (x ~ 55-75 px, foot at y ~ 390 px): that one may be found; nothing else may."""
    clip = shared_clips / "blockstart_b12.mp4"
    if not clip.exists():
        pytest.skip("blockstart_b12.mp4 not in ../shared/clips")
    frames = _decode(clip, range(0, 50, 7))

    def roadside_marker(c):
        return c.x_px < 90 and 370 <= c.base_y_px <= 410 and c.height_px < 30

    for img in frames:
        for c in detect_cones(img):
            assert roadside_marker(c), c
    assert all(roadside_marker(c) for c in detect_cones_in_frames(frames))


@pytest.mark.shared
@pytest.mark.parametrize("name, indices", [("race_start_pan_3athletes.mp4", range(0, 120, 20)),
                                           ("treadmill_male_side_gt.mp4", range(0, 120, 20))])
def test_other_real_clips_no_cones(shared_clips, name, indices):
    clip = shared_clips / name
    if not clip.exists():
        pytest.skip(f"{name} not in ../shared/clips")
    for img in _decode(clip, indices):
        assert detect_cones(img) == []
