"""Scoring detected contacts against truth and hand labels."""

import numpy as np
import pytest

from sprintcv.events import Contact
from sprintcv.synthetic.score import label_contacts, score_contacts, truth_contacts


def _c(foot, td, to):
    return Contact(foot, td, to, 0, 0, 1.0, 1.0)


def test_match_miss_and_phantom():
    truth = [("left", 0.10, 0.20), ("right", 0.32, 0.42), ("left", 0.54, 0.64)]
    found = [_c("left", 0.11, 0.215), _c("right", 0.31, 0.43), _c("right", 0.75, 0.80)]
    s = score_contacts(found, truth)
    assert s.n_missed == 1 and s.n_phantom == 0  # 0.75 lies beyond the truth span + 50 ms
    np.testing.assert_allclose(s.td_err_s, [0.01, -0.01], atol=1e-12)
    np.testing.assert_allclose(s.contact_err_s, [0.005, 0.02], atol=1e-12)
    st = s.stats(100.0)
    assert st["td"]["mae_frames"] == pytest.approx(1.0)
    assert list(s.feet) == ["left", "right"]  # the true foot of each matched contact


def test_truth_contacts_in_view_and_inside_clip():
    truth = {"contacts": [
        {"foot": "left", "touchdown_s": 0.05, "toeoff_s": 0.15, "in_view": True},
        {"foot": "right", "touchdown_s": 0.3, "toeoff_s": 0.4, "in_view": False},
        {"foot": "left", "touchdown_s": 0.6, "toeoff_s": 0.7},
    ]}
    assert truth_contacts(truth, 0.0, 1.0) == [("left", 0.05, 0.15), ("left", 0.6, 0.7)]
    assert truth_contacts(truth, 0.1, 1.0) == [("left", 0.6, 0.7)]


def test_label_contacts_pairs_touchdown_with_next_toeoff_of_same_side():
    labels = {"container_fps": 60, "events": [
        {"kind": "toeoff", "frame": 2, "foot": "near", "side": None},
        {"kind": "touchdown", "frame": 10, "foot": "far", "side": "left"},
        {"kind": "toeoff", "frame": 27, "foot": "far", "side": "left"},
        {"kind": "touchdown", "frame": 31, "foot": "near", "side": None},
    ]}
    assert label_contacts(labels) == [("left", 10 / 60, 27 / 60)]


def test_label_times_from_frame_times_are_midway_to_the_previous_frame():
    """A label marks the first frame after its event: with the decoded frames' capture times
    (here variable: 1/60 s, then 1/30 s apart) the event is placed midway to the frame
    before."""
    labels = {"container_fps": 60, "events": [
        {"kind": "touchdown", "frame": 3, "foot": "far", "side": None},
        {"kind": "toeoff", "frame": 6, "foot": "far", "side": None},
    ]}
    times = np.concatenate([np.arange(5) / 60, 4 / 60 + np.arange(1, 4) / 30])
    (foot, td, to), = label_contacts(labels, frame_times_s=times)
    assert foot == "far"
    assert td == pytest.approx((2 / 60 + 3 / 60) / 2)
    assert to == pytest.approx((times[5] + times[6]) / 2)


def test_a_detection_after_the_last_labelled_toe_off_is_not_a_phantom():
    """Hand labels may stop before the clip does: the next real step is not judged."""
    truth = [("left", 1.0, 1.1), ("right", 1.25, 1.35)]
    found = [_c("left", 1.0, 1.1), _c("right", 1.25, 1.35),
             _c("left", 1.30, 1.42),   # inside the labelled span: a phantom
             _c("left", 1.45, 1.55)]   # after the last labelled toe-off
    s = score_contacts(found, truth, max_offset_s=0.1, ignore_foot=True)
    assert s.n_missed == 0 and s.n_phantom == 1
