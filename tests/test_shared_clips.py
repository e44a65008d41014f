"""Real clips from ../shared/clips (skipped when absent): results or honest warnings, never a
traceback; the treadmill cadence within 2% of its measured truth; contacts against the hand
labels."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from sprintcv.cli import main
from sprintcv.pipeline import analyze
from sprintcv.synthetic.score import label_contacts, score_contacts

pytestmark = [pytest.mark.slow, pytest.mark.shared]

CLIPS = ["treadmill_male_side_gt.mp4", "treadmill_60fps_portrait.mp4", "blockstart_b12.mp4",
         "race_start_pan_3athletes.mp4"]

#: Cadence of treadmill_male_side_gt measured from raw pixels (../shared/clips/README.md).
TREADMILL_CADENCE_SPM = 168.9

#: Contact-time MAE bound against the hand labels, frames: issue 3's target of 2 frames
#: (measured 0.9 on the block start, 1.3 on the 30 fps treadmill, 1.8 on the blurred 60 fps
#: treadmill, whose abrupt landings are timed with a straight approach: 3.7 before).
LABELLED_CT_FRAMES = {"blockstart_b12.mp4": 2.0, "treadmill_male_side_gt.mp4": 2.0,
                      "treadmill_60fps_portrait.mp4": 2.0}


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
    # the belt moves: no still ground to time the shoe against, and the output says so
    assert summary["toeoff_cues"]["silhouette"] == summary["touchdown_cues"]["silhouette"] == 0
    assert any("treadmill" in w and "landmarks alone" in w for w in summary["warnings"]), summary["warnings"]


def test_moving_camera_is_said(analysed):
    if "race_start_pan_3athletes.mp4" not in analysed:
        pytest.skip("clip absent")
    summary = json.loads((analysed["race_start_pan_3athletes.mp4"][1] / "summary.json").read_text())
    assert summary["pose"]["localisation"]["camera_moving"] is True
    assert any("camera moves" in w for w in summary["warnings"])


@pytest.mark.parametrize("name", sorted(LABELLED_CT_FRAMES))
def test_contacts_against_hand_labels(shared_clips, name):
    """Every labelled contact found, at most one phantom, contact time within the bound."""
    clip = shared_clips / name
    labels_file = shared_clips / "labels" / f"{clip.stem}.json"
    if not clip.exists() or not labels_file.exists():
        pytest.skip(f"{name} or its labels not in ../shared/clips")
    result = analyze(clip)
    labels = json.loads(labels_file.read_text())
    raw = result.raw
    last = max(int(e["frame"]) for e in labels["events"]) + 1
    frame_times = np.interp(np.arange(max(last, int(raw.frame_index[-1]) + 1)), raw.frame_index, raw.t_s)
    true = label_contacts(labels, frame_times_s=frame_times)
    score = score_contacts(result.contacts.contacts, true, max_offset_s=0.1, ignore_foot=True)
    fps = result.summary["video"]["capture_fps"]
    stats = score.stats(fps)
    assert len(true) >= 7
    assert score.n_missed == 0, stats
    assert score.n_phantom <= 1, stats
    assert stats["contact"]["mae_s"] * fps <= LABELLED_CT_FRAMES[name], stats
