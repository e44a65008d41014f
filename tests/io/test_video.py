"""Tests of streaming video input: timestamps, rotation, duplicates, bad input."""

from __future__ import annotations

import inspect
import tracemalloc
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from sprintcv.errors import VideoError
from sprintcv.io import video
from sprintcv.io.video import (
    Frame,
    VideoReader,
    capture_times,
    frame_rate_report,
    probe,
    read_crops,
    same_picture,
    typical_interval,
    validate_fps,
)


def read_all(path: Path, **kwargs: object) -> tuple[VideoReader, list[Frame]]:
    reader = VideoReader(path, **kwargs)  # type: ignore[arg-type]
    return reader, list(reader.frames())


# --------------------------------------------------------------------------- timestamps


def test_cfr_clip_timestamps_and_info(clips) -> None:
    path = clips.write("cfr.mp4", [clips.moving_square(i) for i in range(20)], fps=30)
    reader, frames = read_all(path)
    assert [f.index for f in frames] == list(range(20))
    np.testing.assert_allclose([f.pts_s for f in frames], np.arange(20) / 30, atol=1e-9)
    assert frames[0].image.shape == (48, 64, 3) and frames[0].image.dtype == np.uint8
    info = reader.info
    assert (info.width, info.height, info.rotation_deg) == (64, 48, 0)
    assert info.container_fps == pytest.approx(30.0)
    assert info.n_frames_estimate == 20
    assert info.duration_s == pytest.approx(20 / 30, abs=1 / 30)  # container metadata
    assert info.codec == "h264" and info.has_audio is False
    assert reader.stats.n_decoded == reader.stats.n_kept == 20
    assert reader.stats.n_duplicates == reader.stats.duplicate_runs == 0
    assert reader.stats.n_pts_repaired == 0
    report = reader.frame_rate_report()
    assert report["vfr"] is False and report["slowed_by_duplicates"] is False
    assert report["effective_fps"] == pytest.approx(30.0)
    assert report["resolution_s"] == pytest.approx(1 / 30)


def test_frame_count_matches_opencv(clips) -> None:
    path = clips.write("count.mp4", [clips.moving_square(i) for i in range(17)])
    reader, _ = read_all(path, drop_duplicates=False)
    cap = cv2.VideoCapture(str(path))
    n_cv = 0
    while cap.read()[0]:
        n_cv += 1
    cap.release()
    assert reader.stats.n_decoded == n_cv == 17


def test_vfr_timestamps_are_the_written_ones(clips) -> None:
    rng = np.random.default_rng(3)
    times_ms = np.concatenate([[0], np.cumsum(rng.choice([25, 33, 41, 50], 29))])
    path = clips.vfr("vfr.mp4", times_ms)
    reader, frames = read_all(path)
    np.testing.assert_allclose([f.pts_s for f in frames], times_ms / 1000, atol=1e-9)
    report = reader.frame_rate_report()
    assert report["vfr"] is True
    assert report["dt_min_s"] == pytest.approx(0.025) and report["dt_max_s"] == pytest.approx(0.050)


def test_clock_repairs_missing_and_non_increasing_pts() -> None:
    clock = video._Clock(nominal_dt_s=0.01)
    tb = Fraction(1, 1000)
    got = [clock.seconds(p, tb) for p in (1000, 1020, None, 1030, 1030, 1100)]
    # None and the repeated 1030 become previous + 10 ms; a later valid pts is used as is.
    np.testing.assert_allclose(got, [0.0, 0.02, 0.03, 0.04, 0.05, 0.10])
    assert clock.n_repaired == 3
    # No pts on the first frames: the first pts seen continues the repaired timeline.
    late = video._Clock(nominal_dt_s=0.01)
    got = [late.seconds(p, tb) for p in (None, None, 5000, 5020)]
    np.testing.assert_allclose(got, [0.0, 0.01, 0.02, 0.04])
    assert late.n_repaired == 1


# --------------------------------------------------------------------------- rotation


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_clip_comes_out_upright(clips, rotation: int) -> None:
    upright = clips.pattern(48, 64)
    # The phone stores the picture turned clockwise by the display rotation and records
    # the counter-clockwise turn that undoes it in the display matrix.
    stored = np.rot90(upright, -rotation // 90)
    path = clips.write(f"rot{rotation}.mp4", [stored] * 10, rotation=rotation, crf=0)
    reader, frames = read_all(path, min_frames=1)
    assert reader.info.rotation_deg == rotation
    assert (reader.info.width, reader.info.height) == (64, 48)
    assert probe(path) == reader.info
    if rotation != 180:
        assert stored.shape[:2] == (64, 48)  # stored portrait-wise: width/height swapped
    img = frames[0].image
    assert img.shape == upright.shape and img.flags["C_CONTIGUOUS"]
    assert np.abs(img.astype(int) - upright).mean() < 4
    assert tuple(img[4, 4]) == pytest.approx((255, 0, 0), abs=30)  # red stays top-left


def test_read_crops_are_the_upright_frames_cut(clips) -> None:
    upright = clips.pattern(48, 64)
    path = clips.write("crops.mp4", [np.rot90(upright, -1)] * 10, rotation=90, crf=0)
    windows = [(0, 10, 0, 12), (40, 48, 30, 40)]
    a, b = read_crops(path, windows, [[0, 3, 5], [2]])
    assert a.shape == (3, 10, 12, 3) and b.shape == (1, 8, 10, 3) and a.dtype == np.uint8
    assert np.abs(a.astype(int) - upright[0:10, 0:12]).mean() < 4  # red corner, upright
    assert np.abs(b[0].astype(int) - upright[40:48, 30:40]).mean() < 4
    with pytest.raises(VideoError, match="fewer frames"):
        read_crops(path, windows[:1], [[99]])


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_matches_opencv_autorotate(clips, rotation: int) -> None:
    """OpenCV applies the display matrix with its own code: the upright frames must agree."""
    path = clips.write(f"cv{rotation}.mp4", [clips.pattern(48, 64)] * 10, rotation=rotation)
    cap = cv2.VideoCapture(str(path))
    if not cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1):
        pytest.skip("this OpenCV build cannot autorotate")
    ok, bgr = cap.read()
    cap.release()
    assert ok
    _, frames = read_all(path, min_frames=1)
    np.testing.assert_array_equal(frames[0].image, bgr[..., ::-1])


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_display_matrix_parser_matches_pyav(clips, rotation: int) -> None:
    import av

    path = clips.write(f"m{rotation}.mp4", [clips.pattern()] * 2, rotation=rotation)
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        matrix = video._display_matrix(frame)
        assert matrix is not None
        assert video._matrix_rotation_ccw(matrix) == pytest.approx(frame.rotation)
        assert video._quarter_turns(frame.rotation) * 90 == rotation


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_rotate_ccw_is_rot90(turns: int) -> None:
    img = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    out = video._rotate_ccw(img, turns)
    np.testing.assert_array_equal(out, np.rot90(img, turns))
    assert out.flags["C_CONTIGUOUS"]


def test_legacy_rotate_tag_is_clockwise() -> None:
    class Stream:
        metadata = {"rotate": "90"}

    assert video._quarter_turns(video._tag_rotation_ccw(Stream())) * 90 == 270


# --------------------------------------------------------------------------- duplicates


def test_repeated_frames_are_dropped(clips) -> None:
    real = [clips.moving_square(i, 120, 160, size=20, step=6) for i in range(12)]
    path = clips.write("dup.mp4", [img for img in real for _ in range(4)], fps=30, crf=23)
    reader, frames = read_all(path)
    s = reader.stats
    assert (s.n_decoded, s.n_kept, s.n_duplicates, s.duplicate_runs) == (48, 12, 36, 12)
    assert s.kept_index == list(range(0, 48, 4))
    np.testing.assert_allclose(s.kept_pts_s, np.arange(12) * 4 / 30, atol=1e-9)
    # A 30 fps clip slowed 4x by repetition, told --fps 30: real spacing 1/30 s.
    np.testing.assert_allclose(np.diff(reader.capture_times(30)), 1 / 30, rtol=1e-9)
    report = reader.frame_rate_report(capture_fps=30)
    assert report["slowed_by_duplicates"] is True and report["vfr"] is False
    assert report["n_duplicates"] == 36 and report["effective_fps"] == 30.0


def test_small_moving_object_is_not_dropped(clips) -> None:
    rng = np.random.default_rng(5)
    background = rng.integers(40, 160, (240, 320, 3)).astype(np.uint8)
    background = cv2.GaussianBlur(background, (0, 0), 1.0)
    frames = []
    for i in range(30):
        img = background.copy()
        x = 20 + 3 * i
        img[115:125, x : x + 10] = (230, 230, 230)  # a 10x10 px "runner" far away
        frames.append(img)
    path = clips.write("small.mp4", frames, crf=23)
    reader, kept = read_all(path)
    assert reader.stats.n_duplicates == 0 and len(kept) == 30


def test_drop_duplicates_off_keeps_everything(clips) -> None:
    path = clips.write("still.mp4", [clips.pattern()] * 12)
    reader, frames = read_all(path, drop_duplicates=False)
    assert len(frames) == 12 and reader.stats.n_duplicates == 0


def test_same_picture_thresholds() -> None:
    a = np.full((120, 160, 3), 100, np.int16)
    assert same_picture(a, a + 3)  # uniform compression-level shift
    b = a.copy()
    b[50:55, 50:55, 0] += 60  # a 5x5 thumbnail-pixel object, brighter
    assert not same_picture(a, b)
    c = a.copy()
    c[50:55, 50:55, 1] += 50  # same luma, different colour
    assert not same_picture(a, c)
    d = a.copy()
    d[10, 10] += 80  # isolated outlier pixel: noise
    assert same_picture(a, d)


def test_thumbnail_shape() -> None:
    assert video._thumbnail(np.zeros((1080, 1920, 3), np.uint8)).shape == (90, 160, 3)
    assert video._thumbnail(np.zeros((48, 64, 3), np.uint8)).shape == (24, 32, 3)


# --------------------------------------------------------------------------- timing maths


def test_capture_times_slow_motion_export(clips) -> None:
    """A 240 fps capture exported at 30 fps playback: capture time = playback time / 8."""
    path = clips.write("slomo.mp4", [clips.moving_square(i) for i in range(24)], fps=30)
    reader, frames = read_all(path)
    pts = np.array([f.pts_s for f in frames])
    np.testing.assert_allclose(reader.capture_times(240), pts / 8, atol=1e-12)
    np.testing.assert_allclose(reader.capture_times(), pts)
    report = reader.frame_rate_report(capture_fps=240)
    assert report["effective_fps"] == 240.0
    assert report["resolution_s"] == pytest.approx(1 / 240)
    assert report["dt_min_s"] == pytest.approx(1 / 240)
    assert report["container_fps"] == pytest.approx(30.0)


def test_capture_times_pure() -> None:
    pts = np.arange(10) / 30 + 5.0
    np.testing.assert_allclose(capture_times(pts), np.arange(10) / 30)
    np.testing.assert_allclose(capture_times(pts, 240), np.arange(10) / 240)
    slowed = np.arange(10) * 4 / 30  # 30 fps slowed 4x by repeated frames
    np.testing.assert_allclose(capture_times(slowed, 30), np.arange(10) / 30)
    assert np.all(np.diff(capture_times(slowed, 30)) > 0)
    assert capture_times([0.0], 240).tolist() == [0.0]
    with pytest.raises(ValueError):
        capture_times([0.0, 0.1, 0.1])
    with pytest.raises(VideoError, match="--fps"):
        capture_times(pts, 0)


def test_typical_interval_quantised_and_gappy() -> None:
    # 240 fps on a 1/600 s time base: intervals alternate 2/600 and 3/600 s.
    quantised = np.cumsum([0] + [2, 3] * 50) / 600
    assert typical_interval(quantised) == pytest.approx(1 / 240)
    report = frame_rate_report(quantised)
    assert report["effective_fps"] == pytest.approx(240)
    # Frames dropped while the runner was still leave long gaps; they do not set the rate.
    dt = np.full(60, 1 / 30)
    dt[10:20] = 5 / 30
    assert typical_interval(np.concatenate([[0], np.cumsum(dt)])) == pytest.approx(1 / 30)


def test_vfr_rule_and_slowed_rule() -> None:
    cfr = np.arange(100) / 30
    assert frame_rate_report(cfr)["vfr"] is False
    jitter = cfr + np.random.default_rng(0).uniform(-0.001, 0.001, 100)  # +-1 ms: dt within 6 %
    assert frame_rate_report(jitter)["vfr"] is False
    dropped = np.delete(cfr, [20, 40, 60, 80])  # 4 % of intervals doubled
    assert frame_rate_report(dropped)["vfr"] is True
    # Many duplicates in a single run (a still scene) is not a slowed-down clip.
    still = frame_rate_report(cfr, n_duplicates=50, duplicate_runs=1)
    assert still["slowed_by_duplicates"] is False
    slowed = frame_rate_report(cfr, n_duplicates=300, duplicate_runs=100)
    assert slowed["slowed_by_duplicates"] is True
    single = frame_rate_report([0.0])
    assert single["effective_fps"] is None and single["dt_min_s"] is None


@pytest.mark.parametrize("value", [0, -30, float("nan"), float("inf"), 20000, "abc", None])
def test_validate_fps_rejects(value: object) -> None:
    with pytest.raises(VideoError, match="--fps must be") as exc:
        validate_fps(value)
    assert "\n" not in str(exc.value)


def test_validate_fps_accepts() -> None:
    assert validate_fps(240) == 240.0
    assert validate_fps("59.94") == pytest.approx(59.94)
    assert validate_fps(10000) == 10000.0


# --------------------------------------------------------------------------- streaming


def test_frames_is_a_lazy_generator(clips) -> None:
    path = clips.write("lazy.mp4", [clips.moving_square(i) for i in range(30)])
    reader = VideoReader(path)
    gen = reader.frames()
    assert inspect.isgenerator(gen)
    assert reader.stats.n_decoded == 0
    next(gen)
    assert reader.stats.n_decoded == 1
    gen.close()


def test_memory_does_not_grow_with_clip_length(clips) -> None:
    n, h, w = 300, 120, 160
    path = clips.write("long.mp4", [clips.moving_square(i, h, w, step=1) for i in range(n)])
    reader = VideoReader(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in reader.frames())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n
    assert peak < 0.1 * n * h * w * 3  # far below holding every frame


def test_context_manager_closes(clips) -> None:
    path = clips.write("ctx.mp4", [clips.moving_square(i) for i in range(10)])
    with VideoReader(path) as reader:
        gen = reader.frames()
        next(gen)
    assert reader._container is None
    with pytest.raises(StopIteration):
        next(gen)
    # A reader can iterate again, with fresh stats.
    assert len(list(reader.frames())) == 10 and reader.stats.n_decoded == 10


# --------------------------------------------------------------------------- bad input


def assert_video_error(path: Path, *words: str, **kwargs: object) -> str:
    with pytest.raises(VideoError) as exc:
        reader = VideoReader(path, **kwargs)  # type: ignore[arg-type]
        list(reader.frames())
    message = str(exc.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message, message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert_video_error(tmp_path / "nope.mp4", "does not exist")


def test_directory(tmp_path: Path) -> None:
    assert_video_error(tmp_path, "directory")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert_video_error(tmp_path / "empty.mp4", "empty")


@pytest.mark.parametrize("name", ["notes.txt", "notes.mp4"])
def test_text_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("split times: 1.02 2.10 3.05\n" * 40)
    assert_video_error(tmp_path / name, "not a video")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.mov"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_video_error(path, "not a video")


@pytest.mark.parametrize("name", ["photo.png", "photo.jpg", "photo_named_like.mp4"])
def test_still_image(clips, name: str) -> None:
    path = clips.dir / name
    ok, data = cv2.imencode(".jpg" if "jpg" in name else ".png", clips.pattern())
    assert ok
    path.write_bytes(data.tobytes())
    assert_video_error(path, "still image, not a video")


def test_single_frame_mp4_is_a_still_image(clips) -> None:
    path = clips.write("one.mp4", [clips.pattern()])
    assert_video_error(path, "still image", min_frames=1)


@pytest.mark.parametrize("name,codec", [("memo.m4a", "aac"), ("memo.mp2", "mp2")])
def test_audio_only(clips, name: str, codec: str) -> None:
    path = clips.audio(name, codec)
    assert_video_error(path, "no video stream", "audio")


def test_truncated_mp4_index_at_start(clips) -> None:
    """A faststart mp4 (index first) cut in half: the index points past the end."""
    full = clips.write("full.mp4", [clips.moving_square(i) for i in range(30)], crf=0)
    cut = clips.dir / "cut.mp4"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_video_error(cut, "truncated or corrupt")


def test_truncated_mp4_index_at_end(clips) -> None:
    """An mp4 with its index at the end, cut in half: the index is missing."""
    import av

    full = clips.dir / "plain.mp4"
    with av.open(str(full), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(30):
            frame = av.VideoFrame.from_ndarray(clips.moving_square(i), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    cut = clips.dir / "plain_cut.mp4"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_video_error(cut, "truncated or corrupt")


def test_decode_failure_mid_stream(clips, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the index check the cut file fails while decoding: still a VideoError."""
    full = clips.write("full2.mp4", [clips.moving_square(i) for i in range(30)], crf=0)
    cut = clips.dir / "cut2.mp4"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(video, "_check_index_complete", lambda stream, path: None)
    assert_video_error(cut, "truncated or corrupt", "decoding")


def test_too_few_frames(clips) -> None:
    path = clips.write("short.mp4", [clips.moving_square(i) for i in range(5)])
    assert_video_error(path, "only 5 frames", "at least 8")


def test_too_few_distinct_frames(clips) -> None:
    path = clips.write("static.mp4", [clips.pattern()] * 20)
    assert_video_error(path, "only 1 distinct frames", "19 repeated")


def test_ffmpeg_error_while_decoding_becomes_video_error(clips) -> None:
    import av

    path = clips.write("ok.mp4", [clips.moving_square(i) for i in range(10)])
    reader = VideoReader(path)

    class BrokenContainer:
        def decode(self, stream: object):
            yield "a frame"
            raise av.error.InvalidDataError(1094995529, "Invalid data found when processing input")

    frames = reader._decode(BrokenContainer(), None)
    assert next(frames) == "a frame"
    with pytest.raises(VideoError, match="truncated or corrupt") as exc:
        next(frames)
    assert "\n" not in str(exc.value) and "Invalid data" in str(exc.value)


# --------------------------------------------------------------------------- real clips

SHARED_CLIPS = Path(__file__).resolve().parents[3] / "shared" / "clips"
LABELLED = ["blockstart_b12", "treadmill_60fps_portrait", "treadmill_male_side_gt"]


@pytest.mark.parametrize("name", LABELLED)
def test_real_clip_frame_count_and_labelled_frames_kept(name: str) -> None:
    """Indices match the labels' decode order and no labelled event frame is dropped."""
    import json

    clip = SHARED_CLIPS / f"{name}.mp4"
    labels = SHARED_CLIPS / "labels" / f"{name}.json"
    if not (clip.exists() and labels.exists()):
        pytest.skip("real clips in ../shared are not available")
    truth = json.loads(labels.read_text())
    reader, frames = read_all(clip)
    assert reader.stats.n_decoded == truth["decoded_frames"]
    events = {e["frame"] for e in truth["events"]}
    assert events <= set(reader.stats.kept_index)
    assert np.all(np.diff([f.pts_s for f in frames]) > 0)
