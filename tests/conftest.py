"""Shared fixtures: the bundled sample clip, the real clips in ../shared, a private pose cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "sprint_fly_120fps.mp4"
SHARED_CLIPS = ROOT.parent / "shared" / "clips"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's ~/.cache from tests; share one cache across the session."""
    monkeypatch.setenv("SPRINTCV_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pose-cache"))


@pytest.fixture(scope="session")
def sample_clip() -> Path:
    if not SAMPLE.exists():
        pytest.fail(f"bundled sample clip missing: {SAMPLE}")
    return SAMPLE


@pytest.fixture(scope="session")
def sample_truth(sample_clip) -> dict:
    return json.loads(sample_clip.with_suffix(".truth.json").read_text())


@pytest.fixture(scope="session")
def shared_clips() -> Path:
    if not SHARED_CLIPS.is_dir():
        pytest.skip("../shared/clips is not present")
    return SHARED_CLIPS


@pytest.fixture(autouse=True)
def _private_history(tmp_path_factory, monkeypatch):
    """Never record into the user's results history from tests (one database per test)."""
    monkeypatch.setenv("SPRINTCV_HISTORY_DB", str(tmp_path_factory.mktemp("history") / "history.sqlite"))


#: Rendered synthetic clips that several test modules score (issue 3's contacts, issue 5's
#: mechanics): name -> :func:`sprintcv.synthetic.render.make_clip` settings.
SYNTHETIC_SPECS: dict[str, dict] = {
    "240_l2r": dict(fps=240, duration_s=1.5, direction="left_to_right", speed_mps=9.4,
                    step_frequency_hz=4.6, contact_s=0.105, phase=0.33),
    "120_r2l": dict(fps=120, duration_s=1.6, direction="right_to_left", speed_mps=9.0,
                    step_frequency_hz=4.4, contact_s=0.115, phase=0.9, seed=3),
    "60_l2r": dict(fps=60, duration_s=1.7, speed_mps=8.6, step_frequency_hz=4.5, contact_s=0.12,
                   phase=0.45, runner_height_px=260),
    "60_r2l": dict(fps=60, duration_s=1.7, direction="right_to_left", speed_mps=9.4,
                   step_frequency_hz=4.6, contact_s=0.105, phase=0.33),
    "30_r2l": dict(fps=30, duration_s=1.8, direction="right_to_left", speed_mps=9.2,
                   step_frequency_hz=4.5, contact_s=0.11, phase=0.6),
}


@pytest.fixture(scope="session")
def synthetic_analysis(tmp_path_factory):
    """``get(name) -> (AnalysisResult, truth dict)`` for :data:`SYNTHETIC_SPECS`: each clip is
    rendered and analysed (real pose model) once per session, when first asked for."""
    from sprintcv.pipeline import analyze
    from sprintcv.synthetic.render import make_clip

    root = tmp_path_factory.mktemp("synthetic")
    done: dict[str, tuple] = {}

    def get(name: str) -> tuple:
        if name not in done:
            clip = root / f"{name}.mp4"
            truth = make_clip(clip, **SYNTHETIC_SPECS[name])
            done[name] = (analyze(clip, cache_dir=root / "cache"), truth)
        return done[name]

    return get


def _render(path: Path, **kwargs) -> Path:
    from sprintcv.synthetic.render import make_clip

    make_clip(path, **kwargs)
    return path


@pytest.fixture(scope="session")
def team_clips(tmp_path_factory, sample_clip) -> dict:
    """A coach's folder: three real clips of two athletes, bad files, notes and a roster.

    * ``anna_rep1.mp4``: the bundled sample (9.0 m/s, fly-10 truth 1.111 s);
    * ``anna_rep2.mp4``: synthetic, 8.0 m/s (fly-10 truth 1.250 s), 1.8 s at 120 fps;
    * ``ben_rep1.mp4``: synthetic, 1.0 s at 60 fps right to left: the runner never crosses
      both cones, so there is no fly-10 (it must stay missing);
    * ``junk.mp4`` (text), ``empty.mp4`` (0 bytes), ``truncated.mp4`` (first third of the
      sample), ``notes.txt``; ``roster.toml`` also names a clip that does not exist.
    """
    import shutil

    folder = tmp_path_factory.mktemp("team")
    shutil.copyfile(sample_clip, folder / "anna_rep1.mp4")
    truth2 = folder / "anna_rep2.mp4"
    _render(truth2, fps=120.0, duration_s=1.8, speed_mps=8.0, phase=0.25)
    _render(folder / "ben_rep1.mp4", fps=60.0, duration_s=1.0, speed_mps=8.0, direction="right_to_left", phase=0.1)
    (folder / "junk.mp4").write_text("this is not a video\n")
    (folder / "empty.mp4").write_bytes(b"")
    data = sample_clip.read_bytes()
    (folder / "truncated.mp4").write_bytes(data[: len(data) // 3])
    (folder / "notes.txt").write_text("Monday squad session\n")
    (folder / "roster.toml").write_text(
        """
[defaults]
date = 2025-03-03
session = "max velocity"

[athletes."Anna Smith"]
height_m = 1.70

[[clips]]
clip = "anna_rep1.mp4"
athlete = "Anna Smith"
rep = 1

[[clips]]
clip = "anna_rep2.mp4"
athlete = "Anna Smith"
rep = 2

[[clips]]
clip = "anna_rep3.mp4"
athlete = "Anna Smith"
rep = 3

[[clips]]
clip = "ben_*.mp4"
athlete = "Ben Okoro"
"""
    )
    return {
        "folder": folder,
        "roster": folder / "roster.toml",
        "truth": {
            "anna_rep1": json.loads(sample_clip.with_suffix(".truth.json").read_text()),
            "anna_rep2": json.loads(truth2.with_suffix(".truth.json").read_text()),
        },
    }


@pytest.fixture(scope="session")
def pose_cache_dir(tmp_path_factory) -> Path:
    """The session's pose cache (the same folder ``_private_cache`` points to)."""
    return tmp_path_factory.getbasetemp() / "pose-cache"


@pytest.fixture(scope="session")
def team_batch(team_clips, tmp_path_factory, pose_cache_dir) -> dict:
    """The team folder run through ``run_batch`` once, on two local worker processes,
    recording into a history database of its own. Outputs without images, video and report
    (they are tested elsewhere) to keep the suite fast."""
    from sprintcv.batch import LocalExecutor, Outputs, plan_batch, run_batch
    from sprintcv.store import HistoryStore

    out = tmp_path_factory.mktemp("team_out")
    db = tmp_path_factory.mktemp("team_db") / "history.sqlite"
    plan = plan_batch([team_clips["folder"]], out_dir=out, roster=team_clips["roster"],
                      outputs=Outputs(images=False, video=False, report=False), cache_dir=pose_cache_dir)
    with HistoryStore(db) as history:
        report = run_batch(plan, executor=LocalExecutor(2), history=history)
    return {**team_clips, "out": out, "db": db, "report": report, "plan": plan}
