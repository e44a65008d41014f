"""Run a pose backend over a video: localise the runner, crop, infer, map back to frame pixels.

Two streaming passes over the clip: a cheap one that builds small grey thumbnails to find the
runner by motion (:mod:`sprintcv.pose.localise`), and the pose pass on crops that follow them.
The result keeps *container* timestamps (``t_s`` = presentation time of each kept frame) so it
can be cached independently of a later ``--fps`` (capture-rate) choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NoPersonError
from ..io.video import VideoReader
from ..trajectory import Trajectory
from .base import PoseBackend
from .localise import CropPlan, crop, localise, plan_crops, thumbnail

#: A progress callback receives (frames done, frames expected).
Progress = Callable[[int, int], None]


@dataclass
class PoseRun:
    """Raw pose output for one clip.

    Attributes
    ----------
    trajectory : Trajectory
        Landmarks in frame pixels; ``t_s`` are container presentation times of the kept frames.
    roi : ndarray, shape (n, 3)
        (x0, y0, size) of the square region given to the model per frame, NaN where skipped.
    """

    trajectory: Trajectory
    roi: np.ndarray


def _thumbnails(path: Path) -> tuple[np.ndarray, np.ndarray, float]:
    index, thumbs, scale = [], [], 1.0
    with VideoReader(path) as reader:
        for frame in reader.frames():
            small, scale = thumbnail(frame.image)
            index.append(frame.index)
            thumbs.append(small)
    return np.array(index, dtype=np.int64), np.stack(thumbs), scale


def _pose_pass(
    path: Path,
    backend: PoseBackend,
    plan: CropPlan,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any]:
    n_joints = len(backend.joint_names)
    coords, vis, roi, index, pts = [], [], [], [], []
    backend.reset()
    with VideoReader(path) as reader:
        expected = reader.info.n_frames_estimate
        for i, frame in enumerate(reader.frames()):
            c = np.full((n_joints, 3), np.nan)
            v = np.zeros(n_joints)
            window = plan.window(i) if plan.mode == "crop" else (0, 0, 0)
            r = (np.nan, np.nan, np.nan)
            if window is not None:
                x0, y0, size = window
                image = frame.image if plan.mode == "full" else crop(frame.image, x0, y0, size)
                result = backend.process(image, frame.pts_s)
                r = (x0, y0, size) if plan.mode == "crop" else (0, 0, max(frame.image.shape[:2]))
                if result is not None:
                    c = result.coords.copy()
                    c[:, 0] += x0
                    c[:, 1] += y0
                    v = result.visibility.copy()
                    # Landmarks outside the frame are the model's guesses, not observations.
                    h, w = frame.image.shape[:2]
                    outside = (c[:, 0] < 0) | (c[:, 0] >= w) | (c[:, 1] < 0) | (c[:, 1] >= h)
                    v[outside] = 0.0
            coords.append(c)
            vis.append(v)
            roi.append(r)
            index.append(frame.index)
            pts.append(frame.pts_s)
            if progress is not None:
                progress(i + 1, expected)
        stats = reader.stats
    return (np.array(coords), np.array(vis), np.array(roi, dtype=float),
            np.array(index, dtype=np.int64), np.array(pts), stats)


def _detected(vis: np.ndarray) -> np.ndarray:
    return vis.max(axis=1) > 0


def run_pose(
    path: str | Path,
    backend: PoseBackend,
    *,
    localise_runner: bool = True,
    progress: Progress | None = None,
    min_detected_frac: float = 0.2,
) -> PoseRun:
    """Pose landmarks for every kept frame of ``path``.

    Parameters
    ----------
    path : path
        The video.
    backend : PoseBackend
        Pose estimator (reset before use).
    localise_runner : bool
        Find the runner by motion and crop around them (needed for small runners); when false,
        full frames go to the model.
    progress : callable, optional
        Called as ``progress(done, expected)`` after each frame of the pose pass.
    min_detected_frac : float
        Fewer frames with a pose than this fraction raises :class:`NoPersonError`.
    """
    path = Path(path)
    with VideoReader(path) as probe_reader:
        info = probe_reader.info
    width, height = info.width, info.height
    if localise_runner:
        index, thumbs, scale = _thumbnails(path)
        loc = localise(index, thumbs, scale)
        plan = plan_crops(loc, width, height)
    else:
        loc = None
        plan = CropPlan("full", max(width, height), np.tile([width / 2, height / 2], (0, 1)), "requested")
    coords, vis, roi, index, pts, stats = _pose_pass(path, backend, plan, progress)
    detected = _detected(vis)
    fallback = None
    if plan.mode == "crop" and detected.mean() < 0.5:
        # The motion crop may have followed something else (a shadow, a second person):
        # let the model's own detector search the full frames instead.
        fallback = f"pose found in {detected.mean():.0%} of cropped frames; retried on full frames"
        full = CropPlan("full", max(width, height), np.tile([width / 2, height / 2], (len(index), 1)), "fallback")
        coords2, vis2, roi2, index2, pts2, stats2 = _pose_pass(path, backend, full, progress)
        if _detected(vis2).mean() > detected.mean():
            coords, vis, roi, index, pts, stats, plan = coords2, vis2, roi2, index2, pts2, stats2, full
            detected = _detected(vis)
    if detected.mean() < min_detected_frac or detected.sum() < 3:
        raise NoPersonError(
            f"{path.name}: no person found (pose detected in {int(detected.sum())} of {len(detected)} frames)"
        )
    meta = {
        "source": str(path),
        "backend": backend.settings(),
        "crop": {"mode": plan.mode, "size_px": plan.size_px, "reason": plan.reason, "fallback": fallback},
        "localisation": loc.summary() if loc is not None else None,
        "localisation_notes": list(loc.notes) if loc is not None else [],
        "frames_with_pose": int(detected.sum()),
        "timeline": {
            "n_decoded": stats.n_decoded, "n_kept": stats.n_kept,
            "n_duplicates": stats.n_duplicates, "duplicate_runs": stats.duplicate_runs,
        },
        "video": {
            "width": width, "height": height, "rotation_deg": info.rotation_deg,
            "container_fps": info.container_fps, "codec": info.codec,
            "duration_s": info.duration_s,
        },
    }
    traj = Trajectory(
        coords=coords, visibility=vis, t_s=pts, joint_names=backend.joint_names,
        frame_index=index, meta=meta,
    )
    return PoseRun(trajectory=traj, roi=roi)
