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
