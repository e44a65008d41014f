"""The annotated video a coach watches: the clip, slowed down, with the skeleton, ground
contacts, live angles, a step counter and the timing gates drawn on it.

One streaming pass over the source (:class:`~sprintcv.io.video.VideoReader`), one frame
per trajectory sample, written with :class:`~sprintcv.io.writer.VideoWriter` (H.264,
yuv420p, atomic: nothing is left at the output path when writing fails).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from ..errors import VideoError
from ..io.video import VideoReader
from ..io.writer import VideoWriter
from .annotate import CONTACT_RGB, GATE_RGB, draw_gates, draw_skeleton, label, near_side

if TYPE_CHECKING:
    from ..pipeline import Analysis

#: Capture rates above this (Hz) are slowed down to :data:`DEFAULT_PLAYBACK_FPS` by default.
SLOW_MOTION_ABOVE_FPS = 60.0
#: Default playback rate (Hz) of high-speed clips: 120 fps plays 4x slower, 240 fps 8x.
DEFAULT_PLAYBACK_FPS = 30.0
#: How long a "TD"/"TO" label stays on screen, in playback seconds (long enough to read).
FLASH_PLAYBACK_S = 0.3
#: x264 quality: 23 keeps the thin skeleton lines and text sharp at about 1 MB/s of 720p.
CRF = 23
TEXT_RGB = (255, 255, 255)
BOX_RGB = (0, 0, 0)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Overlay:
    """Per-clip drawing data, in output pixels and capture seconds."""

    sx: float
    sy: float
    near: str
    slow: float
    flash_s: float
    gates: list[dict[str, float]]
    splits: list[tuple[float, str]]


# --------------------------------------------------------------------------- timing


def playback_rate(capture_fps: float, slow_factor: float | None = None,
                  playback_fps: float | None = None) -> tuple[float, float]:
    """Playback rate and slow-down of the annotated video.

    Parameters
    ----------
    capture_fps : float
        Capture rate of the analysed frames, Hz.
    slow_factor : float, optional
        Slow-down (playback = ``capture_fps / slow_factor``).
    playback_fps : float, optional
        Playback rate, Hz. Default: :data:`DEFAULT_PLAYBACK_FPS` when the capture rate is above
        :data:`SLOW_MOTION_ABOVE_FPS`, else the capture rate (real speed).

    Returns
    -------
    playback_fps, slow_factor : float
        Hz, and how many times slower than real time the video plays.

    Raises
    ------
    ValueError
        Both options given, or a rate or factor that is not a positive number.
    """
    if slow_factor is not None and playback_fps is not None:
        raise ValueError("give slow_factor or playback_fps, not both")
    for name, value in (("capture_fps", capture_fps), ("slow_factor", slow_factor), ("playback_fps", playback_fps)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, not {value!r}")
    if slow_factor is not None:
        playback_fps = capture_fps / slow_factor
    elif playback_fps is None:
        playback_fps = DEFAULT_PLAYBACK_FPS if capture_fps > SLOW_MOTION_ABOVE_FPS else capture_fps
    return float(playback_fps), float(capture_fps / playback_fps)


def output_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    """Frame size (pixels) at most ``max_width`` wide, same aspect, both even (yuv420p)."""
    if max_width < 2:
        raise ValueError(f"max_width must be at least 2 pixels, not {max_width}")
    scale = min(1.0, max_width / width)
    return max(2, int(round(width * scale)) // 2 * 2), max(2, int(round(height * scale)) // 2 * 2)


def slow_motion_text(slow: float) -> str:
    """Corner label of the slow-down: ``"4x slow motion"``, ``"real speed"``."""
    if abs(slow - 1.0) < 0.01:
        return "real speed"
    shown = f"{slow:.1f}".rstrip("0").rstrip(".")
    return f"{shown}x slow motion" if slow > 1 else f"{shown}x fast"


# --------------------------------------------------------------------------- text


def _fmt_deg(value: float) -> str:
    return f"{value:.0f}" if np.isfinite(value) else "n/a"


def live_text(analysis: "Analysis", s: int) -> list[str]:
    """Top-left text lines at sample ``s``: time (capture s), angles (deg), steps so far."""
    a = analysis.angles
    nan = np.full(analysis.clean.n_frames, np.nan)
    t = float(analysis.clean.t_s[s])
    steps = sum(1 for c in analysis.contacts.contacts if np.isfinite(c.touchdown_s) and c.touchdown_s <= t)

    def pair(joint: str) -> str:
        left, right = (float(a.get(f"{side}_{joint}_deg", nan)[s]) for side in ("left", "right"))
        return f"{joint} L {_fmt_deg(left)}  R {_fmt_deg(right)}"

    return [
        f"t {t:.3f} s",
        pair("knee"),
        pair("elbow"),
        f"trunk lean {_fmt_deg(float(a.get('trunk_lean_deg', nan)[s]))} deg",
        f"steps {steps}",
    ]


def _text_style(shape: tuple[int, ...]) -> tuple[float, int]:
    """Font scale and thickness: the rule of :func:`~sprintcv.report.annotate.label`, so all
    text has one size (about 11 px tall at 480 px wide, 18 px at 1280 px)."""
    scale = max(0.5, max(shape[:2]) / 1600)
    return scale, max(1, int(round(scale * 2)))


def _corner_text(rgb: np.ndarray, lines: Sequence[str], corner: str,
                 colour: tuple[int, int, int] = TEXT_RGB) -> None:
    """Draw text lines in dark boxes in the ``"top-right"`` or ``"bottom-left"`` corner (in place)."""
    scale, thick = _text_style(rgb.shape)
    h, w = rgb.shape[:2]
    pad, gap = int(8 * scale) + 2, int(16 * scale)
    sizes = [cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)[0] for t in lines]
    y = int(28 * scale) if corner == "top-right" else h - pad - sum(th + gap for _, th in sizes) + sizes[0][1]
    for text, (tw, th) in zip(lines, sizes):
        x = w - tw - pad if corner == "top-right" else pad
        cv2.rectangle(rgb, (x - 4, y - th - 6), (x + tw + 4, y + 6), BOX_RGB, -1)
        cv2.putText(rgb, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)
        y += th + gap


# --------------------------------------------------------------------------- overlay


def _gates_and_splits(summary: dict[str, Any], sx: float) -> tuple[list[dict[str, float]], list[tuple[float, str]]]:
    """Gate lines (output pixels) and ``(shown from, text)`` of each split, when the lane is
    calibrated with markers (gates or cones); a split appears when its end gate is crossed."""
    calib = summary.get("calibration") or {}
    if calib.get("method") != "markers":
        return [], []
    crossed = {float(g["at_m"]): float(g["t_s"]) for g in summary.get("gate_crossings", [])}
    gates = [{"x_px": float(x) * sx, "at_m": float(m), "crossed_s": crossed.get(float(m), math.nan)}
             for x, m in zip(calib.get("markers_px", []), calib.get("markers_m", []))]
    splits = []
    for row in summary.get("splits", []):
        at = crossed.get(float(row["to_m"]), math.nan)
        if np.isfinite(at) and np.isfinite(row["time_s"]):
            speed = f"  {row['speed_mps']:.2f} m/s" if np.isfinite(row.get("speed_mps", math.nan)) else ""
            splits.append((at, f"{row['from_m']:g}-{row['to_m']:g} m  {row['time_s']:.3f} s{speed}"))
    return gates, splits


def _foot_point(xy: np.ndarray, names: tuple[str, ...], foot: str) -> tuple[float, float] | None:
    """Ground point under a foot (px): midway between heel and toe, at the lower of the two;
    the ankle when neither is known; None when the ankle is not known either."""
    idx = {n: i for i, n in enumerate(names)}

    def known(joints: tuple[str, ...]) -> np.ndarray:
        pts = np.array([xy[idx[j]] for j in joints if j in idx]).reshape(-1, 2)
        return pts[np.all(np.isfinite(pts), axis=1)]

    pts = known((f"{foot}_heel", f"{foot}_foot_index"))
    if len(pts) == 0:
        pts = known((f"{foot}_ankle",))
    if len(pts) == 0:
        return None
    return float(pts[:, 0].mean()), float(pts[:, 1].max())


def _draw_contacts(rgb: np.ndarray, analysis: "Analysis", s: int, xy: np.ndarray, ov: _Overlay) -> None:
    """Ground marker under each foot in contact, and "TD"/"TO" just after each event (in place)."""
    t = float(analysis.clean.t_s[s])
    scale, thick = _text_style(rgb.shape)
    size = max(6, int(round(rgb.shape[1] / 80)))
    flashes: dict[str, tuple[float, str]] = {}
    for c in analysis.contacts.contacts:
        down = c.touchdown_s if np.isfinite(c.touchdown_s) else -math.inf  # began before the clip
        up = c.toeoff_s if np.isfinite(c.toeoff_s) else math.inf  # still down at the clip's end
        point = _foot_point(xy, analysis.clean.joint_names, c.foot)
        if point is None or (down == -math.inf and up == math.inf):
            continue
        x, y = int(round(point[0])), int(round(point[1]))
        if down <= t <= up:
            cv2.ellipse(rgb, (x, y + size // 3), (size * 2, max(2, size // 2)), 0, 0, 360, CONTACT_RGB, -1,
                        cv2.LINE_AA)
        for when, text in ((down, "TD"), (up, "TO")):
            if 0 <= t - when < ov.flash_s and when >= flashes.get(c.foot, (-math.inf, ""))[0]:
                flashes[c.foot] = (when, text)
    for foot, (_, text) in flashes.items():
        point = _foot_point(xy, analysis.clean.joint_names, foot)
        if point is None:
            continue
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale * 1.3, thick + 1)
        x = int(np.clip(point[0] - tw / 2, 2, rgb.shape[1] - tw - 2))
        y = int(np.clip(point[1] + size + th + 4, th + 2, rgb.shape[0] - 4))  # below the foot
        cv2.rectangle(rgb, (x - 3, y - th - 4), (x + tw + 3, y + 4), BOX_RGB, -1)
        colour = CONTACT_RGB if text == "TD" else TEXT_RGB
        cv2.putText(rgb, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale * 1.3, colour, thick + 1, cv2.LINE_AA)


def _gate_label_band(shape: tuple[int, ...]) -> int:
    """Rows (px) taken by :func:`~sprintcv.report.annotate.draw_gates`'s labels: its baseline
    is ``40 * scale + 30`` px, plus the text's descent and a margin."""
    scale, _ = _text_style(shape)
    return int(40 * scale) + 30 + int(12 * scale)


def render_frame(image: np.ndarray, analysis: "Analysis", s: int, ov: _Overlay) -> np.ndarray:
    """One annotated output frame for sample ``s`` from the already resized ``image`` (RGB)."""
    clean = analysis.clean
    t = float(clean.t_s[s])
    xy = clean.xy[s] * (ov.sx, ov.sy)
    out = image
    if ov.gates:
        # The crossing time is printed at a gate only once the runner has passed it.
        shown = [{**g, "t_s": g["crossed_s"] if g["crossed_s"] <= t else math.nan} for g in ov.gates]
        out = draw_gates(out, shown, [])
    out = draw_skeleton(out, xy, clean.joint_names, ov.near, clean.visibility[s])
    _draw_contacts(out, analysis, s, xy, ov)
    # The gate labels sit in a band at the top; the live text goes below them so a gate near
    # the left edge keeps its label visible.
    top = _gate_label_band(out.shape) if ov.gates else 0
    out[top:] = label(out[top:], live_text(analysis, s))
    _corner_text(out, [slow_motion_text(ov.slow)], "top-right")
    done = [text for at, text in ov.splits if at <= t]
    if done:
        _corner_text(out, done, "bottom-left", GATE_RGB)
    return out


# --------------------------------------------------------------------------- writing


def _check_geometry(analysis: "Analysis", reader: VideoReader) -> None:
    """The trajectory's pixels must be this video's pixels, else everything is drawn askew."""
    video = analysis.clean.meta.get("video", {})
    w, h = video.get("width"), video.get("height")
    if w and h and (w, h) != (reader.info.width, reader.info.height):
        raise VideoError(
            f"{reader.path}: is {reader.info.width}x{reader.info.height} px but the analysis was "
            f"made on a {w}x{h} px video: is it the same clip?"
        )


def write_annotated_video(
    analysis: "Analysis",
    path: str | Path,
    *,
    slow_factor: float | None = None,
    playback_fps: float | None = None,
    max_width: int = 1280,
    progress: Progress | None = None,
) -> Path:
    """Write the annotated H.264 video of an analysed clip.

    Only the analysed frames are written (one per trajectory sample: frames dropped as
    repeats are not shown twice), downscaled to at most ``max_width`` pixels wide, with the
    skeleton (near side warm, far side cool), a marker under each foot on the ground, "TD"
    and "TO" at the contact events, time, knee and elbow angles, trunk lean and a step count
    (top left), the slow-down (top right), and, when the lane is calibrated with markers, the
    gate lines and each split once its end gate is crossed (bottom left).

    Parameters
    ----------
    analysis : Analysis
        From :func:`sprintcv.pipeline.analyze`; its ``video_path`` is read again.
    path : path
        Output ``.mp4``; written atomically (nothing appears there if writing fails).
    slow_factor : float, optional
        Play this many times slower than real time (playback rate = capture rate / factor).
    playback_fps : float, optional
        Playback rate, Hz. Default: 30 Hz for clips captured above 60 fps (120 fps plays 4x
        slower, 240 fps 8x), else the capture rate.
    max_width : int
        Widest output frame, pixels (aspect kept, sizes even).
    progress : callable, optional
        Called as ``progress(frames written, frames expected)``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    VideoError
        The source video is missing or unreadable, is not the analysed clip, or ends before
        the last analysed frame.
    ValueError
        Both ``slow_factor`` and ``playback_fps`` given, or non-positive values.
    """
    path = Path(path)
    clean = analysis.clean
    fps, slow = playback_rate(float(clean.fps), slow_factor, playback_fps)
    sample_of = {int(f): s for s, f in enumerate(clean.frame_index)}
    last = max(sample_of)
    with VideoReader(analysis.video_path, drop_duplicates=False) as reader:
        _check_geometry(analysis, reader)
        width, height = output_size(reader.info.width, reader.info.height, max_width)
        sx, sy = width / reader.info.width, height / reader.info.height
        gates, splits = _gates_and_splits(analysis.summary, sx)
        ov = _Overlay(sx=sx, sy=sy, near=near_side(analysis.direction), slow=slow,
                      flash_s=FLASH_PLAYBACK_S / slow, gates=gates, splits=splits)
        with VideoWriter(path, fps, width, height, crf=CRF) as writer:
            for frame in reader.frames():
                s = sample_of.get(frame.index)
                if s is not None:
                    small = frame.image
                    if (width, height) != (small.shape[1], small.shape[0]):
                        small = cv2.resize(small, (width, height), interpolation=cv2.INTER_AREA)
                    writer.write(render_frame(small, analysis, s, ov))
                    if progress is not None:
                        progress(writer.n_frames, len(sample_of))
                if frame.index >= last:
                    break  # the rest of the clip was not analysed
            if writer.n_frames != len(sample_of):
                raise VideoError(
                    f"{analysis.video_path}: ended after {writer.n_frames} of the {len(sample_of)} "
                    "analysed frames: is it the same clip?"
                )
    return path
