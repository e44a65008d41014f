"""sprintcv: sprint-mechanics analysis from side-view video.

The public API is imported lazily so that ``import sprintcv`` stays cheap and has no side
effects (no MediaPipe, matplotlib or logging set-up on import).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "analyze", "Analysis", "Trajectory", "load_results"]


def __getattr__(name: str) -> Any:
    if name in ("analyze", "Analysis", "load_results"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "Trajectory":
        from .trajectory import Trajectory

        return Trajectory
    raise AttributeError(f"module 'sprintcv' has no attribute {name!r}")
