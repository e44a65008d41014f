"""Runner localisation by motion and the crop plan, on constructed thumbnails."""

import numpy as np
import pytest

from sprintcv.pose.localise import crop, localise, plan_crops


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
