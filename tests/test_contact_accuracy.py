"""Contact-event accuracy end to end (real MediaPipe model) on rendered clips with exact truth.

Each clip is rendered by ``sprintcv.synthetic`` with its own gait (speed, step rate, contact
time, framing) at 240, 120, 60 and 30 fps, both running directions. The tolerances are the
measured errors of this version plus about half again (touchdown / toe-off / contact-time MAE,
ms: 240 fps 2.3 / 3.2 / 5.4, 120 fps 3.9 / 8.9 / 5.7, 60 fps 2.5 / 15.6 / 14.8, 30 fps
2.1 / 11.8 / 13.0; ``python benchmarks/accuracy.py --render DIR`` prints the full table on
more clips). Against the issue's target of 1 frame at 120 fps and above: touchdown is within
it; toe-off is within it on most 120 fps clips (this 120 fps clip: 1.1 frames) and on this
240 fps clip (0.8 frame), but at 1.5-1.9 frames on other 240 fps clips, early (the pose model's
toe landmark moves before the toe leaves; see ``sprintcv.events``).
"""

from __future__ import annotations

import pytest

from sprintcv.pipeline import analyze
from sprintcv.synthetic.render import make_clip
from sprintcv.synthetic.score import score_contacts, truth_contacts

pytestmark = pytest.mark.slow

#: name -> (render settings, tolerances: touchdown / toe-off / contact-time MAE in seconds)
CLIPS = {
    "240_l2r": (dict(fps=240, duration_s=1.5, direction="left_to_right", speed_mps=9.4,
                     step_frequency_hz=4.6, contact_s=0.105, phase=0.33), (0.005, 0.006, 0.009)),
    "120_r2l": (dict(fps=120, duration_s=1.6, direction="right_to_left", speed_mps=9.0,
                     step_frequency_hz=4.4, contact_s=0.115, phase=0.9, seed=3), (0.007, 0.013, 0.010)),
    "60_l2r": (dict(fps=60, duration_s=1.7, speed_mps=8.6, step_frequency_hz=4.5, contact_s=0.12,
                    phase=0.45, runner_height_px=260), (0.006, 0.025, 0.025)),
    "30_r2l": (dict(fps=30, duration_s=1.8, direction="right_to_left", speed_mps=9.2,
                    step_frequency_hz=4.5, contact_s=0.11, phase=0.6), (0.010, 0.020, 0.022)),
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    root = tmp_path_factory.mktemp("contact_accuracy")
    out = {}
    for name, (spec, _) in CLIPS.items():
        clip = root / f"{name}.mp4"
        truth = make_clip(clip, **spec)
        out[name] = (analyze(clip, cache_dir=root / "cache"), truth)
    return out


@pytest.mark.parametrize("name", list(CLIPS))
def test_every_contact_found_within_tolerance(analysed, name):
    result, truth = analysed[name]
    td_tol, to_tol, ct_tol = CLIPS[name][1]
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


@pytest.mark.parametrize("name", list(CLIPS))
def test_resolution_and_low_rate_warning(analysed, name):
    result, truth = analysed[name]
    assert result.summary["resolution_s"] == pytest.approx(1.0 / truth["fps"], rel=1e-3)
    low_rate = any("contact times" in w and "unreliable" in w for w in result.summary["warnings"])
    assert low_rate == (truth["fps"] < 60)
