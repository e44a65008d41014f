"""Synthetic sprint clips with exact ground truth.

* :mod:`sprintcv.synthetic.kinematics`: a planar sprinter (pure numpy): joint positions, angles
  and exact contact events for given speed, step frequency and contact time.
* :mod:`sprintcv.synthetic.render`: draws that sprinter on a track with OpenCV and writes an H.264
  clip plus ``<clip>.truth.json`` (schema in that module's docstring).

Command line: ``python -m sprintcv.synthetic OUT.mp4 --fps 120 --duration 1.8``.

The names below are imported lazily (the renderer pulls in OpenCV and PyAV).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "GaitParams",
    "Anthropometry",
    "simulate",
    "contact_events",
    "gait_events",
    "make_clip",
    "make_scene",
    "render_frames",
    "truth_path_for",
]

_KINEMATICS = {"GaitParams", "Anthropometry", "simulate", "contact_events", "gait_events"}
_RENDER = {"make_clip", "make_scene", "render_frames", "truth_path_for"}


def __getattr__(name: str) -> Any:
    if name in _KINEMATICS:
        from . import kinematics

        return getattr(kinematics, name)
    if name in _RENDER:
        from . import render

        return getattr(render, name)
    raise AttributeError(f"module 'sprintcv.synthetic' has no attribute {name!r}")
