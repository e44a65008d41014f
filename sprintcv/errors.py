"""Exceptions raised for bad input.

Every error a user can cause derives from :class:`SprintcvError`; the CLI turns it into a
one-line message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations


class SprintcvError(Exception):
    """Base class of all user-facing sprintcv errors."""


class VideoError(SprintcvError):
    """The file is not a readable video (missing, not a video, corrupt, too short...)."""


class PoseError(SprintcvError):
    """Pose estimation could not find (or keep) the runner."""


class NoPersonError(PoseError):
    """Nobody was detected in the clip."""


class AnalysisError(SprintcvError):
    """The trajectories do not support the requested analysis."""


class CalibrationError(SprintcvError):
    """Calibration input (gates, distances, heights) is invalid."""


class BatchError(SprintcvError):
    """A batch cannot start: no clips, an output folder in use, an unreachable scheduler..."""


class RosterError(BatchError):
    """The roster file is unreadable or inconsistent (unknown keys, duplicate entries...)."""


class StoreError(SprintcvError):
    """The results history database cannot be used (unreadable, newer schema...)."""
