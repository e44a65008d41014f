"""The command line: clear one-line errors for bad input, nothing half-written, the contract."""

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from sprintcv.cli import main
from sprintcv.io.writer import VideoWriter


def _run(args):
    return CliRunner().invoke(main, args)


def _assert_clean_error(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    for w in words:
        assert w in lines[0].lower()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.txt", b"hello, this is not a video\n" * 20, ["notes.txt"]),
        ("empty.mp4", b"", ["empty"]),
        ("noise.mp4", bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), ["noise.mp4"]),
    ],
)
def test_bad_files(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = _run(["analyze", str(path), "--out", str(out), "--quiet"])
    _assert_clean_error(result, *words)
    assert not out.exists()


def test_missing_file(tmp_path):
    _assert_clean_error(_run(["analyze", str(tmp_path / "nope.mp4")]), "nope.mp4")


@pytest.mark.parametrize("fps", ["0", "-30", "abc", "nan", "1e9"])
def test_bad_fps(tmp_path, fps, sample_clip):
    result = _run(["analyze", str(sample_clip), "--fps", fps, "--out", str(tmp_path / "o")])
    _assert_clean_error(result, "--fps")
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_clip_without_person(tmp_path):
    path = tmp_path / "box.mp4"
    with VideoWriter(path, 30, 320, 240) as w:
        for i in range(30):
            img = np.full((240, 320, 3), 90, np.uint8)
            img[100:140, 10 + 8 * i: 40 + 8 * i] = (200, 50, 50)
            w.write(img)
    out = tmp_path / "out"
    result = _run(["analyze", str(path), "--out", str(out), "--quiet", "--no-cache"])
    _assert_clean_error(result, "no person")
    assert not out.exists()


@pytest.mark.slow
def test_analyze_sample_writes_contract(tmp_path, sample_clip):
    out = tmp_path / "res"
    result = _run(["analyze", str(sample_clip), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "contact" in result.output and "resolution" in result.output
    summary = json.loads((out / "summary.json").read_text())
    for key in ("sprintcv_version", "video", "direction", "n_steps", "contact_s_mean",
                "flight_s_mean", "step_frequency_hz", "warnings"):
        assert key in summary
    for key in ("path", "fps", "capture_fps", "vfr", "frames", "width", "height"):
        assert key in summary["video"]
    assert summary["direction"] in ("left_to_right", "right_to_left")
    with open(out / "steps.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:7] == ["step", "foot", "camera_side", "touchdown_s", "toeoff_s", "contact_s", "flight_s"]
    assert list((out / "frames").glob("*.png"))
    assert (out / "trajectory.npz").exists() and (out / "trajectory.csv").exists()
    for column in ("thigh_to_deg", "thigh_separation_td_deg", "front_side_share", "elbow_front_deg",
                   "knee_lift_t_s", "touchdown_distance_m", "pelvis_oscillation_leg"):
        assert column in header
    assert header.index("elbow_mean_deg") < header.index("knee_height_max_leg")  # old columns first
    for key in ("mechanics", "arms", "kinogram", "flags", "flag_thresholds"):
        assert key in summary
    assert "kinogram" in result.output and "front side" in result.output
    # running left to right the camera sees the right side: the left foot's rows say "(far)"
    assert "left (far)" in result.output and "right (far)" not in result.output
    with open(out / "angles.csv", newline="") as fh:
        angles_header = next(csv.reader(fh))
    assert angles_header[:2] == ["frame", "t_s"] and "left_elbow_deg" in angles_header
    assert (out / "frames" / "kinogram_left.png").exists() and (out / "frames" / "kinogram_right.png").exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".part", ".staging"))]


@pytest.mark.parametrize(
    ("text", "words"),
    [("knee_lift = 3\n", ("unknown setting", "knee_lift")), ("touchdown_distance_leg_max = [\n", ("not valid toml",))],
)
def test_bad_flags_config_is_one_line(tmp_path, sample_clip, text, words):
    config = tmp_path / "flags.toml"
    config.write_text(text)
    result = _run(["analyze", str(sample_clip), "--flags-config", str(config), "--out", str(tmp_path / "o")])
    _assert_clean_error(result, *words)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_flags_config_changes_the_flags(tmp_path, sample_clip):
    config = tmp_path / "strict.toml"
    config.write_text("knee_lift_min_deg = 85\ntouchdown_distance_leg_max = 0.05\n")
    out = tmp_path / "res"
    result = _run(["analyze", str(sample_clip), "--out", str(out), "--flags-config", str(config),
                   "--no-video", "--no-report"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    ids = {f["id"] for f in summary["flags"]}
    assert {"knee_lift_low", "foot_lands_ahead"} <= ids
    assert summary["flag_thresholds"]["knee_lift_min_deg"] == 85.0
    assert "flag         " in result.output and "not a diagnosis" in result.output


def test_missing_model_file(tmp_path, sample_clip):
    result = _run(["analyze", str(sample_clip), "--model", str(tmp_path / "none.task"), "--out", str(tmp_path / "o")])
    _assert_clean_error(result, "model file not found")


@pytest.mark.slow
def test_unusable_model_file_is_a_clear_error(tmp_path, sample_clip):
    """A .task bundle MediaPipe's Tasks API rejects (here: the legacy models of the wheel
    packed without their metadata) gets a one-line error, not a traceback."""
    import zipfile
    from pathlib import Path

    import mediapipe

    modules = Path(mediapipe.__file__).parent / "modules"
    bundle = tmp_path / "legacy.task"
    with zipfile.ZipFile(bundle, "w") as z:
        z.write(modules / "pose_detection" / "pose_detection.tflite", "pose_detector.tflite")
        z.write(modules / "pose_landmark" / "pose_landmark_full.tflite", "pose_landmarks_detector.tflite")
    result = _run(["analyze", str(sample_clip), "--model", str(bundle), "--out", str(tmp_path / "o"), "--no-cache"])
    _assert_clean_error(result, "legacy.task", "not a usable pose-landmarker model")
    assert not (tmp_path / "o").exists()
