"""The analysis pipeline behind ``sprintcv analyze`` — the same API a notebook uses.

>>> from sprintcv import analyze
>>> result = analyze("run.mp4", fps=240)          # doctest: +SKIP
>>> result.summary["contact_s_mean"]               # doctest: +SKIP
>>> import pandas as pd; pd.DataFrame(result.steps)  # doctest: +SKIP

Stages: video timeline (:mod:`sprintcv.io.video`) -> pose, cached
(:mod:`sprintcv.pose`) -> cleaning and body frame (:mod:`sprintcv.clean`) -> contact events
(:mod:`sprintcv.events`) -> metrics (:mod:`sprintcv.metrics`). Writing files is separate
(:func:`write_results`), so computing never leaves half an output folder behind.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .clean import clean_trajectory, default_cutoff_hz, direction_name, lowpass, to_body_frame
from .coaching import mechanics_stage
from .errors import AnalysisError, CalibrationError, SprintcvError, VideoError
from .events import ContactDetection, EventTable, alternation_breaks, detect_contacts, swap_feet
from .flags import FlagThresholds
from .joints import near_side
from .io.video import VideoReader, capture_times, frame_rate_report, validate_fps
from .metrics.kinematics import (
    angle_series, broken_leg_samples, hide_broken_legs, kinematic_summary, step_kinematics,
)
from .metrics.periodicity import pelvis_step_frequency_hz
from .metrics.temporal import steps_table, temporal_summary
from .pose.cache import PoseCache, cache_key, file_sha256
from .pose.mediapipe_backend import make_backend
from .pose.localise import LOCALISATION_VERSION
from .pose.runner import PoseRun, run_pose
from .trajectory import Trajectory

#: Below this capture rate a sprint contact (~0.08-0.12 s) spans too few frames to time well.
MIN_RELIABLE_CONTACT_FPS = 60.0
#: Below this leg length (hip-knee-ankle, pixels; a runner about 130 px tall) the pose model's
#: foot landmarks are too coarse for reliable contacts (measured on the synthetic far-camera
#: clip: phantom contacts appear at a 62 px leg, none at 82 px).
SMALL_RUNNER_LEG_PX = 70.0
#: Sprinting step frequencies lie within about 3-5.5 Hz, jogging about 2.5-3.2 Hz.
PLAUSIBLE_STEP_HZ = (1.6, 6.5)


@dataclass
class Analysis:
    """Everything computed for one clip.

    Attributes
    ----------
    raw : Trajectory
        Pose landmarks in frame pixels, capture-time seconds.
    clean : Trajectory
        After outlier rejection, left/right swap correction, gap filling and low-pass filtering.
    body_xy : ndarray, shape (n, n_joints, 2)
        ``clean`` in the body frame (x forward along the run, y up), pixels.
    direction : int
        +1 runner moves toward image +x (left to right), -1 the other way.
    contacts : ContactDetection
    events : EventTable
    steps : dict of ndarray
        Per-step table, one row per ground contact.
    angles : dict of ndarray
        Per-frame angle series (degrees).
    summary : dict
        The JSON summary (see README, "Output contract").
    roi : ndarray, shape (n, 3)
        Pose crop window per sample (x0, y0, size), NaN where skipped.
    velocity : dict of ndarray, optional
        ``t_s``, ``distance_m``, ``speed_mps`` per sample, when the lane is calibrated.
    cones : list
        Markers found automatically (:class:`sprintcv.cones.Cone`).
    """

    video_path: Path
    raw: Trajectory
    clean: Trajectory
    body_xy: np.ndarray
    direction: int
    contacts: ContactDetection
    events: EventTable
    steps: dict[str, np.ndarray]
    angles: dict[str, np.ndarray]
    summary: dict[str, Any]
    roi: np.ndarray
    warnings: list[str] = field(default_factory=list)
    velocity: dict[str, np.ndarray] | None = None
    cones: list[Any] = field(default_factory=list)


def _pose(
    path: Path, model: str | Path | None, use_cache: bool, cache_dir: str | Path | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[PoseRun, bool]:
    backend = make_backend(model)
    try:
        # The localisation decides the crops the model sees: a new version of it must not
        # reuse poses cached under the old one.
        settings = {**backend.settings(), "localise_runner": True, "localisation_version": LOCALISATION_VERSION}
        cache = PoseCache(cache_dir) if use_cache else None
        key = cache_key(file_sha256(path), settings) if cache is not None else ""
        if cache is not None and (hit := cache.load(key)) is not None:
            return hit, True
        run = run_pose(path, backend, progress=progress)
        if cache is not None:
            try:
                cache.store(key, run)
            except OSError:
                pass  # a read-only cache folder costs time on the next run, not correctness
        return run, False
    finally:
        backend.close()


def _clean(raw: Trajectory, cutoff_hz: float | None) -> tuple[Trajectory, Any, np.ndarray]:
    """Cleaned trajectory (low-passed at ``cutoff_hz``), its report, and the same positions
    before the low-pass (image frame, pixels), on which contact edges are timed: filtering
    rounds the corners of touchdown and toe-off."""
    unfiltered, report = clean_trajectory(raw, cutoff_hz=math.inf)
    fs = unfiltered.fps
    cutoff = default_cutoff_hz(fs) if cutoff_hz is None else float(cutoff_hz)
    coords = lowpass(unfiltered.coords, unfiltered.t_s, cutoff) if cutoff < 0.9 * fs / 2 else unfiltered.coords
    notes = [n for n in report.notes if not n.startswith("low-pass skipped")]
    report = dataclasses.replace(report, cutoff_hz=cutoff if cutoff < 0.9 * fs / 2 else None, notes=tuple(notes))
    return unfiltered.replace(coords=coords), report, unfiltered.xy


def _with_camera_side(steps: dict[str, np.ndarray], near: str) -> dict[str, np.ndarray]:
    """The steps table with ``camera_side`` ("near" / "far": which side of the runner the
    landing foot is on, as seen by the camera) after ``foot``: far-side landmarks are partly
    hidden and their angles less accurate (docs/metrics.md)."""
    out: dict[str, np.ndarray] = {}
    for key, column in steps.items():
        out[key] = column
        if key == "foot":
            out["camera_side"] = np.array(["near" if f == near else "far" for f in column], dtype=object)
    return out


def _silhouette_stage(
    path: Path, detection: ContactDetection, unfiltered: np.ndarray, clean: Trajectory,
    direction: int, partial: np.ndarray, warnings: list[str],
) -> ContactDetection:
    """The detection with touchdowns and toe-offs timed on the shoe's silhouette where the
    image supports it (:mod:`sprintcv.silhouette`; still camera and still ground only)."""
    from .io.video import read_crops
    from .silhouette import background_frames, refine_edges, toe_windows, touchdown_windows

    video = clean.meta.get("video", {})
    if not video.get("width") or not video.get("height"):
        return detection
    names = clean.joint_names
    xy = swap_feet(np.where(partial[:, None, None], np.nan, unfiltered), names, detection.foot_swaps)
    frame = (int(video["height"]), int(video["width"]))
    contacts = detection.contacts
    windows = (touchdown_windows(contacts, xy, clean.t_s, names, direction, frame)
               + toe_windows(contacts, xy, clean.t_s, names, direction, frame))
    if not windows:
        return detection
    frame_index = np.asarray(clean.frame_index)
    picks = background_frames(frame_index)
    try:
        crops = read_crops(path, [w.window for w in windows] * 2,
                           [frame_index[w.samples] for w in windows] + [picks] * len(windows))
    except VideoError as exc:
        warnings.append(f"contact edges timed on the pose landmarks only (the frames could not be read again: {exc})")
        return detection
    contacts = refine_edges(contacts, windows, crops[:len(windows)], crops[len(windows):], clean.t_s)
    return dataclasses.replace(detection, contacts=contacts)


def partly_outside(raw: Trajectory, margin_px: float = 2.0) -> np.ndarray:
    """Frames where the pose model puts any landmark outside the frame (runner entering or
    leaving): those landmarks are guesses, and so are contacts seen there. Shape (n,) bool."""
    w = raw.meta.get("video", {}).get("width")
    h = raw.meta.get("video", {}).get("height")
    if not w or not h:
        return np.zeros(raw.n_frames, dtype=bool)
    x, y = raw.xy[..., 0], raw.xy[..., 1]
    with np.errstate(invalid="ignore"):
        out = (x < margin_px) | (x > w - margin_px) | (y < margin_px) | (y > h - margin_px)
    return out.any(axis=1)


def _fps_warnings(rate: dict[str, Any], fps_given: bool) -> list[str]:
    out = []
    fps = rate["effective_fps"]
    if fps < MIN_RELIABLE_CONTACT_FPS:
        out.append(
            f"{fps:.0f} fps: one frame is {1000 / fps:.0f} ms, so contact times (about 0.1 s in a "
            f"sprint) are unreliable; film at 120 fps or more, or pass --fps if this is slow motion"
        )
    if rate.get("vfr"):
        out.append(
            f"variable frame rate (frame intervals {rate['dt_min_s'] * 1000:.1f}-"
            f"{rate['dt_max_s'] * 1000:.1f} ms): per-frame timestamps are used"
        )
    if rate.get("slowed_by_duplicates"):
        out.append(
            f"{rate['n_duplicates']} repeated frames were dropped (the clip was slowed down by "
            "repeating frames; each real frame is counted once)"
            + ("" if fps_given else ": pass --fps with the real capture rate")
        )
    return out


@dataclass(frozen=True)
class LaneOptions:
    """How to calibrate distance along the lane (see :mod:`sprintcv.calibration`).

    ``gates_px``: marker columns in the order the runner meets them, ``gate_distance_m``
    apart; else, with ``find_cones``, cones of ``cone_color`` detected in the frames (taken
    as evenly spaced ``gate_distance_m`` apart); else, with ``height_m``, an approximate scale
    from the athlete's height.
    """

    gates_px: tuple[float, ...] | None = None
    gate_distance_m: float = 10.0
    height_m: float | None = None
    find_cones: bool = True
    cone_color: str = "orange"


def _find_cones(path: Path, n_frames: int, direction: int, color: str) -> list[Any]:
    """Cones seen at the same place in frames spread over the clip, in the order met."""
    from .cones import detect_cones_in_frames
    from .report.annotate import read_frames

    picks = {int(i) for i in np.linspace(0, max(0, n_frames - 1), 7).round()}
    frames = read_frames(path, picks)
    cones = detect_cones_in_frames([frames[i] for i in sorted(frames)], color=color)
    return sorted(cones, key=lambda c: direction * c.x_px)


def _lane_stage(
    path: Path, options: LaneOptions, clean: Trajectory, partial: np.ndarray, direction: int,
    detection: ContactDetection, step_frequency_hz: float, camera_moving: bool, warnings: list[str],
) -> tuple[dict[str, Any], dict[str, np.ndarray] | None, np.ndarray | None, list[Any]]:
    """Calibrate the lane and compute splits, speeds and step lengths (empty when no scale)."""
    from .calibration import from_gates, from_leg_length
    from .metrics.speed import hip_midpoint_x, speed_summary

    width = clean.meta.get("video", {}).get("width")
    requested = options.gates_px is not None or options.height_m is not None
    if camera_moving:
        if requested:
            raise CalibrationError(
                f"{path.name}: the camera moves, so image columns are not fixed places on the lane: "
                "distances, splits and speeds need a camera that stays still"
            )
        return {}, None, None, []
    cones: list[Any] = []
    calib = None
    if options.gates_px is not None:
        calib = from_gates(options.gates_px, options.gate_distance_m, frame_width=width)
    else:
        if options.find_cones:
            cones = _find_cones(path, int(clean.frame_index[-1]) + 1, direction, options.cone_color)
            if len(cones) >= 2:
                calib = from_gates([c.x_px for c in cones], options.gate_distance_m, frame_width=width,
                                   source="cones found automatically")
                warnings.append(
                    f"{len(cones)} cones found at x = {', '.join(f'{c.x_px:.0f}' for c in cones)} px and taken as "
                    f"{options.gate_distance_m:g} m apart: check frames/gates.png, or set --gates and --gate-distance"
                )
        if calib is None and options.height_m is not None:
            hip = hip_midpoint_x(clean.xy, clean.joint_names)
            x0 = float(hip[np.isfinite(hip)][0]) if np.isfinite(hip).any() else 0.0
            calib = from_leg_length(detection.leg_length_px, options.height_m, direction, x0)
            warnings.append(
                f"distances are scaled from the athlete's height ({options.height_m:.2f} m): approximate "
                "(no perspective correction); place two cones a known distance apart for timing"
            )
    if calib is None:
        return {}, None, None, cones
    valid = ~partial
    fields, table, step_m = speed_summary(calib, clean.xy, clean.joint_names, clean.t_s,
                                          detection.contacts, valid, step_frequency_hz)
    missed = [g for g in fields.get("gate_crossings", []) if not np.isfinite(g["t_s"])]
    if missed:
        where = ", ".join(f"{g['at_m']:g} m" for g in missed)
        if options.gates_px is not None:
            raise CalibrationError(
                f"{path.name}: the runner's hips never cross the gate(s) at {where} while fully in view: "
                "check --gates (pixel columns of the upright frame, in the order the runner meets them)"
            )
        warnings.append(f"the runner was not seen crossing the marker(s) at {where}: no time there")
    return fields, table, step_m, cones


def _withhold_if_inconsistent(temporal: dict[str, Any], contacts: list[Any], warnings: list[str]) -> bool:
    """Blank the run-level contact and flight means when the contact sequence does not hold
    together (few complete contacts, many pattern breaks): a mean of those would mislead."""
    complete = sum(1 for c in contacts if np.isfinite(c.contact_s))
    breaks = sum(len(b) for b in alternation_breaks(contacts))
    # The pelvis bounce overruling the contacts' step rate means contacts were missed or
    # spurious, even when the left/right pattern looks sound.
    overruled = temporal.get("step_frequency_source") == "pelvis_oscillation" and np.isfinite(
        temporal.get("step_frequency_from_events_hz", float("nan")))
    if complete >= 3 and breaks <= 0.25 * len(contacts) and not overruled:
        return True
    for key in ("contact_s_mean", "contact_s_sd", "flight_s_mean", "flight_s_sd", "step_s_mean"):
        temporal[key] = float("nan")
    temporal["asymmetry_pct"] = {k: float("nan") for k in temporal["asymmetry_pct"]}
    if contacts:
        why = (f"{complete} of {len(contacts)} contacts are complete and the left/right pattern "
               f"breaks {breaks} times") if not overruled else "their step rate disagrees with the pelvis bounce"
        warnings.append(
            f"contact and flight times (and step lengths) are not summarised: {why}; "
            "steps.csv lists the contacts found"
        )
    return False


def _choose_step_frequency(
    temporal: dict[str, Any], contacts: list[Any], body: np.ndarray, t_s: np.ndarray,
    names: tuple[str, ...], warnings: list[str],
) -> dict[str, Any]:
    """Step frequency from events when the contact sequence is sound, else from the pelvis
    bounce (long clips) or strides; both are reported so they can be compared."""
    pelvis_hz, prominence = pelvis_step_frequency_hz(body, t_s, names)
    events_hz = temporal["step_frequency_hz"]
    breaks = sum(len(b) for b in alternation_breaks(contacts))
    sound = temporal["step_s_n"] >= 3 and breaks <= 0.1 * max(len(contacts), 1)
    source = "events"
    chosen = events_hz
    if np.isfinite(pelvis_hz) and prominence > 0.3:
        if not sound or not np.isfinite(events_hz):
            chosen, source = pelvis_hz, "pelvis_oscillation"
        elif abs(events_hz - pelvis_hz) > 0.05 * pelvis_hz:
            # Beyond 10% the contacts, not the bounce, are wrong: spurious or missed contacts
            # move the event rate by a whole step's worth, the bounce needs no contact at all.
            if abs(events_hz - pelvis_hz) > 0.10 * pelvis_hz:
                chosen, source = pelvis_hz, "pelvis_oscillation"
            warnings.append(
                f"step frequency from contacts ({events_hz:.2f} Hz) and from the pelvis bounce "
                f"({pelvis_hz:.2f} Hz) differ by more than 5%: some contacts may be missed or spurious"
            )
    elif not sound and np.isfinite(temporal["step_frequency_from_strides_hz"]):
        chosen, source = temporal["step_frequency_from_strides_hz"], "strides"
    return {
        "step_frequency_hz": chosen,
        "step_frequency_source": source,
        "step_frequency_from_events_hz": events_hz,
        "step_frequency_from_pelvis_hz": pelvis_hz,
        "cadence_spm": 60.0 * chosen if np.isfinite(chosen) else float("nan"),
    }


def _summary(
    path: Path, raw: Trajectory, rate: dict[str, Any], direction: int,
    steps: dict[str, np.ndarray], temporal: dict[str, Any], kin: dict[str, float],
    clean_report: dict[str, Any], warnings: list[str], from_cache: bool,
) -> dict[str, Any]:
    video = raw.meta.get("video", {})
    complete = np.isfinite(steps["contact_s"])
    return {
        "sprintcv_version": __version__,
        "video": {
            "path": str(path),
            "fps": rate["container_fps"],
            "capture_fps": rate["effective_fps"],
            "vfr": bool(rate["vfr"]),
            "frames": int(raw.meta.get("timeline", {}).get("n_decoded", raw.n_frames)),
            "frames_analysed": int(raw.n_frames),
            "duplicates_dropped": int(rate.get("n_duplicates", 0)),
            "width": video.get("width"),
            "height": video.get("height"),
            "rotation_deg": video.get("rotation_deg", 0),
            "duration_s": float(raw.t_s[-1] - raw.t_s[0]) if raw.n_frames > 1 else 0.0,
        },
        "resolution_s": rate["resolution_s"],
        "direction": direction_name(direction),
        "n_steps": int(len(steps["step"])),
        "n_complete_contacts": int(complete.sum()),
        "contacts_reliable": bool(temporal["contacts_reliable"]),
        "contact_s_mean": temporal["contact_s_mean"],
        "contact_s_sd": temporal["contact_s_sd"],
        "flight_s_mean": temporal["flight_s_mean"],
        "flight_s_sd": temporal["flight_s_sd"],
        "step_s_mean": temporal["step_s_mean"],
        "step_frequency_hz": temporal["step_frequency_hz"],
        "step_frequency_source": temporal["step_frequency_source"],
        "step_frequency_from_events_hz": temporal["step_frequency_from_events_hz"],
        "step_frequency_from_pelvis_hz": temporal["step_frequency_from_pelvis_hz"],
        "cadence_spm": temporal["cadence_spm"],
        "per_foot": temporal["per_foot"],
        "asymmetry_pct": temporal["asymmetry_pct"],
        "kinematics": kin,
        "pose": {
            "backend": raw.meta.get("backend", {}),
            "crop": raw.meta.get("crop", {}),
            "localisation": raw.meta.get("localisation"),
            "frames_with_pose": raw.meta.get("frames_with_pose"),
            "from_cache": from_cache,
        },
        "cleaning": clean_report,
        "warnings": warnings,
    }


def analyze(
    video: str | Path,
    *,
    fps: float | None = None,
    model: str | Path | None = None,
    cutoff_hz: float | None = None,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    lane: LaneOptions | None = None,
    flags: FlagThresholds | None = None,
    silhouette: bool = True,
) -> Analysis:
    """Analyse one side-view sprint clip.

    Parameters
    ----------
    video : path
        The clip (any format FFmpeg reads).
    fps : float, optional
        Capture frame rate in Hz, for slow-motion clips exported at a lower playback rate
        (e.g. ``240`` for a 240 fps recording saved as 30 fps). Times are then real seconds.
    model : path, optional
        A MediaPipe ``.task`` pose-landmarker file; default: the legacy full model in the wheel.
    cutoff_hz : float, optional
        Low-pass cut-off for the trajectories; default chosen by :func:`sprintcv.clean.clean_trajectory`.
    use_cache, cache_dir :
        Reuse pose results of an unchanged clip (see :mod:`sprintcv.pose.cache`).
    progress : callable, optional
        ``progress(done, expected)`` during pose estimation.
    lane : LaneOptions, optional
        Distance calibration (gates, cones, athlete height); default: look for cones.
    flags : FlagThresholds, optional
        Thresholds of the coach-facing flags (:mod:`sprintcv.flags`); default values otherwise.
    silhouette : bool
        With a still camera on still ground, time toe-offs on the shoe's silhouette where the
        image supports it (:mod:`sprintcv.silhouette`; one more decoding pass of the clip).

    Raises
    ------
    SprintcvError
        For any input problem (not a video, nobody in it, ...), with a one-line message.
    """
    path = Path(video)
    if fps is not None:
        fps = validate_fps(fps)
    with VideoReader(path):
        pass  # opening validates the file before any slow work
    run, from_cache = _pose(path, model, use_cache, cache_dir, progress)
    pts = np.asarray(run.trajectory.t_s)
    timeline = run.trajectory.meta.get("timeline", {})
    rate = frame_rate_report(
        pts, capture_fps=fps, n_duplicates=int(timeline.get("n_duplicates", 0)),
        container_fps=run.trajectory.meta.get("video", {}).get("container_fps"),
        duplicate_runs=timeline.get("duplicate_runs"), kept_index=run.trajectory.frame_index,
    )
    raw = run.trajectory.replace(t_s=capture_times(pts, capture_fps=fps))
    warnings = list(raw.meta.get("localisation_notes", [])) + _fps_warnings(rate, fps is not None)
    loc = raw.meta.get("localisation") or {}
    if loc.get("camera_moving"):
        warnings.append(
            "with a moving camera, foot speeds and positions are relative to the image, so contact "
            "times are less reliable, and the runner is whoever the pose model follows (other "
            "people in view were not checked)"
        )
    if loc.get("several_people_frames", 0) > 0.2 * raw.n_frames:
        warnings.append(
            f"several people move in {loc['several_people_frames']} frames: the runner was taken "
            "as the largest moving person; check the annotated frames"
        )
    clean, report, unfiltered = _clean(raw, cutoff_hz)
    warnings += list(report.notes)
    try:
        body, direction = to_body_frame(clean.xy, report.direction, joint_names=clean.joint_names)
    except SprintcvError as exc:
        raise AnalysisError(f"{path.name}: running direction unknown ({exc})") from None
    partial = partly_outside(raw)
    if partial.any():
        warnings.append(
            f"the runner is partly outside the frame in {int(partial.sum())} of {raw.n_frames} frames: "
            "no contact events are taken there"
        )
    try:
        hide = partial[:, None, None]
        detection = detect_contacts(
            np.where(hide, np.nan, body), clean.t_s, clean.joint_names,
            xy_raw=np.where(hide, np.nan, to_body_frame(unfiltered, direction)[0]),
            camera_still=not loc.get("camera_moving", False), cutoff_hz=report.cutoff_hz,
        )
    except ValueError as exc:
        raise AnalysisError(f"{path.name}: {exc}") from None
    if detection.foot_swaps.any():
        # The contacts found feet labelled with the wrong side; every metric uses the fix.
        clean = clean.replace(coords=swap_feet(clean.coords, clean.joint_names, detection.foot_swaps),
                              visibility=swap_feet(clean.visibility, clean.joint_names, detection.foot_swaps))
        body = swap_feet(body, clean.joint_names, detection.foot_swaps)
    warnings += detection.warnings
    if detection.leg_length_px < SMALL_RUNNER_LEG_PX:
        warnings.append(
            f"the runner is small in the frame (leg {detection.leg_length_px:.0f} px): foot landmarks are "
            "coarse, so contact times and step lengths are less reliable; film closer or zoom in "
            "(distances and split times are not affected)"
        )
    # A moving camera has its own warning; a moving ground (a treadmill belt) gets one here.
    still_camera = silhouette and not loc.get("camera_moving")
    if still_camera and detection.ground_velocity_px_s == 0.0:
        detection = _silhouette_stage(path, detection, unfiltered, clean, direction, partial, warnings)
    elif still_camera and detection.contacts and rate["effective_fps"] >= MIN_RELIABLE_CONTACT_FPS:
        warnings.append(
            "the ground moves under the runner (treadmill?): touchdowns and toe-offs are timed on the pose "
            "landmarks alone, not on the shoe against still ground, so they are less precise (on a blurred "
            "60 fps treadmill test clip contact times came out 1.8 frames short)"
        )
    contacts = detection.contacts
    steps = _with_camera_side(steps_table(contacts, rate["effective_fps"]), near_side(direction))
    broken = broken_leg_samples(body, clean.joint_names)
    angles = hide_broken_legs(angle_series(body, clean.joint_names), broken)
    steps.update(step_kinematics(angles, body, clean.joint_names, clean.t_s, contacts, detection.leg_length_px))
    temporal = temporal_summary(steps, contacts)
    temporal.update(_choose_step_frequency(temporal, contacts, body, clean.t_s, clean.joint_names, warnings))
    temporal["contacts_reliable"] = _withhold_if_inconsistent(temporal, contacts, warnings)
    if not contacts:
        warnings.append("no ground contact was found: is the whole runner (feet included) in view?")
    f = temporal["step_frequency_hz"]
    if np.isfinite(f) and not PLAUSIBLE_STEP_HZ[0] <= f <= PLAUSIBLE_STEP_HZ[1]:
        warnings.append(
            f"step frequency {f:.2f} Hz is outside running's {PLAUSIBLE_STEP_HZ[0]}-{PLAUSIBLE_STEP_HZ[1]} Hz: "
            "if this is slow motion, pass the capture rate with --fps"
        )
    lane_fields, velocity, step_m, cones = _lane_stage(
        path, lane or LaneOptions(), clean, partial, direction, detection,
        temporal["step_frequency_hz"], bool(loc.get("camera_moving")), warnings,
    )
    if lane_fields and not temporal["contacts_reliable"]:
        # Step lengths are distances between contacts: no better than the contacts.
        lane_fields["step_length_m_mean"] = float("nan")
        lane_fields["speed_check"] = {k: float("nan") for k in lane_fields.get("speed_check", {})}
    steps["step_length_m"] = step_m if step_m is not None else np.full(len(contacts), np.nan)
    # -- mechanics, arms, kinogram, flags (sprintcv.coaching) --
    mech_columns, mech_fields, mech_warnings = mechanics_stage(
        steps, angles, body, clean.joint_names, clean.t_s, clean.frame_index, contacts,
        detection.leg_length_px, direction=direction, calibration=lane_fields.get("calibration"),
        usable=~partial, contacts_reliable=temporal["contacts_reliable"], thresholds=flags,
    )
    steps.update(mech_columns)
    warnings += mech_warnings
    summary = _summary(path, raw, rate, direction, steps, temporal,
                       kinematic_summary(angles, steps),
                       {**report.to_dict(), "feet_swapped_frames": int(detection.foot_swaps.any(axis=1).sum()),
                        "feet_lost_frames": int(detection.foot_lost.any(axis=(1, 2)).sum()),
                        "leg_pose_implausible_frames": {side: int(b.sum()) for side, b in broken.items()},
                        "landing_speed_run": round(float(detection.landing_speed_run), 3)},
                       warnings, from_cache)
    summary.update(lane_fields)
    summary.update(mech_fields)
    for edge in ("touchdown", "toeoff"):
        timed = [getattr(c, f"{edge}_cue") for c in contacts if np.isfinite(getattr(c, f"{edge}_s"))]
        summary[f"{edge}_cues"] = {cue: timed.count(cue) for cue in ("silhouette", "landmarks")}
    return Analysis(
        video_path=path, raw=raw, clean=clean, body_xy=body, direction=direction,
        contacts=detection, events=detection.events(), steps=steps, angles=angles,
        summary=summary, roi=run.roi, warnings=warnings, velocity=velocity, cones=cones,
    )


def write_results(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    images: bool = True,
    video: bool = True,
    report: bool = True,
    athlete: str | None = None,
    slow_factor: float | None = None,
) -> list[Path]:
    """Write the output folder (see README "Output contract"); all or nothing.

    Parameters
    ----------
    images, video, report : bool
        Also write annotated key frames, the annotated H.264 video (``annotated.mp4``) and
        the HTML report with its plots (``report.html``, ``plots/``).
    athlete : str, optional
        Name shown in the report title.
    slow_factor : float, optional
        Slow-motion factor of the annotated video (default: play at 30 fps when the capture
        rate is higher).

    Returns the paths written.
    """
    from .io.results import staged_dir, table_to_csv, to_json
    from .report.annotate import write_gate_frame, write_key_frames, write_kinograms

    out_dir = Path(out_dir)
    with staged_dir(out_dir) as stage:
        (stage / "summary.json").write_text(to_json(analysis.summary), encoding="utf-8")
        (stage / "steps.csv").write_text(table_to_csv(analysis.steps), encoding="utf-8")
        (stage / "events.csv").write_text(table_to_csv(analysis.events.to_columns()), encoding="utf-8")
        (stage / "angles.csv").write_text(table_to_csv(
            {"frame": analysis.clean.frame_index, "t_s": analysis.clean.t_s, **analysis.angles}), encoding="utf-8")
        analysis.raw.save(stage / "trajectory_raw.npz", extra={"roi": analysis.roi})
        analysis.clean.save(stage / "trajectory.npz")
        analysis.clean.to_csv(stage / "trajectory.csv")
        if analysis.velocity is not None:
            (stage / "velocity.csv").write_text(table_to_csv(analysis.velocity), encoding="utf-8")
        if images:
            write_key_frames(analysis, stage)
            write_gate_frame(analysis, stage)
            write_kinograms(analysis, stage)
        if video:
            from .report.video import write_annotated_video

            write_annotated_video(analysis, stage / "annotated.mp4", slow_factor=slow_factor)
        if report:
            from .report.html import ReportData, build_report

            build_report(stage, ReportData.from_analysis(analysis), athlete=athlete)
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    return [out_dir / p for p in written]


def load_results(out_dir: str | Path) -> dict[str, Any]:
    """Read an output folder back: ``summary`` (dict), ``steps`` (dict of columns),
    ``trajectory`` (:class:`Trajectory`)."""
    out_dir = Path(out_dir)
    try:
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        with open(out_dir / "steps.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, ValueError) as exc:
        raise SprintcvError(f"{out_dir}: not a sprintcv results folder ({exc})") from None
    steps: dict[str, Any] = {}
    for key in (rows[0].keys() if rows else []):
        values = [r[key] for r in rows]
        try:
            steps[key] = np.array([float(v) if v != "" else np.nan for v in values])
        except ValueError:
            steps[key] = np.array(values, dtype=object)
    traj_path = out_dir / "trajectory.npz"
    return {
        "summary": summary,
        "steps": steps,
        "trajectory": Trajectory.load(traj_path) if traj_path.exists() else None,
    }
