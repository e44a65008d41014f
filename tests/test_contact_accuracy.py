"""Contact-event accuracy end to end (real MediaPipe model) on rendered clips with exact truth.

Each clip is rendered by ``sprintcv.synthetic`` with its own gait (speed, step rate, contact
time, framing) at 240, 120, 60 and 30 fps, both running directions. The tolerances are the
measured errors of this version plus about half again, and at least half a frame for the
toe-offs the shoe's silhouette times (touchdown / toe-off / contact-time MAE, ms: 240 fps
3.5 / 0.4 / 3.1, 120 fps 2.1 / 1.6 / 1.8, 60 fps 1.0 / 6.7 / 7.3, 30 fps 2.1 / 11.8 / 13.0;
``python benchmarks/accuracy.py --render DIR`` prints the full table on more clips). At 120
fps and above the issue's target, every event and contact time within 1 frame (MAE), is
asserted; before the silhouette toe-offs (:mod:`sprintcv.silhouette`) this 120 fps clip's
toe-offs were 1.1 frames off, other 240 fps clips' 1.5-1.9 frames and this 60 fps clip's
15.6 ms, early.
"""

from __future__ import annotations

import numpy as np
import pytest

from sprintcv.pipeline import analyze
from sprintcv.synthetic.score import score_contacts, truth_contacts

pytestmark = pytest.mark.slow

#: name (a clip of ``conftest.SYNTHETIC_SPECS``) -> tolerances: touchdown / toe-off /
#: contact-time MAE in seconds
CLIPS = {
    "240_l2r": (0.005, 0.0025, 0.005),
    "120_r2l": (0.004, 0.004, 0.004),
    "60_l2r": (0.006, 0.010, 0.009),
    "30_r2l": (0.010, 0.020, 0.022),
}


@pytest.fixture(scope="module")
def analysed(synthetic_analysis):
    return {name: synthetic_analysis(name) for name in CLIPS}


@pytest.mark.parametrize("name", list(CLIPS))
def test_every_contact_found_within_tolerance(analysed, name):
    result, truth = analysed[name]
    td_tol, to_tol, ct_tol = CLIPS[name]
    t = result.clean.t_s
    true = truth_contacts(truth, t[0], t[-1])
    score = score_contacts(result.contacts.contacts, true)
    stats = score.stats(truth["fps"])
    assert len(true) >= 4
    assert score.n_missed == 0, stats
    assert score.n_phantom == 0, stats
    assert stats["td"]["mae_s"] <= td_tol, stats
    assert stats["to"]["mae_s"] <= to_tol, stats
    assert stats["contact"]["mae_s"] <= ct_tol, stats
    assert result.summary["contacts_reliable"], result.summary["warnings"]
    assert result.summary["step_frequency_hz"] == pytest.approx(truth["step_frequency_hz"], rel=0.03)


@pytest.mark.parametrize("name", ["240_l2r", "120_r2l"])  # the clips at 120 fps and above
def test_issue_targets_at_120_fps_and_above(analysed, name):
    """The issue's targets: touchdown, toe-off and contact time within 1 frame (MAE); most
    edges there are timed on the shoe's silhouette (still camera), the rest on landmarks."""
    result, truth = analysed[name]
    assert truth["fps"] >= 120
    t = result.clean.t_s
    stats = score_contacts(result.contacts.contacts, truth_contacts(truth, t[0], t[-1])).stats(truth["fps"])
    for key in ("td", "to", "contact"):
        assert stats[key]["mae_frames"] <= 1.0, (key, stats)
    for edge in ("touchdown", "toeoff"):
        cues = [getattr(c, f"{edge}_cue") for c in result.contacts.contacts if np.isfinite(getattr(c, f"{edge}_s"))]
        assert cues.count("silhouette") >= 0.6 * len(cues), (edge, cues)
        assert result.summary[f"{edge}_cues"] == {"silhouette": cues.count("silhouette"),
                                                  "landmarks": cues.count("landmarks")}
    assert set(result.events.cue) <= {"landmarks", "silhouette"}


def test_landmark_edges_when_the_silhouette_is_off(analysed):
    result, truth = analysed["240_l2r"]
    plain = analyze(result.video_path, cache_dir=result.video_path.parent / "cache", silhouette=False)
    assert {c.toeoff_cue for c in plain.contacts.contacts} == {c.touchdown_cue for c in plain.contacts.contacts} == {"landmarks"}
    assert len(plain.contacts.contacts) == len(result.contacts.contacts)
    # Same contacts; only the refined edges moved, each within its search range around the
    # landmarks' time (0.03 s).
    for edge in ("touchdown", "toeoff"):
        assert any(getattr(c, f"{edge}_cue") == "silhouette" for c in result.contacts.contacts), edge
        for a, b in zip(plain.contacts.contacts, result.contacts.contacts):
            if getattr(b, f"{edge}_cue") == "silhouette":
                assert abs(getattr(a, f"{edge}_s") - getattr(b, f"{edge}_s")) <= 0.0301
            else:
                np.testing.assert_array_equal(getattr(a, f"{edge}_s"), getattr(b, f"{edge}_s"))


def test_kinogram_frames_at_240_fps(analysed):
    """Issue 5's kinogram target at 240 fps, where a frame is 4 ms: every position within one
    frame (MAE) of the truth's. The strike is the hard one: the ankle stays within 1 px of
    its forward peak for 6-8 frames (measured here 1.5 frames with the top three samples,
    1.0 with the fit to the top of the peak, :data:`sprintcv.metrics.kinogram.STRIKE_TOP_LEG`)."""
    from sprintcv.metrics.kinogram import POSITIONS
    from sprintcv.synthetic.truth import mechanics_accuracy

    result, truth = analysed["240_l2r"]
    kino = mechanics_accuracy(result, truth)["kinogram"]
    for position in POSITIONS:
        errors = np.abs(kino[position])
        assert len(errors) >= 3, position
        assert errors.mean() <= 1.0 and errors.max() <= 2, (position, kino[position])


@pytest.mark.parametrize("name", list(CLIPS))
def test_resolution_and_low_rate_warning(analysed, name):
    result, truth = analysed[name]
    assert result.summary["resolution_s"] == pytest.approx(1.0 / truth["fps"], rel=1e-3)
    low_rate = any("contact times" in w and "unreliable" in w for w in result.summary["warnings"])
    assert low_rate == (truth["fps"] < 60)
