"""The one trajectory container: named joint positions over time, validated on construction.

Conventions (see ``docs/conventions.md``):

* ``coords`` are **pixels of the upright (rotation-corrected) frame**, image axes: x to the
  right, **y pointing down**, origin at the top-left corner. The third coordinate, when present,
  is MediaPipe's relative depth scaled to pixels (same scale as x); it is not metric.
* ``t_s`` is capture time in seconds from the first decoded frame (a slow-motion clip analysed
  with ``--fps 240`` gives real-world seconds).
* Missing samples are ``NaN`` in ``coords`` and ``0`` in ``visibility``.

Conversion to the analysis frame (running direction +x, y up) happens once, in
:func:`sprintcv.clean.to_body_frame`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SprintcvError


@dataclass(frozen=True)
class Trajectory:
    """Joint trajectories of one runner.

    Parameters
    ----------
    coords : ndarray, shape (n_frames, n_joints, 2 or 3)
        Joint positions in pixels (x right, y down; optional z as relative depth in pixels).
    visibility : ndarray, shape (n_frames, n_joints)
        Per-joint confidence in [0, 1]; 0 where the joint is missing.
    t_s : ndarray, shape (n_frames,)
        Strictly increasing capture times in seconds.
    joint_names : tuple of str, length n_joints
        Joint names (see :mod:`sprintcv.joints`).
    frame_index : ndarray of int, shape (n_frames,)
        Index of the decoded source frame each sample comes from.
    meta : dict
        JSON-serialisable provenance: source video, sha256, model, settings, versions.
    """

    coords: np.ndarray
    visibility: np.ndarray
    t_s: np.ndarray
    joint_names: tuple[str, ...]
    frame_index: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    units: str = "px"

    def __post_init__(self) -> None:
        coords = np.asarray(self.coords, dtype=float)
        vis = np.asarray(self.visibility, dtype=float)
        t = np.asarray(self.t_s, dtype=float)
        idx = np.asarray(self.frame_index, dtype=np.int64)
        names = tuple(self.joint_names)
        if coords.ndim != 3 or coords.shape[2] not in (2, 3):
            raise ValueError(f"coords must have shape (frames, joints, 2|3), got {coords.shape}")
        n, j = coords.shape[:2]
        if vis.shape != (n, j):
            raise ValueError(f"visibility must have shape {(n, j)}, got {vis.shape}")
        if t.shape != (n,) or idx.shape != (n,):
            raise ValueError("t_s and frame_index must have one entry per frame")
        if len(names) != j or len(set(names)) != j:
            raise ValueError("joint_names must name every joint once")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("t_s must be strictly increasing")
        if not np.all(np.isfinite(t)):
            raise ValueError("t_s must be finite")
        for name, value in (("coords", coords), ("visibility", vis), ("t_s", t), ("frame_index", idx)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "joint_names", names)

    # -- access -----------------------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        return self.coords.shape[0]

    @property
    def xy(self) -> np.ndarray:
        """Image-plane positions, shape (n_frames, n_joints, 2), pixels, y down."""
        return self.coords[..., :2]

    def index(self, name: str) -> int:
        """Column of joint ``name``."""
        try:
            return self.joint_names.index(name)
        except ValueError:
            raise KeyError(f"unknown joint {name!r}") from None

    def joint(self, name: str) -> np.ndarray:
        """Positions of one joint, shape (n_frames, 2 or 3)."""
        return self.coords[:, self.index(name)]

    @property
    def fps(self) -> float:
        """Effective sample rate (median of 1/dt), Hz."""
        if self.n_frames < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.t_s)))

    def replace(self, **changes: Any) -> "Trajectory":
        """Copy with some fields replaced (validated again)."""
        fields = dict(
            coords=self.coords, visibility=self.visibility, t_s=self.t_s,
            joint_names=self.joint_names, frame_index=self.frame_index,
            meta=dict(self.meta), units=self.units,
        )
        fields.update(changes)
        return Trajectory(**fields)

    # -- files ------------------------------------------------------------------------------
    def save(self, path: str | Path, extra: dict[str, np.ndarray] | None = None) -> None:
        """Write one ``.npz`` file holding the arrays and a JSON ``meta`` entry.

        ``extra`` arrays (e.g. the pose crop windows) are stored beside them under their keys.
        """
        from .io.results import atomic_path

        with atomic_path(Path(path)) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(
                    fh,
                    coords=self.coords,
                    visibility=self.visibility,
                    t_s=self.t_s,
                    frame_index=self.frame_index,
                    joint_names=np.array(self.joint_names),
                    meta_json=np.array(json.dumps({"units": self.units, **self.meta})),
                    **(extra or {}),
                )

    @classmethod
    def load(cls, path: str | Path) -> "Trajectory":
        """Read a file written by :meth:`save`."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                meta = json.loads(str(data["meta_json"]))
                units = meta.pop("units", "px")
                return cls(
                    coords=data["coords"], visibility=data["visibility"], t_s=data["t_s"],
                    joint_names=tuple(str(s) for s in data["joint_names"]),
                    frame_index=data["frame_index"], meta=meta, units=units,
                )
        except (OSError, KeyError, ValueError) as exc:
            raise SprintcvError(f"{path}: not a sprintcv trajectory file ({exc})") from None

    def to_records(self) -> dict[str, np.ndarray]:
        """Tidy long table (one row per frame and joint) as a dict of columns (pandas-ready)."""
        n, j = self.coords.shape[:2]
        cols = {
            "frame": np.repeat(self.frame_index, j),
            "t_s": np.repeat(self.t_s, j),
            "joint": np.tile(np.array(self.joint_names, dtype=object), n),
            "x_px": self.coords[..., 0].ravel(),
            "y_px": self.coords[..., 1].ravel(),
        }
        if self.coords.shape[2] == 3:
            cols["z_px"] = self.coords[..., 2].ravel()
        cols["visibility"] = self.visibility.ravel()
        return cols

    def to_csv(self, path: str | Path | None = None) -> str | None:
        """Write the tidy table as CSV to ``path`` (or return it as a string)."""
        cols = self.to_records()
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(list(cols))
        rows = zip(*(c.tolist() for c in cols.values()))
        writer.writerows(
            [f"{v:.3f}" if isinstance(v, float) else v for v in row] for row in rows
        )
        if path is None:
            return buf.getvalue()
        from .io.results import write_text_atomic

        write_text_atomic(Path(path), buf.getvalue())
        return None
