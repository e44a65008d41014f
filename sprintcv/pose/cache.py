"""Cache of pose results per video, keyed by the file's content, the model and the settings.

Re-analysing a clip (other thresholds, another ``--fps``, a rebuilt report) then skips pose
inference, which is most of the run time. The cache lives in ``$SPRINTCV_CACHE_DIR``, else
``$XDG_CACHE_HOME/sprintcv``, else ``~/.cache/sprintcv``; entries are single ``.npz`` files
written atomically, so a crash never leaves a half entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SprintcvError
from ..trajectory import Trajectory
from .runner import PoseRun

#: Bump when the pose pass changes in a way that changes its output.
CACHE_VERSION = 1


def default_cache_dir() -> Path:
    """Where pose results are cached (see module docstring)."""
    env = os.environ.get("SPRINTCV_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sprintcv"


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def cache_key(video_sha256: str, settings: dict[str, Any]) -> str:
    """Key of one pose run: content hash + backend and localisation settings."""
    blob = json.dumps({"v": CACHE_VERSION, "video": video_sha256, **settings}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


class PoseCache:
    """Load and store :class:`PoseRun` objects under a directory."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def path(self, key: str) -> Path:
        return self.directory / f"pose-{key}.npz"

    def load(self, key: str) -> PoseRun | None:
        """The cached run, or None when absent or unreadable (then it is recomputed)."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            traj = Trajectory.load(path)
            with np.load(path, allow_pickle=False) as data:
                roi = data["roi"] if "roi" in data else np.full((traj.n_frames, 3), np.nan)
        except (SprintcvError, OSError, ValueError, KeyError):
            return None
        return PoseRun(trajectory=traj, roi=roi)

    def store(self, key: str, run: PoseRun) -> None:
        """Save ``run`` atomically."""
        run.trajectory.save(self.path(key), extra={"roi": run.roi})
