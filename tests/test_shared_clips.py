"""Real clips from ../shared/clips (skipped when absent): results or honest warnings, never a
traceback; the treadmill cadence within 2% of its measured truth."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sprintcv.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.shared]

CLIPS = ["treadmill_male_side_gt.mp4", "treadmill_60fps_portrait.mp4", "blockstart_b12.mp4",
         "race_start_pan_3athletes.mp4"]

#: Cadence of treadmill_male_side_gt measured from raw pixels (../shared/clips/README.md).
TREADMILL_CADENCE_SPM = 168.9


@pytest.fixture(scope="module")
def analysed(shared_clips, tmp_path_factory):
    out = {}
    root = tmp_path_factory.mktemp("shared")
    for name in CLIPS:
        clip = shared_clips / name
        if not clip.exists():
            continue
        res = CliRunner().invoke(main, ["analyze", str(clip), "--out", str(root / clip.stem), "--quiet"])
        out[name] = (res, root / clip.stem)
    return out


@pytest.mark.parametrize("name", CLIPS)
def test_runs_without_traceback(analysed, name):
    if name not in analysed:
        pytest.skip(f"{name} not in ../shared/clips")
    res, out = analysed[name]
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["video"]["frames"] > 0


def test_treadmill_cadence_within_two_percent(analysed):
    if "treadmill_male_side_gt.mp4" not in analysed:
        pytest.skip("treadmill clip absent")
    summary = json.loads((analysed["treadmill_male_side_gt.mp4"][1] / "summary.json").read_text())
    assert summary["cadence_spm"] == pytest.approx(TREADMILL_CADENCE_SPM, rel=0.02)
    assert summary["direction"] == "right_to_left"  # the runner faces image-left
    assert any("30 fps" in w for w in summary["warnings"])  # honest about the frame rate


def test_treadmill_60fps_cadence_matches_labels(analysed, shared_clips):
    if "treadmill_60fps_portrait.mp4" not in analysed:
        pytest.skip("clip absent")
    labels = json.loads((shared_clips / "labels" / "treadmill_60fps_portrait.json").read_text())
    td = sorted(e["frame"] for e in labels["events"] if e["kind"] == "touchdown")
    truth_spm = 60.0 * (len(td) - 1) / ((td[-1] - td[0]) / labels["container_fps"])
    summary = json.loads((analysed["treadmill_60fps_portrait.mp4"][1] / "summary.json").read_text())
    assert summary["cadence_spm"] == pytest.approx(truth_spm, rel=0.02)


def test_moving_camera_is_said(analysed):
    if "race_start_pan_3athletes.mp4" not in analysed:
        pytest.skip("clip absent")
    summary = json.loads((analysed["race_start_pan_3athletes.mp4"][1] / "summary.json").read_text())
    assert summary["pose"]["localisation"]["camera_moving"] is True
    assert any("camera moves" in w for w in summary["warnings"])
