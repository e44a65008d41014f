"""Runner localisation by motion and the crop plan, on constructed thumbnails."""

import numpy as np
import pytest

from sprintcv.pose.localise import _shake, crop, localise, plan_crops


def _clip(n=40, h=90, w=160, box=(8, 20), speed=3.0, shift_per_frame=0.0, rng=None):
    rng = rng or np.random.default_rng(1)
    background = (rng.uniform(60, 200, size=(h + 40, w + 200))).astype(np.uint8)
    frames = []
    for i in range(n):
        off = int(round(i * shift_per_frame))
        f = background[20:20 + h, 100 + off:100 + off + w].copy()
        x = int(10 + speed * i)
        f[40:40 + box[1], x:x + box[0]] = 250
        frames.append(f)
    return np.stack(frames)


def test_finds_small_moving_runner():
    thumbs = _clip()
    loc = localise(np.arange(len(thumbs)), thumbs, scale=8.0)
    assert not loc.camera_moving
    found = np.isfinite(loc.box[:, 0])
    assert found.mean() > 0.9
    i = 20
    cx = (loc.box[i, 0] + loc.box[i, 2]) / 2 / 8.0
    assert cx == pytest.approx(10 + 3 * i + 4, abs=2)


def test_panning_camera_detected():
    thumbs = _clip(shift_per_frame=2.0)
    loc = localise(np.arange(len(thumbs)), thumbs, scale=8.0)
    assert loc.camera_moving and "camera moves" in loc.notes[0]
    plan = plan_crops(loc, 1280, 720)
    assert plan.mode == "full" and plan.reason == "camera moving"


def test_crop_plan_small_runner_uses_constant_square():
    thumbs = _clip()
    loc = localise(np.arange(len(thumbs)), thumbs, scale=8.0)
    plan = plan_crops(loc, 1280, 720)
    assert plan.mode == "crop"
    assert 192 <= plan.size_px < 0.8 * 720
    x0, y0, size = plan.window(20)
    assert size == plan.size_px


def test_crop_pads_outside_frame():
    img = np.full((10, 10, 3), 7, np.uint8)
    out = crop(img, -5, -5, 10)
    assert out.shape == (10, 10, 3)
    assert out[:5, :5].max() == 0 and out[5:, 5:].min() == 7


def _shaken_clip(n=60, amplitude_px=(2.5, 2.0), rng=None):
    """A small runner crossing a textured lane filmed by a hand that wanders a few pixels
    (sub-pixel per frame: not a pan); returns thumbnails and the true content offsets."""
    import cv2

    rng = rng or np.random.default_rng(1)
    scene = cv2.GaussianBlur(rng.uniform(40, 220, (250, 400)).astype(np.uint8), (3, 3), 0)
    t = np.arange(n)
    offset = np.column_stack([amplitude_px[0] * np.sin(t / 8), amplitude_px[1] * np.sin(t / 10 + 1)])
    frames = []
    for i, (dx, dy) in enumerate(offset):
        f = cv2.warpAffine(scene, np.array([[1.0, 0, dx - 60], [0, 1.0, dy - 50]]), (256, 144))
        x = int(round(10 + 3.5 * i + dx))
        f[50:80, x:x + 10] = 250
        frames.append(f)
    return np.stack(frames), offset


def test_shaking_camera_is_aligned_and_the_runner_found():
    thumbs, offset = _shaken_clip()
    loc = localise(np.arange(len(thumbs)), thumbs, scale=5.0)
    assert not loc.camera_moving
    assert any("shakes" in note for note in loc.notes)
    found = np.isfinite(loc.box[:, 0])
    assert found.mean() > 0.9
    cx = (loc.box[found, 0] + loc.box[found, 2]) / 2 / 5.0
    truth = 10 + 3.5 * np.arange(len(thumbs))[found] + offset[found, 0] + 5
    assert np.median(np.abs(cx - truth)) < 1.5
    assert plan_crops(loc, 1280, 720).mode == "crop"
    # The alignment recovers the hand's wander (about its median position).
    found_offset = _shake(thumbs, shake_px=1.0)
    err = np.abs(found_offset - (offset - np.median(offset, axis=0)))
    assert np.median(err) < 0.3 and np.percentile(err, 95) < 1.5


def test_still_camera_is_not_aligned():
    thumbs, _ = _shaken_clip(amplitude_px=(0.0, 0.0))
    loc = localise(np.arange(len(thumbs)), thumbs, scale=5.0)
    assert not any("shakes" in note for note in loc.notes)
