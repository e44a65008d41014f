"""The annotated video: format a browser plays, one frame per analysed sample, slow-motion
rate, what is drawn (skeleton, gates), and nothing half-written on failure."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import av
import cv2
import numpy as np
import pytest

import sprintcv.report.video as video_mod
from sprintcv.errors import VideoError
from sprintcv.events import Contact
from sprintcv.report.annotate import NEAR_RGB, near_side, read_frames
from sprintcv.report.video import (
    live_text, output_size, playback_rate, slow_motion_text, write_annotated_video,
)

GATES_PX = (114.7, 1164.3)


def _decode(path: Path) -> tuple[dict, list[np.ndarray]]:
    """Stream facts and all frames (RGB) of a written video."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        facts = {"codec": stream.codec_context.name, "pix_fmt": stream.codec_context.pix_fmt,
                 "rate": float(stream.average_rate), "width": stream.width, "height": stream.height}
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    return facts, frames


# --------------------------------------------------------------------------- no video needed


def test_playback_rate_defaults_and_overrides():
    assert playback_rate(120.0) == (30.0, 4.0)
    assert playback_rate(240.0) == (30.0, 8.0)
    assert playback_rate(50.0) == (50.0, 1.0)  # not high speed: real time
    assert playback_rate(120.0, slow_factor=1) == (120.0, 1.0)
    assert playback_rate(240.0, slow_factor=2) == (120.0, 2.0)
    assert playback_rate(120.0, playback_fps=60) == (60.0, 2.0)
    for bad in ({"slow_factor": 0}, {"slow_factor": float("nan")}, {"playback_fps": -1},
                {"slow_factor": 2, "playback_fps": 30}):
        with pytest.raises(ValueError):
            playback_rate(120.0, **bad)


def test_output_size_is_even_and_keeps_aspect():
    assert output_size(1280, 720, 1280) == (1280, 720)
    assert output_size(1920, 1080, 1280) == (1280, 720)
    assert output_size(1280, 720, 480) == (480, 270 // 2 * 2)
    w, h = output_size(1079, 1921, 1280)  # odd portrait: not enlarged, rounded down to even
    assert (w, h) == (1078, 1920)
    w, h = output_size(1920, 1080, 500)
    assert w <= 500 and w % 2 == 0 and h % 2 == 0 and abs(w / h - 16 / 9) < 0.02


def test_slow_motion_text():
    assert slow_motion_text(4.0000001) == "4x slow motion"
    assert slow_motion_text(8.0) == "8x slow motion"
    assert slow_motion_text(2.5) == "2.5x slow motion"
    assert slow_motion_text(1.0) == "real speed"


def test_live_text_says_na_for_missing_angles_and_counts_touchdowns():
    n = 4
    angles = {k: np.full(n, np.nan) for k in ("left_knee_deg", "right_knee_deg", "left_elbow_deg",
                                               "right_elbow_deg", "trunk_lean_deg")}
    angles["right_knee_deg"][2] = 101.4
    contacts = [Contact("left", 0.01, 0.02, 1, 2, 1.0, 1.0), Contact("right", 0.025, np.nan, 3, 3, 1.0, 1.0)]
    analysis = SimpleNamespace(
        angles=angles, clean=SimpleNamespace(n_frames=n, t_s=np.arange(n) / 100.0),
        contacts=SimpleNamespace(contacts=contacts),
    )
    lines = live_text(analysis, 2)
    assert lines[0] == "t 0.020 s"
    assert "knee L n/a  R 101" in lines
    assert "trunk lean n/a deg" in lines and lines[-1] == "steps 1"
    assert live_text(analysis, 3)[-1] == "steps 2"
    assert "nan" not in " ".join(lines).lower()


def test_missing_source_video_is_a_video_error(tmp_path):
    analysis = SimpleNamespace(video_path=tmp_path / "gone.mp4",
                               clean=SimpleNamespace(fps=120.0, frame_index=np.arange(10)))
    out = tmp_path / "out" / "annotated.mp4"
    with pytest.raises(VideoError, match="gone.mp4") as info:
        write_annotated_video(analysis, out)
    assert "\n" not in str(info.value)
    assert not out.exists()


# --------------------------------------------------------------------------- the sample clip


@pytest.fixture(scope="module")
def analysis(sample_clip, tmp_path_factory):
    from sprintcv.pipeline import LaneOptions, analyze

    return analyze(sample_clip, cache_dir=tmp_path_factory.mktemp("video-cache"),
                   lane=LaneOptions(gates_px=GATES_PX, find_cones=False))


@pytest.fixture(scope="module")
def written(analysis, tmp_path_factory):
    """The default video, at most 640 px wide (half the clip's width), and its progress calls."""
    calls: list[tuple[int, int]] = []
    path = write_annotated_video(analysis, tmp_path_factory.mktemp("video") / "annotated.mp4",
                                 max_width=640, progress=lambda i, n: calls.append((i, n)))
    facts, frames = _decode(path)
    return path, facts, frames, calls


@pytest.mark.slow
def test_video_is_browser_h264_with_one_frame_per_sample(analysis, written):
    path, facts, frames, calls = written
    n = analysis.clean.n_frames
    assert facts["codec"] == "h264" and facts["pix_fmt"] == "yuv420p"
    assert len(frames) == n  # frames dropped as repeats by the analysis are not written
    assert len(frames) < int(analysis.clean.frame_index[-1]) + 1
    assert facts["rate"] == pytest.approx(30.0)  # 120 fps capture plays 4x slower
    assert facts["width"] <= 640 and facts["width"] % 2 == 0 and facts["height"] % 2 == 0
    assert facts["width"] / facts["height"] == pytest.approx(1280 / 720, rel=0.01)
    assert calls[-1] == (n, n) and len(calls) == n
    assert path.stat().st_size > 10_000
    assert not list(path.parent.glob("*.part"))


def _near_leg_box(analysis, s: int, scale: float) -> tuple[slice, slice]:
    """Rows and columns (output px) around the near-side hip, knee and ankle at sample ``s``."""
    names = analysis.clean.joint_names
    near = near_side(analysis.direction)
    pts = np.array([analysis.clean.xy[s, names.index(f"{near}_{j}")] for j in ("hip", "knee", "ankle")]) * scale
    (x0, y0), (x1, y1) = pts.min(axis=0) - 6, pts.max(axis=0) + 6
    return slice(int(y0), int(y1) + 1), slice(int(x0), int(x1) + 1)


def _near_colour_pixels(rgb: np.ndarray) -> int:
    diff = np.abs(rgb.astype(int) - np.array(NEAR_RGB)).max(axis=2)
    return int((diff < 45).sum())


@pytest.mark.slow
def test_skeleton_is_drawn_in_the_near_colour(analysis, written):
    _, facts, frames, _ = written
    scale = facts["width"] / 1280
    s = analysis.clean.n_frames // 2  # the runner is in the middle of the frame
    assert np.all(np.isfinite(analysis.clean.xy[s]))
    index = int(analysis.clean.frame_index[s])
    source = read_frames(analysis.video_path, {index})[index]
    source = cv2.resize(source, (facts["width"], facts["height"]), interpolation=cv2.INTER_AREA)
    rows, cols = _near_leg_box(analysis, s, scale)
    drawn, plain = _near_colour_pixels(frames[s][rows, cols]), _near_colour_pixels(source[rows, cols])
    assert drawn >= 20 and drawn > 3 * plain + 10


@pytest.mark.slow
def test_gate_lines_are_drawn_at_the_scaled_gate_columns(analysis, written):
    _, facts, frames, _ = written
    scale = facts["width"] / 1280
    frame = frames[0].astype(int)
    band = frame[int(0.88 * facts["height"]):]  # grass below the track: no cones, no runner
    yellow = (band[..., 0] > 150) & (band[..., 1] > 150) & (band[..., 2] < 120)
    per_column = yellow.mean(axis=0)
    for gate in GATES_PX:
        x = int(round(gate * scale))
        assert per_column[x - 1: x + 2].max() > 0.8, f"no gate line at x={x}"
    others = np.ones(facts["width"], bool)
    for gate in GATES_PX:
        x = int(round(gate * scale))
        others[x - 3: x + 4] = False
    assert per_column[others].max() < 0.2  # and nowhere else


@pytest.mark.slow
def test_slow_factor_one_plays_at_the_capture_rate(analysis, tmp_path):
    path = write_annotated_video(analysis, tmp_path / "real.mp4", slow_factor=1, max_width=320)
    facts, frames = _decode(path)
    assert facts["rate"] == pytest.approx(120.0)
    assert facts["width"] == 320 and len(frames) == analysis.clean.n_frames


@pytest.mark.slow
def test_failure_part_way_leaves_nothing(analysis, tmp_path, monkeypatch):
    real = video_mod.draw_skeleton
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 5:
            raise RuntimeError("drawing failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(video_mod, "draw_skeleton", failing)
    out = tmp_path / "out" / "annotated.mp4"
    with pytest.raises(RuntimeError, match="drawing failed"):
        write_annotated_video(analysis, out, max_width=320)
    assert calls["n"] == 6
    assert not out.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no .part leftovers either
