"""Render the synthetic sprinter to an H.264 clip and write its exact ground truth.

The camera is an orthographic side view: world metres map to pixels by
``x_px = origin_x_px + x_m * px_per_m - pan_offset_px(t)`` and ``y_px = ground_y_px - y_m * px_per_m``
(pixel centres at integer coordinates, as OpenCV draws). The runner is drawn moving to the right;
a ``right_to_left`` clip is that picture mirrored (``x -> width - 1 - x``). A runner moving left
to right shows the camera their **right** side (near limbs drawn last and brighter), one moving
right to left their left side. The background (sky, stands, track with lane lines, grass, cones)
is rendered once; with ``camera_pan_px_per_s`` it is a wider panorama scrolled by whole pixels.

Truth file schema (``<clip>.truth.json``, version 1)
----------------------------------------------------
Frame ``k`` shows time ``t = k / fps`` (seconds); ``t_last_s = (n_frames - 1) / fps``. Pixel
coordinates are image pixels (x right, **y down**, origin top-left, pixel centres at integers),
already mirrored for ``right_to_left``. World quantities are metres along the lane.

``generator`` ("sprintcv.synthetic"), ``version`` (1), ``fps``, ``n_frames``, ``t_last_s``,
``width``, ``height``, ``direction`` ("left_to_right" | "right_to_left"), ``near_side`` (the
runner's side facing the camera: "right" when running left to right), ``px_per_m``,
``ground_y_px`` (image row of the ground under the runner), ``origin_x_px`` (canonical, unmirrored
image x of world x = 0 at frame 0), ``camera_pan_px_per_s``, ``camera_offset_px`` (per-frame
whole-pixel scroll, present only when panning), ``body_height_m``, ``runner_height_px``,
``speed_mps``, ``step_frequency_hz``, ``contact_s``, ``flight_s``, ``step_length_m``, ``phase``,
``start_x_m`` (hip x at t = 0), ``hip_height_m``, ``touchdown_ahead_m`` (toe ahead of the hip at
touchdown), ``trunk_lean_deg``, ``shoulder_rotation_deg`` (upper trunk's axial rotation, deg each
way), ``seed``, ``crf``,

``contacts``: complete contacts in ``[0, t_last_s]`` (touchdown and toe-off both inside), sorted:
``{"foot": "left"|"right", "touchdown_s", "toeoff_s", "contact_s", "flight_s"`` (flight after
this contact until the next listed touchdown; ``null`` for the last), ``"touchdown_x_m"`` (world x
of the planted toe), ``"touchdown_frame"``, ``"toeoff_frame"`` (first frame at or after the
event: the first frame with the foot down, resp. the first frame with it off the ground),
``"in_view"}`` (that leg's hip, knee, ankle, heel and toe stay inside the picture in every frame
of the contact),

``events``: every touchdown/toe-off in ``[0, t_last_s]`` (including those of contacts cut by the
clip's ends), sorted by time: ``{"foot", "kind": "touchdown"|"toeoff", "t_s", "frame"}``,

``cones``: ``[{"x_m", "x_px"}]`` (``x_px`` = image column of the cone's axis at frame 0; the cones
stand on the far edge of the runner's lane),

``gate_crossings``: ``[{"x_m", "t_s", "in_clip"}]``: time at which the hip midpoint crosses each
cone's x (``in_clip``: whether that time lies in ``[0, t_last_s]``),

``joints``: ``{"names": [33 MediaPipe names], "xy_px": [n_frames][33][2]}`` rounded to 0.01 px.
In the planar model left and right hips (eyes, ears, mouth corners) coincide; the shoulders
differ by the upper trunk's rotation (:mod:`sprintcv.synthetic.kinematics`).
``foot_index`` is the toe tip; it is the planted point during contact. ``heel`` is the back of
the heel.

``stance``: ``{"left": [0/1 per frame], "right": [...]}`` (1 while that foot is on the ground),

``angles_deg``: per-frame lists (0.01 deg), direction-independent:
``left_thigh``/``right_thigh`` = hip->knee segment angle from the downward vertical, positive
with the knee in front of the hip; ``left_knee``/``right_knee`` = interior knee angle (180 =
straight); ``left_elbow``/``right_elbow`` = interior elbow angle (180 = straight);
``left_shoulder``/``right_shoulder`` = shoulder->elbow angle from the downward vertical, positive
forward; ``left_foot_pitch``/``right_foot_pitch`` = heel-up angle of the sole (0 = flat);
``trunk_lean`` = hip-midpoint->shoulder-midpoint angle from the upward vertical, positive forward.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..io.results import write_json_atomic
from ..io.writer import VideoWriter
from ..joints import MEDIAPIPE_JOINTS
from .kinematics import (
    FACE_POINTS,
    GaitParams,
    contact_events,
    gait_events,
    hip_crossing_time,
    simulate,
)

__all__ = ["Camera", "Scene", "make_clip", "make_scene", "render_frames", "build_truth", "truth_path_for", "DIRECTIONS"]

DIRECTIONS = ("left_to_right", "right_to_left")

_SHIFT = 4  # sub-pixel bits for OpenCV drawing
_SCALE = 1 << _SHIFT

# colours (RGB)
_SKIN = (206, 150, 112)
_SKIN_DARK = (160, 108, 78)
_HAIR = (40, 28, 22)
_SHIRT = (28, 86, 200)
_SHORTS = (60, 60, 72)
_SHORTS_FAR = (22, 22, 28)
_SHOE = (236, 236, 236)
_SOLE = (30, 30, 30)
_SOCK = (245, 245, 245)
_TRACK = (168, 74, 54)
_LINE = (240, 240, 236)
_GRASS = (64, 132, 60)
_CONE = (255, 110, 20)
_FAR_SHADE = 0.72  # far-side limbs are darker (in shadow)
_FAR_SCALE = 1.0  # far-side limb thickness factor
_ANATOMY = True  # calf muscle and kneecap


def truth_path_for(path: str | Path) -> Path:
    """The truth file beside a clip: ``clip.mp4`` -> ``clip.truth.json``."""
    path = Path(path)
    return path.with_name(path.stem + ".truth.json")


@dataclass(frozen=True)
class Camera:
    """Orthographic side-view camera (canonical picture: running direction = +x in the image).

    Parameters
    ----------
    px_per_m : float
        Scale in pixels per metre.
    origin_x_px : float
        Image column of world ``x = 0`` at ``t = 0``.
    ground_y_px : float
        Image row of the ground (``y = 0``).
    pan_px_per_s : float
        Camera pan speed; the picture scrolls by ``round(pan_px_per_s * t)`` whole pixels.
    """

    px_per_m: float
    origin_x_px: float
    ground_y_px: float
    pan_px_per_s: float = 0.0

    def offset_px(self, t_s: np.ndarray) -> np.ndarray:
        """Whole-pixel scroll of the picture at times ``t_s`` (s)."""
        return np.round(self.pan_px_per_s * np.asarray(t_s, dtype=float))

    def to_px(self, xy_m: np.ndarray, offset_px: np.ndarray | float = 0.0) -> np.ndarray:
        """World metres (..., 2) to canonical pixels (..., 2); ``offset_px`` broadcasts with ``xy_m[..., 0]``."""
        xy_m = np.asarray(xy_m, dtype=float)
        x = self.origin_x_px + xy_m[..., 0] * self.px_per_m - np.asarray(offset_px, dtype=float)
        y = self.ground_y_px - xy_m[..., 1] * self.px_per_m
        return np.stack([x, y], axis=-1)


@dataclass(frozen=True)
class Scene:
    """Everything needed to draw a clip: image size, camera, gait, cones, direction."""

    width: int
    height: int
    camera: Camera
    params: GaitParams
    cones_m: tuple[float, ...]
    direction: str = "left_to_right"
    seed: int = 0

    @property
    def near_side(self) -> str:
        """Anatomical side facing the camera: **right** when running left to right.

        A runner moving to the right of the picture faces the camera's right; their left hand
        points away from the camera, so the camera sees their right side (and their left side
        when running right to left). MediaPipe labels the limbs the same way.
        """
        return "right" if self.direction == "left_to_right" else "left"


# ---------------------------------------------------------------------------------------------
# drawing primitives (canonical picture, float pixel coordinates)
# ---------------------------------------------------------------------------------------------
def _fx(p: np.ndarray) -> np.ndarray:
    """Float pixels to OpenCV fixed-point integers."""
    return np.round(np.asarray(p, dtype=float) * _SCALE).astype(np.int32)


def _circle(img: np.ndarray, c: np.ndarray, r: float, color: tuple[int, ...]) -> None:
    cv2.circle(img, tuple(int(v) for v in _fx(c)), max(1, int(round(r * _SCALE))), color, -1, cv2.LINE_AA, _SHIFT)


def _ellipse(
    img: np.ndarray, c: np.ndarray, axes: tuple[float, float], angle_deg: float, color: tuple[int, ...]
) -> None:
    cv2.ellipse(
        img,
        tuple(int(v) for v in _fx(c)),
        (max(1, int(round(axes[0] * _SCALE))), max(1, int(round(axes[1] * _SCALE)))),
        angle_deg,
        0,
        360,
        color,
        -1,
        cv2.LINE_AA,
        _SHIFT,
    )


def _poly(img: np.ndarray, pts: np.ndarray, color: tuple[int, ...]) -> None:
    cv2.fillPoly(img, [_fx(pts).reshape(-1, 1, 2)], color, cv2.LINE_AA, _SHIFT)


def _capsule(
    img: np.ndarray, p0: np.ndarray, p1: np.ndarray, r0: float, r1: float, color: tuple[int, ...]
) -> None:
    """Tapered capsule: circles of radius r0, r1 at p0, p1 joined by their tangent quad."""
    p0 = np.asarray(p0, dtype=float)
    p1 = np.asarray(p1, dtype=float)
    d = p1 - p0
    L = float(np.hypot(*d))
    _circle(img, p0, r0, color)
    _circle(img, p1, r1, color)
    if L < 1e-6:
        return
    u = d / L
    n = np.array([-u[1], u[0]])
    quad = np.array([p0 + n * r0, p1 + n * r1, p1 - n * r1, p0 - n * r0])
    _poly(img, quad, color)


def _shade(color: tuple[int, ...], k: float) -> tuple[int, int, int]:
    """Scale a colour towards black (k < 1) or white (k > 1)."""
    c = np.asarray(color, dtype=float)
    out = c * k if k <= 1 else c + (255 - c) * (k - 1)
    return tuple(int(v) for v in np.clip(out, 0, 255))  # type: ignore[return-value]


def _limb(
    img: np.ndarray,
    p0: np.ndarray,
    p1: np.ndarray,
    r0: float,
    r1: float,
    color: tuple[int, ...],
    light: tuple[float, float] = (0.45, -0.9),
) -> None:
    """Shaded limb: darker rim, base colour, lighter highlight stripe towards the light."""
    p0 = np.asarray(p0, dtype=float)
    p1 = np.asarray(p1, dtype=float)
    d = p1 - p0
    L = float(np.hypot(*d)) or 1.0
    n = np.array([-d[1], d[0]]) / L
    if n @ np.asarray(light) < 0:
        n = -n
    _capsule(img, p0, p1, r0, r1, _shade(color, 0.72))
    _capsule(img, p0 + n * 0.10 * r0, p1 + n * 0.10 * r1, 0.82 * r0, 0.82 * r1, color)
    _capsule(img, p0 + n * 0.38 * r0, p1 + n * 0.38 * r1, 0.32 * r0, 0.32 * r1, _shade(color, 1.28))


# ---------------------------------------------------------------------------------------------
# background
# ---------------------------------------------------------------------------------------------
def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    n = rng.standard_normal(shape).astype(np.float32)
    if sigma > 0:
        n = cv2.GaussianBlur(n, (0, 0), sigma)
        n /= max(float(n.std()), 1e-6)
    return n


def _background(scene: Scene, width: int, origin_x_px: float) -> np.ndarray:
    """Static canonical background of ``width`` columns (cones drawn at ``origin_x_px``)."""
    H = scene.height
    cam = scene.camera
    ppm = cam.px_per_m
    g = cam.ground_y_px
    rng = np.random.default_rng(scene.seed)
    img = np.zeros((H, width, 3), np.float32)
    rows = np.arange(H, dtype=np.float32)[:, None]

    lane_h = 0.32 * ppm  # one 1.22 m lane, foreshortened
    far_line = g - 0.5 * lane_h  # far edge of the runner's lane
    track_top = g - 2.6 * lane_h
    track_bottom = min(H, g + 1.7 * lane_h)
    board_h = max(6.0, 0.55 * lane_h)
    stands_bottom = track_top - 0.9 * lane_h - board_h
    sky_bottom = max(0.0, min(0.22 * H, stands_bottom - 2.0 * lane_h))

    # sky: vertical gradient
    t = np.clip(rows / max(sky_bottom, 1.0), 0, 1)
    sky = (1 - t)[..., None] * np.array([120, 165, 220], np.float32) + t[..., None] * np.array(
        [190, 215, 240], np.float32
    )
    img[:] = sky
    # stands: rows of seated spectators as a static mosaic of muted colours
    ys, ye = int(sky_bottom), int(max(sky_bottom, stands_bottom))
    if ye > ys:
        h = ye - ys
        cw = max(2, int(round(0.09 * ppm)))  # one spectator ~ a cell
        ch = max(3, int(round(0.16 * ppm)))
        ny, nx = h // ch + 2, width // cw + 2
        hue = rng.uniform(0, 1, (ny, nx, 1)).astype(np.float32)
        palette = np.array([[150, 60, 60], [60, 80, 150], [200, 190, 170], [60, 60, 60], [90, 130, 80],
                            [210, 170, 60], [230, 230, 230], [120, 100, 90]], np.float32)
        cells = palette[(hue[..., 0] * len(palette)).astype(int) % len(palette)]
        cells = 0.55 * cells + 0.45 * np.array([110, 110, 115], np.float32)
        cells *= rng.uniform(0.75, 1.1, (ny, nx, 1)).astype(np.float32)
        # every third row is a concrete step
        cells[::3] = np.array([128, 126, 130], np.float32)
        crowd = np.repeat(np.repeat(cells, ch, axis=0), cw, axis=1)[:h, :width]
        img[ys:ye] = cv2.GaussianBlur(crowd, (0, 0), max(0.6, 0.006 * ppm))
    # advertising boards
    bs, be = int(max(0, stands_bottom)), int(max(0, stands_bottom + board_h))
    if be > bs:
        seg = max(20, int(2.5 * ppm))
        palette = np.array([[20, 70, 160], [230, 230, 230], [200, 40, 40], [30, 30, 30]], np.float32)
        cols = (np.arange(width) // seg) % len(palette)
        img[bs:be] = palette[cols][None, :, :]
    # far grass strip
    gs, ge = be, int(max(be, track_top))
    if ge > gs:
        img[gs:ge] = np.array(_GRASS, np.float32) + 10 * _smooth_noise(rng, (ge - gs, width), 1.0)[..., None]
    # track with a fine static grain
    ts, te = int(max(0, track_top)), int(track_bottom)
    if te > ts:
        grain = 9 * _smooth_noise(rng, (te - ts, width), 0.7) + 5 * _smooth_noise(rng, (te - ts, width), 4.0)
        img[ts:te] = np.array(_TRACK, np.float32) + grain[..., None] * np.array([1.0, 0.6, 0.5], np.float32)
    # near infield grass
    if H > te:
        img[te:H] = np.array(_GRASS, np.float32) * 0.92 + 12 * _smooth_noise(rng, (H - te, width), 1.5)[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    img = np.ascontiguousarray(img)

    # lane lines: every lane_h from the far edge of the runner's lane (thicker when nearer)
    y = far_line - 2 * lane_h
    while y < track_bottom - 1:
        if y > track_top + 1:
            thick = max(1.0, 0.05 * ppm * (0.6 + 0.4 * (y - track_top) / max(track_bottom - track_top, 1)))
            _poly(img, np.array([[0, y - thick / 2], [width, y - thick / 2], [width, y + thick / 2], [0, y + thick / 2]]), _LINE)
        y += lane_h
    # cones on the far edge of the lane
    for x_m in scene.cones_m:
        _cone(img, origin_x_px + x_m * ppm, far_line, ppm)
    return img


def _cone(img: np.ndarray, x: float, base_y: float, ppm: float) -> None:
    """Traffic cone (0.30 m tall) standing on ``base_y`` with its axis at column ``x``."""
    h = 0.30 * ppm
    bw = 0.26 * ppm
    _poly(img, np.array([[x - bw / 2, base_y], [x + bw / 2, base_y], [x + bw / 2, base_y - 0.03 * ppm], [x - bw / 2, base_y - 0.03 * ppm]]), _shade(_CONE, 0.75))
    top_w = 0.035 * ppm
    bot_w = 0.17 * ppm
    yb = base_y - 0.03 * ppm
    yt = base_y - h
    _poly(img, np.array([[x - bot_w / 2, yb], [x - top_w / 2, yt], [x + top_w / 2, yt], [x + bot_w / 2, yb]]), _CONE)

    def half_w(yy: float) -> float:
        return (bot_w + (top_w - bot_w) * (yb - yy) / (yb - yt)) / 2

    y0, y1 = yb - 0.45 * (yb - yt), yb - 0.65 * (yb - yt)
    _poly(img, np.array([[x - half_w(y0), y0], [x - half_w(y1), y1], [x + half_w(y1), y1], [x + half_w(y0), y0]]), (250, 250, 250))
    # shading on the far side of the cone
    _poly(img, np.array([[x + bot_w / 6, yb], [x + top_w / 6, yt], [x + top_w / 2, yt], [x + bot_w / 2, yb]]), _shade(_CONE, 0.8))


# ---------------------------------------------------------------------------------------------
# figure
# ---------------------------------------------------------------------------------------------
def _draw_leg(img: np.ndarray, P: dict[str, np.ndarray], side: str, H: float, far: bool) -> None:
    k = _FAR_SHADE if far else 1.0
    skin = _shade(_SKIN, k)
    hip, knee, ankle = P[f"{side}_hip"], P[f"{side}_knee"], P[f"{side}_ankle"]
    heel, toe = P[f"{side}_heel"], P[f"{side}_foot_index"]
    g = _FAR_SCALE if far else 1.0
    shank = ankle - knee
    Ls = float(np.hypot(*shank)) or 1.0
    us = shank / Ls
    # anterior side of the shank: where the toes point, perpendicular to the shank
    fwd = (toe - heel) - ((toe - heel) @ us) * us
    fwd = fwd / (float(np.hypot(*fwd)) or 1.0)
    _limb(img, knee, ankle, 0.030 * H * g, 0.019 * H * g, skin)  # shank
    if _ANATOMY:
        # calf muscle behind the upper shank
        _limb(img, knee + 0.12 * shank - fwd * 0.010 * H, knee + 0.55 * shank - fwd * 0.006 * H,
              0.026 * H * g, 0.020 * H * g, skin)
    _limb(img, hip, knee, 0.046 * H * g, 0.031 * H * g, skin)  # thigh
    if _ANATOMY:
        _circle(img, knee + fwd * 0.014 * H * g, 0.016 * H * g, _shade(skin, 1.12))  # kneecap
    # shorts leg with a darker hem; the near leg's shorts are lighter than the far (shadowed) one,
    # so the near thigh visibly overlaps the pelvis (MediaPipe uses that occlusion to tell legs apart)
    shorts = _SHORTS_FAR if far else _SHORTS
    _limb(img, hip, hip + 0.40 * (knee - hip), 0.052 * H * g, 0.046 * H * g, shorts)
    tip = hip + 0.40 * (knee - hip)
    _capsule(img, tip - 0.02 * (knee - hip), tip, 0.047 * H * g, 0.046 * H * g, _shade(shorts, 0.6))
    # sock and shoe
    _capsule(img, ankle + 0.25 * (knee - ankle), ankle, 0.019 * H, 0.018 * H, _shade(_SOCK, k))
    foot_dir = toe - heel
    Lf = float(np.hypot(*foot_dir)) or 1.0
    u = foot_dir / Lf
    up = np.array([u[1], -u[0]])  # image y is down: rotate to the top of the foot
    if up @ (ankle - heel) < 0:
        up = -up
    sole = 0.010 * H
    shoe = np.array(
        [
            heel - up * 0.004 * H,
            heel + u * 0.85 * Lf - up * 0.005 * H,
            toe - up * 0.002 * H,
            toe + up * 0.020 * H - u * 0.02 * Lf,
            heel + u * 0.55 * Lf + up * 0.048 * H,
            ankle + up * 0.012 * H,
            heel + up * 0.045 * H,
        ]
    )
    _poly(img, shoe, _shade(_SHOE, k))
    _capsule(img, heel - up * 0.002 * H, toe - up * 0.001 * H + up * sole * 0.2, sole * 0.6, sole * 0.5, _shade(_SOLE, 1.0))
    # shoe stripe
    _capsule(img, heel + u * 0.35 * Lf + up * 0.018 * H, heel + u * 0.70 * Lf + up * 0.028 * H, 0.006 * H, 0.005 * H, _shade((230, 40, 40), k))


def _draw_arm(img: np.ndarray, P: dict[str, np.ndarray], side: str, H: float, far: bool) -> None:
    k = _FAR_SHADE if far else 1.0
    skin = _shade(_SKIN, k)
    sh, el, wr = P[f"{side}_shoulder"], P[f"{side}_elbow"], P[f"{side}_wrist"]
    idx = P[f"{side}_index"]
    _limb(img, el, wr, 0.022 * H, 0.016 * H, skin)  # forearm
    _limb(img, sh, el, 0.029 * H, 0.022 * H, skin)  # upper arm
    # short sleeve
    _capsule(img, sh, sh + 0.35 * (el - sh), 0.033 * H, 0.030 * H, _shade(_SHIRT, k))
    # fist
    _circle(img, 0.45 * wr + 0.55 * idx, 0.027 * H, _shade(skin, 0.85))
    _circle(img, 0.45 * wr + 0.55 * idx + np.array([0.004, -0.004]) * H, 0.020 * H, skin)


def _draw_torso_head(
    img: np.ndarray, P: dict[str, np.ndarray], head: np.ndarray, tilt: float, H: float, r_head: float
) -> None:
    # the trunk is drawn on the shoulder midpoint; the shoulder joints move with its rotation
    hip, sh = P["left_hip"], 0.5 * (P["left_shoulder"] + P["right_shoulder"])
    axis = sh - hip
    L = float(np.hypot(*axis)) or 1.0
    u = axis / L
    fwd = np.array([-u[1], u[0]])  # perpendicular; pick the one pointing forward (+x)
    if fwd[0] < 0:
        fwd = -fwd
    # neck
    neck_top = head + np.array([-0.15, 0.55]) * r_head
    _limb(img, sh + 0.02 * H * fwd, neck_top, 0.030 * H, 0.027 * H, _SKIN)
    # torso: chest deeper than the waist, singlet colour
    chest = sh - u * 0.06 * H
    torso = np.array(
        [
            hip - fwd * 0.055 * H,
            hip + fwd * 0.052 * H,
            chest + fwd * 0.070 * H,
            sh + fwd * 0.050 * H + u * 0.02 * H,
            sh - fwd * 0.045 * H + u * 0.025 * H,
            chest - fwd * 0.060 * H,
        ]
    )
    _poly(img, torso, _shade(_SHIRT, 0.75))
    _poly(img, hip + 0.9 * (torso - hip), _SHIRT)
    _capsule(img, hip + u * 0.12 * H + fwd * 0.025 * H, sh - u * 0.03 * H + fwd * 0.035 * H, 0.012 * H, 0.014 * H, _shade(_SHIRT, 1.3))
    # bib number on the chest side
    bib_c = hip + u * 0.17 * H + fwd * 0.01 * H
    bib = np.array([bib_c + (-u * 0.04 - fwd * 0.035) * H, bib_c + (-u * 0.04 + fwd * 0.035) * H,
                    bib_c + (u * 0.04 + fwd * 0.035) * H, bib_c + (u * 0.04 - fwd * 0.035) * H])
    _poly(img, bib, (245, 245, 240))
    # shorts (pelvis) and waistband
    _capsule(img, hip - fwd * 0.008 * H, hip + u * 0.05 * H, 0.056 * H, 0.054 * H, _SHORTS)
    _draw_head(img, head, tilt, r_head)


def _head_pt(head: np.ndarray, tilt: float, r: float, fx: float, fy: float) -> np.ndarray:
    """Head-local (units of head radius; x face direction, y head up) to canonical pixels."""
    fwd = np.array([math.cos(tilt), math.sin(tilt)])  # image y down: a forward tilt points down
    up = np.array([math.sin(tilt), -math.cos(tilt)])
    return head + r * (fx * fwd + fy * up)


def _draw_head(img: np.ndarray, head: np.ndarray, tilt: float, r: float) -> None:
    ang = math.degrees(tilt)
    P = lambda fx, fy: _head_pt(head, tilt, r, fx, fy)  # noqa: E731
    # hair / skull
    _ellipse(img, P(-0.10, 0.10), (1.02 * r, 1.05 * r), ang, _HAIR)
    # face and jaw
    _ellipse(img, P(0.10, -0.08), (0.92 * r, 1.0 * r), ang, _SKIN)
    _ellipse(img, P(0.42, -0.62), (0.42 * r, 0.30 * r), ang, _SKIN)
    # forehead hairline keeps the front of the head skin coloured
    _ellipse(img, P(0.55, 0.05), (0.45 * r, 0.62 * r), ang, _SKIN)
    # nose
    _poly(img, np.array([P(0.86, 0.10), P(1.12, -0.20), P(0.92, -0.28), P(0.80, -0.20)]), _SKIN)
    _circle(img, P(0.86, -0.22), 0.05 * r, _SKIN_DARK)
    # eye: white, iris, brow
    _ellipse(img, P(*FACE_POINTS["left_eye"]), (0.15 * r, 0.085 * r), ang, (250, 250, 250))
    _circle(img, P(0.71, 0.14), 0.075 * r, (40, 30, 25))
    cv2.line(img, tuple(int(v) for v in _fx(P(0.50, 0.33))), tuple(int(v) for v in _fx(P(0.84, 0.30))), _HAIR, max(1, int(round(0.07 * r))), cv2.LINE_AA, _SHIFT)
    # mouth
    cv2.line(img, tuple(int(v) for v in _fx(P(0.62, -0.50))), tuple(int(v) for v in _fx(P(0.86, -0.48))), (140, 60, 60), max(1, int(round(0.06 * r))), cv2.LINE_AA, _SHIFT)
    # ear
    _ellipse(img, P(*FACE_POINTS["left_ear"]), (0.17 * r, 0.26 * r), ang, _SKIN_DARK)
    _ellipse(img, P(-0.04, 0.0), (0.09 * r, 0.16 * r), ang, _SKIN)


def _draw_runner(
    img: np.ndarray, P: dict[str, np.ndarray], head: np.ndarray, tilt: float, H: float, r_head: float, near: str
) -> None:
    far = "right" if near == "left" else "left"
    _draw_arm(img, P, far, H, far=True)
    _draw_leg(img, P, far, H, far=True)
    _draw_torso_head(img, P, head, tilt, H, r_head)
    _draw_leg(img, P, near, H, far=False)
    _draw_arm(img, P, near, H, far=False)


# ---------------------------------------------------------------------------------------------
# clip
# ---------------------------------------------------------------------------------------------
def render_frames(scene: Scene, t_s: np.ndarray) -> tuple[Iterator[np.ndarray], dict[str, Any]]:
    """Generator of RGB frames at times ``t_s`` plus the per-frame truth (image pixels).

    Returns
    -------
    frames : iterator of ndarray (height, width, 3) uint8
        RGB frames (mirrored for ``right_to_left``).
    truth : dict
        ``"xy_px"`` (n, 33, 2) image pixels, ``"sim"`` the :func:`simulate` output,
        ``"offset_px"`` (n,) camera scroll.
    """
    t_s = np.asarray(t_s, dtype=float)
    cam = scene.camera
    W = scene.width
    sim = simulate(t_s, scene.params)
    off = cam.offset_px(t_s)
    off0 = float(off.min()) if off.size else 0.0
    pano_w = W + int(off.max() - off0) if off.size else W
    # panorama column c shows canonical column c - (off - off0) of the frame
    bg = _background(scene, pano_w, cam.origin_x_px - off0)
    names = list(MEDIAPIPE_JOINTS)
    xy = np.stack([cam.to_px(sim["joints"][n], off) for n in names], axis=1)  # (n, 33, 2) canonical
    head_px = cam.to_px(sim["head"], off)
    H = scene.params.body_height_m * cam.px_per_m
    r_head = scene.params.body.head_radius_m * cam.px_per_m
    mirror = scene.direction == "right_to_left"
    xy_img = xy.copy()
    if mirror:
        xy_img[..., 0] = (W - 1) - xy_img[..., 0]

    def frames() -> Iterator[np.ndarray]:
        for k in range(t_s.shape[0]):
            c0 = int(off[k] - off0)
            img = bg[:, c0 : c0 + W].copy()
            P = {n: xy[k, i] for i, n in enumerate(names)}
            _draw_runner(img, P, head_px[k], sim["head_tilt_rad"], H, r_head, scene.near_side)
            yield np.ascontiguousarray(img[:, ::-1]) if mirror else img

    return frames(), {"xy_px": xy_img, "sim": sim, "offset_px": off}


def make_scene(
    *,
    fps: float = 120.0,
    duration_s: float = 2.0,
    width: int = 1280,
    height: int = 720,
    direction: str = "left_to_right",
    px_per_m: float | None = None,
    runner_height_px: float | None = None,
    ground_y_px: float | None = None,
    speed_mps: float = 9.0,
    step_frequency_hz: float = 4.5,
    contact_s: float = 0.11,
    body_height_m: float = 1.80,
    cones_m: tuple[float, ...] | list[float] = (1.0, 11.0),
    start_x_m: float | None = None,
    phase: float = 0.0,
    camera_pan_px_per_s: float = 0.0,
    seed: int = 0,
    **gait_kwargs: Any,
) -> Scene:
    """Build a :class:`Scene` with the default framing rules of :func:`make_clip`.

    Takes the same keyword arguments as :func:`make_clip` (``fps`` is accepted for symmetry;
    only ``duration_s`` matters for the default ``start_x_m``).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if px_per_m is not None and runner_height_px is not None:
        raise ValueError("give px_per_m or runner_height_px, not both")
    W = int(width) // 2 * 2
    Hh = int(height) // 2 * 2
    cones = tuple(float(c) for c in cones_m)
    if runner_height_px is not None:
        ppm = float(runner_height_px) / body_height_m
    elif px_per_m is not None:
        ppm = float(px_per_m)
    else:
        span = (max(cones) - min(cones)) if len(cones) > 1 else 10.0
        ppm = 0.82 * W / span
    gy = float(round(0.80 * Hh)) if ground_y_px is None else float(ground_y_px)
    # world x at the picture centre at t = 0: the cones' midpoint, or 0
    x_mid = 0.5 * (min(cones) + max(cones)) if cones else 0.0
    origin = (W - 1) / 2 - x_mid * ppm
    cam = Camera(px_per_m=ppm, origin_x_px=origin, ground_y_px=gy, pan_px_per_s=float(camera_pan_px_per_s))
    if start_x_m is None:
        # the hip passes the picture centre half-way through the clip
        x_centre_mid = x_mid + camera_pan_px_per_s * duration_s / 2 / ppm
        start_x_m = x_centre_mid - speed_mps * duration_s / 2
    params = GaitParams(
        body_height_m=body_height_m,
        speed_mps=speed_mps,
        step_frequency_hz=step_frequency_hz,
        contact_s=contact_s,
        phase=phase,
        start_x_m=float(start_x_m),
        **gait_kwargs,
    )
    return Scene(width=W, height=Hh, camera=cam, params=params, cones_m=cones, direction=direction, seed=seed)


def _r(x: Any, nd: int) -> Any:
    return np.round(np.asarray(x, dtype=float), nd).tolist()


def build_truth(scene: Scene, fps: float, n_frames: int, per_frame: dict[str, Any], crf: int) -> dict[str, Any]:
    """Assemble the truth dict (schema in the module docstring)."""
    p = scene.params
    cam = scene.camera
    W = scene.width
    duration = (n_frames - 1) / fps if n_frames else 0.0  # time of the last frame
    contacts = contact_events(p, 0.0, duration)
    xy = per_frame["xy_px"]
    for i, c in enumerate(contacts):
        c["flight_s"] = (contacts[i + 1]["touchdown_s"] - c["toeoff_s"]) if i + 1 < len(contacts) else None
        c["touchdown_frame"] = int(math.ceil(c["touchdown_s"] * fps - 1e-6))
        c["toeoff_frame"] = int(math.ceil(c["toeoff_s"] * fps - 1e-6))
        leg = [MEDIAPIPE_JOINTS.index(f"{c['foot']}_{j}") for j in ("hip", "knee", "ankle", "heel", "foot_index")]
        seg = xy[c["touchdown_frame"] : c["toeoff_frame"], leg]
        c["in_view"] = bool(
            seg.size
            and np.all((seg[..., 0] >= 0) & (seg[..., 0] <= W - 1) & (seg[..., 1] >= 0) & (seg[..., 1] <= scene.height - 1))
        )
    events = gait_events(p, 0.0, duration)
    for e in events:
        e["frame"] = int(math.ceil(e["t_s"] * fps - 1e-6))

    def img_x(x_canon: float) -> float:
        return (W - 1) - x_canon if scene.direction == "right_to_left" else x_canon

    cones = [{"x_m": x, "x_px": round(img_x(cam.origin_x_px + x * cam.px_per_m), 2)} for x in scene.cones_m]
    gates = []
    for x in scene.cones_m:
        t = hip_crossing_time(x, p)
        gates.append({"x_m": x, "t_s": t, "in_clip": bool(0.0 <= t <= duration)})
    sim = per_frame["sim"]
    truth: dict[str, Any] = {
        "generator": "sprintcv.synthetic",
        "version": 1,
        "fps": float(fps),
        "n_frames": int(n_frames),
        "t_last_s": duration,
        "width": scene.width,
        "height": scene.height,
        "direction": scene.direction,
        "near_side": scene.near_side,
        "px_per_m": cam.px_per_m,
        "ground_y_px": cam.ground_y_px,
        "origin_x_px": cam.origin_x_px,
        "camera_pan_px_per_s": cam.pan_px_per_s,
        "body_height_m": p.body_height_m,
        "runner_height_px": p.body_height_m * cam.px_per_m,
        "speed_mps": p.speed_mps,
        "step_frequency_hz": p.step_frequency_hz,
        "contact_s": p.contact_s,
        "flight_s": p.flight_s,
        "step_length_m": p.step_length_m,
        "phase": p.phase,
        "start_x_m": p.start_x_m,
        "hip_height_m": p.hip_height,
        "touchdown_ahead_m": p.touchdown_ahead,
        "trunk_lean_deg": p.trunk_lean_deg,
        "shoulder_rotation_deg": p.shoulder_rotation_deg,
        "seed": scene.seed,
        "crf": crf,
        "contacts": contacts,
        "events": events,
        "cones": cones,
        "gate_crossings": gates,
        "joints": {"names": list(MEDIAPIPE_JOINTS), "xy_px": _r(per_frame["xy_px"], 2)},
        "stance": {side: sim["stance"][side].astype(int).tolist() for side in ("left", "right")},
        "angles_deg": {k: _r(v, 2) for k, v in sim["angles_deg"].items()},
    }
    if cam.pan_px_per_s:
        truth["camera_offset_px"] = per_frame["offset_px"].astype(int).tolist()
    return truth


def make_clip(
    path: str | Path,
    *,
    fps: float = 120.0,
    duration_s: float = 2.0,
    width: int = 1280,
    height: int = 720,
    direction: str = "left_to_right",
    px_per_m: float | None = None,
    runner_height_px: float | None = None,
    ground_y_px: float | None = None,
    speed_mps: float = 9.0,
    step_frequency_hz: float = 4.5,
    contact_s: float = 0.11,
    body_height_m: float = 1.80,
    cones_m: tuple[float, ...] | list[float] = (1.0, 11.0),
    start_x_m: float | None = None,
    phase: float = 0.0,
    camera_pan_px_per_s: float = 0.0,
    perspective: float = 0.0,
    crf: int = 20,
    seed: int = 0,
    **gait_kwargs: Any,
) -> dict[str, Any]:
    """Render a synthetic sprint clip (H.264 mp4) and write ``<clip>.truth.json`` beside it.

    Parameters
    ----------
    path : path
        Output ``.mp4``.
    fps : float
        Frame rate (Hz); frame ``k`` shows time ``k / fps``.
    duration_s : float
        Clip length (s): ``n_frames = round(duration_s * fps)`` frames at ``t = k / fps``.
    width, height : int
        Frame size in pixels (rounded down to even).
    direction : {"left_to_right", "right_to_left"}
        Running direction in the picture.
    px_per_m, runner_height_px : float, optional
        Scale, given either directly or as the runner's standing height in pixels. Default: the
        cones span 82 % of the width (105 px/m at 1280 px with cones 10 m apart).
    ground_y_px : float, optional
        Image row of the ground; default 80 % of the height.
    speed_mps, step_frequency_hz, contact_s, body_height_m : float
        Gait and body (see :class:`~sprintcv.synthetic.kinematics.GaitParams`).
    cones_m : sequence of float
        World x of the cones (m). The picture is centred on their midpoint at ``t = 0``.
    start_x_m : float, optional
        Hip x at ``t = 0``; default: the hip passes the picture centre at ``duration / 2``
        (the runner enters from one side and leaves at the other).
    phase : float
        Gait phase at ``t = 0`` as a fraction of a stride (0: left touchdown at t = 0).
    camera_pan_px_per_s : float
        Camera pan; the picture scrolls by whole pixels (0 = static camera).
    perspective : float
        A camera not square to the lane (0 = square): image column x moves to
        c + (x - c) / (1 + p (x - c) / c), c the centre column, so metres per pixel grow
        towards one side as they do when the lane recedes. The truth's joint and cone
        columns are moved the same way (gate crossing times are unchanged). |p| < 0.5.
    crf : int
        x264 constant rate factor.
    seed : int
        Seed of the static background texture.
    **gait_kwargs
        Further :class:`GaitParams` fields (e.g. ``trunk_lean_deg``).

    Returns
    -------
    dict
        The truth written to the JSON file (schema in the module docstring).
    """
    scene = make_scene(
        fps=fps, duration_s=duration_s, width=width, height=height, direction=direction,
        px_per_m=px_per_m, runner_height_px=runner_height_px, ground_y_px=ground_y_px,
        speed_mps=speed_mps, step_frequency_hz=step_frequency_hz, contact_s=contact_s,
        body_height_m=body_height_m, cones_m=cones_m, start_x_m=start_x_m, phase=phase,
        camera_pan_px_per_s=camera_pan_px_per_s, seed=seed, **gait_kwargs,
    )
    n = max(1, int(round(duration_s * fps)))
    t = np.arange(n) / fps
    frames, per_frame = render_frames(scene, t)
    warp = None
    if perspective:
        warp = PerspectiveWarp(scene.width, scene.height, perspective)
        per_frame["xy_px"] = warp.points(per_frame["xy_px"])
    with VideoWriter(path, fps, scene.width, scene.height, crf=crf) as w:
        for img in frames:
            w.write(img if warp is None else warp.image(img))
    truth = build_truth(scene, fps, n, per_frame, crf)
    if warp is not None:
        for cone in truth["cones"]:
            cone["x_px"] = round(float(warp.points(np.array([[cone["x_px"], 0.0]]))[0, 0]), 2)
        truth["perspective"] = perspective
    write_json_atomic(truth_path_for(path), truth)
    return truth


class PerspectiveWarp:
    """Horizontal projective distortion x -> c + (x - c) / (1 + p (x - c) / c) of a whole
    picture: the view of a lane from a camera turned away from square."""

    def __init__(self, width: int, height: int, k: float):
        if not abs(k) < 0.5:
            raise ValueError(f"perspective must lie in (-0.5, 0.5), not {k}")
        self.c = (width - 1) / 2.0
        self.k = float(k)
        # cv2.remap needs, for every output column, the source column: invert numerically.
        src = np.linspace(-0.5 * width, 1.5 * width, 8 * width)
        dst = self._forward(src)
        cols = np.interp(np.arange(width, dtype=float), dst, src).astype(np.float32)
        self.map_x = np.repeat(cols[None, :], height, axis=0)
        self.map_y = np.repeat(np.arange(height, dtype=np.float32)[:, None], width, axis=1)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        u = np.clip((x - self.c) / self.c, -1.9, 1.9)  # stay clear of the pole at u = -1/p
        return self.c + (x - self.c) / (1.0 + self.k * u)

    def points(self, xy: np.ndarray) -> np.ndarray:
        """Distort the x coordinates of points (..., 2); y is unchanged."""
        out = np.array(xy, dtype=float, copy=True)
        out[..., 0] = self._forward(out[..., 0])
        return out

    def image(self, rgb: np.ndarray) -> np.ndarray:
        """Distort a frame (bilinear resampling)."""
        return cv2.remap(rgb, self.map_x, self.map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
