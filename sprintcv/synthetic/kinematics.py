"""Planar (sagittal) sprint kinematics with exact ground truth. Pure numpy, no drawing.

World frame
-----------
Metres; ``x`` forward along the lane (running direction), ``y`` **up**, ground at ``y = 0``.
The model is planar: left and right joints move in the same plane (an orthographic side view),
so e.g. ``left_hip`` and ``right_hip`` coincide (the shoulders differ only by the upper trunk's
rotation, below).

Body
----
Segment lengths are fractions of body height ``H`` (Winter / Drillis & Contini): thigh 0.245 H,
shank 0.246 H, foot 0.152 H (heel to toe tip), ankle height 0.039 H, trunk (hip joint to shoulder
joint) 0.288 H, upper arm 0.186 H, forearm 0.146 H, head centre 0.117 H above the shoulder.

Gait
----
Constant mean speed ``v`` (the pelvis moves at exactly ``v`` in ``x``), step frequency ``f``
(steps per second), contact time ``tc``; flight time ``1/f - tc``. One stride (two steps) lasts
``2/f``. With gait time ``tau = t + phase * 2/f``, the left foot touches down at
``tau = k * 2/f`` and the right foot at ``tau = (k + 1/2) * 2/f`` (integer ``k``); each contact
lasts ``tc``. These continuous times *are* the truth events (sub-frame).

Stance: the toe tip (MediaPipe ``foot_index``) is planted at ``(x_c, 0)`` for the whole contact,
``x_c = hip_x(t_touchdown) + touchdown_ahead``. The foot rotates about that point with a heel-up
pitch that decreases from ``foot_pitch_touchdown_deg`` (fore-foot strike) to
``foot_pitch_min_deg`` at 35 % of stance and then rises to ``foot_pitch_toeoff_deg`` (heel lifts
before toe-off). The knee comes from two-link inverse kinematics (hip to ankle, knee in front).

Swing: thigh angle, knee flexion and ankle plantar-flexion follow shape-preserving piecewise-cubic
Hermite curves that start and end exactly at the stance posture at toe-off and touchdown (with the
stance angular velocity where that keeps the curve monotone between knots), through a
heel-recovery knot (maximum knee flexion) and a knee-lift knot (maximum thigh flexion). The foot
stays above the ground throughout the swing (checked; an infeasible gait raises ``ValueError``).

With the defaults (1.80 m, 9 m/s, 4.5 steps/s, 0.11 s contact) the hip is at 0.894 m, the toe
lands 0.436 m in front of the hip (ankle ~0.23 m), the knee angle is ~143 deg at touchdown,
~130 deg at mid-stance and ~170 deg at toe-off, ~52 deg at heel recovery, and the thigh reaches
72 deg at knee lift and -35 deg at toe-off.

Pelvis: ``y_hip = hip_height - hip_bob * cos(2 pi (tau - tc/2) f)`` (lowest at mid-stance). Trunk
leans ``trunk_lean_deg`` forward. Arms swing sinusoidally, opposite to the legs (the left arm is
furthest forward when the right knee is highest), elbows flex about 90 degrees.

Shoulders: by default both shoulder joints sit on the trunk line (a rigid shoulder girdle).
``shoulder_rotation_deg`` rotates the upper trunk about its long axis with the arms; seen from
the side this moves each shoulder joint forward and back with its own arm by
``0.1295 H * sin(rotation)`` (4 cm at 10 deg), the two in opposite directions, so the shoulder
midpoint and the trunk line do not move. Real runners' shoulders do move so, and the pose
model places its shoulder landmarks as if they did (``docs/metrics.md``, accuracy of the
mechanics); the default stays rigid because the renderer draws only the arm moving, not the
shoulder's outline, and on such frames the model's other landmarks get worse.

Angle conventions (degrees, independent of running direction)
-------------------------------------------------------------
* thigh angle: hip->knee segment from the downward vertical, positive with the knee in front of the hip.
* knee angle: interior angle between thigh and shank, 180 = straight leg.
* elbow angle: interior angle between upper arm and forearm, 180 = straight arm.
* shoulder angle: shoulder->elbow segment from the downward vertical, positive forward.
* trunk lean: hip-midpoint->shoulder-midpoint segment from the upward vertical, positive forward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..joints import MEDIAPIPE_JOINTS, SIDES

__all__ = [
    "Anthropometry",
    "FACE_POINTS",
    "GaitParams",
    "simulate",
    "contact_events",
    "gait_events",
    "hip_x",
    "hip_y",
    "hip_crossing_time",
]

#: Face landmarks in head-local units (multiples of the head radius; x = face direction,
#: y = head up axis, origin = head centre). In a side view both eyes / ears / mouth corners
#: project to the same point. The renderer draws the face with the same geometry.
FACE_POINTS: dict[str, tuple[float, float]] = {
    "nose": (1.10, -0.16),
    "left_eye_inner": (0.76, 0.14), "left_eye": (0.66, 0.14), "left_eye_outer": (0.56, 0.14),
    "right_eye_inner": (0.76, 0.14), "right_eye": (0.66, 0.14), "right_eye_outer": (0.56, 0.14),
    "left_ear": (-0.06, 0.0), "right_ear": (-0.06, 0.0),
    "mouth_left": (0.76, -0.50), "mouth_right": (0.76, -0.50),
}

#: Tolerance (in strides) for times that equal an event time up to round-off.
_TOL = 1e-9

#: Side offsets in strides: the left foot touches down at gait time 0, the right half a stride later.
_SIDE_OFFSET = {"left": 0.0, "right": 0.5}


@dataclass(frozen=True)
class Anthropometry:
    """Segment lengths in metres scaled from body height (Winter / Drillis & Contini ratios).

    Parameters
    ----------
    body_height_m : float
        Standing height H in metres.
    """

    body_height_m: float = 1.80

    @property
    def thigh_m(self) -> float:
        """Hip joint to knee joint, 0.245 H (m)."""
        return 0.245 * self.body_height_m

    @property
    def shank_m(self) -> float:
        """Knee joint to ankle joint, 0.246 H (m)."""
        return 0.246 * self.body_height_m

    @property
    def foot_m(self) -> float:
        """Heel (back) to toe tip, 0.152 H (m)."""
        return 0.152 * self.body_height_m

    @property
    def ankle_height_m(self) -> float:
        """Ankle joint above the sole, 0.039 H (m)."""
        return 0.039 * self.body_height_m

    @property
    def ankle_from_heel_m(self) -> float:
        """Ankle joint in front of the back of the heel, along the sole, 0.035 H (m)."""
        return 0.035 * self.body_height_m

    @property
    def heel_height_m(self) -> float:
        """MediaPipe heel point (back of the heel) above the sole, 0.012 H (m)."""
        return 0.012 * self.body_height_m

    @property
    def trunk_m(self) -> float:
        """Hip joint to shoulder joint, 0.288 H (m)."""
        return 0.288 * self.body_height_m

    @property
    def upper_arm_m(self) -> float:
        """Shoulder to elbow, 0.186 H (m)."""
        return 0.186 * self.body_height_m

    @property
    def forearm_m(self) -> float:
        """Elbow to wrist, 0.146 H (m)."""
        return 0.146 * self.body_height_m

    @property
    def shoulder_half_width_m(self) -> float:
        """Shoulder joint to the trunk's long axis, half the 0.259 H shoulder width (m)."""
        return 0.1295 * self.body_height_m

    @property
    def neck_m(self) -> float:
        """Shoulder joint to head centre (ear level), 0.117 H (m)."""
        return 0.117 * self.body_height_m

    @property
    def head_radius_m(self) -> float:
        """Half the head's front-to-back length, 0.058 H (m)."""
        return 0.058 * self.body_height_m

    @property
    def leg_m(self) -> float:
        """Thigh plus shank (m)."""
        return self.thigh_m + self.shank_m


@dataclass(frozen=True)
class GaitParams:
    """Parameters of the synthetic sprinter (SI units; angles in degrees).

    Parameters
    ----------
    body_height_m : float
        Standing height (m); all segments scale with it.
    speed_mps : float
        Constant mean horizontal speed of the pelvis (m/s).
    step_frequency_hz : float
        Steps per second (one step = one contact + one flight).
    contact_s : float
        Ground contact time (s); must be shorter than a step.
    phase : float
        Gait phase at ``t = 0`` as a fraction of a stride (two steps); 0 means the left foot
        touches down at ``t = 0``.
    start_x_m : float
        Pelvis (hip joint) ``x`` at ``t = 0`` (m).
    trunk_lean_deg : float
        Forward trunk lean from vertical (deg).
    hip_bob_m : float, optional
        Amplitude of the pelvis's vertical oscillation (m); default 0.013 H.
    hip_height_m : float, optional
        Mean hip joint height (m). Default: 0.50 H, lowered if needed so that the knee still
        flexes at least ``min_knee_flexion_deg`` at touchdown and toe-off (``ValueError`` if
        that would put the hips below 0.44 H: contact length too long for the leg).
    touchdown_ahead_m : float, optional
        Horizontal distance of the toe tip in front of the hip at touchdown (m). Default: 44 %
        of the contact length ``speed * contact``, clipped to [0.15 H, 0.25 H].
    foot_pitch_touchdown_deg, foot_pitch_min_deg, foot_pitch_toeoff_deg : float
        Heel-up angle of the sole (0 = flat) at touchdown, at 35 % of stance, and at toe-off.
    max_thigh_flexion_deg : float
        Thigh angle at maximum knee lift in swing (deg from downward vertical).
    max_knee_flexion_deg : float
        Knee flexion at heel recovery (0 = straight).
    min_knee_flexion_deg : float
        Smallest knee flexion allowed in stance (feasibility margin of the leg's reach).
    arm_swing_mean_deg, arm_swing_amplitude_deg : float
        Shoulder angle (upper arm from downward vertical, forward positive): mean and amplitude.
    elbow_mean_deg, elbow_amplitude_deg : float
        Interior elbow angle: mean and amplitude (smallest with the arm forward).
    shoulder_rotation_deg : float
        Amplitude of the upper trunk's axial rotation (deg each way), in phase with the arms:
        each shoulder joint is furthest forward when its arm is. In the side view it moves the
        shoulder joints ``shoulder_half_width_m * sin(rotation)`` along the trunk's forward
        normal, in opposite directions, so the shoulder midpoint (and the trunk lean) is unchanged.
    """

    body_height_m: float = 1.80
    speed_mps: float = 9.0
    step_frequency_hz: float = 4.5
    contact_s: float = 0.11
    phase: float = 0.0
    start_x_m: float = 0.0
    trunk_lean_deg: float = 8.0
    hip_bob_m: float | None = None
    hip_height_m: float | None = None
    touchdown_ahead_m: float | None = None
    foot_pitch_touchdown_deg: float = 5.0
    foot_pitch_min_deg: float = 2.0
    foot_pitch_toeoff_deg: float = 68.0
    max_thigh_flexion_deg: float = 72.0
    max_knee_flexion_deg: float = 128.0
    min_knee_flexion_deg: float = 10.0
    arm_swing_mean_deg: float = 0.0
    arm_swing_amplitude_deg: float = 55.0
    elbow_mean_deg: float = 90.0
    elbow_amplitude_deg: float = 20.0
    shoulder_rotation_deg: float = 0.0
    body: Anthropometry = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", Anthropometry(self.body_height_m))
        if not self.body_height_m > 0:
            raise ValueError("body_height_m must be positive")
        if not self.speed_mps > 0:
            raise ValueError("speed_mps must be positive")
        if not self.step_frequency_hz > 0:
            raise ValueError("step_frequency_hz must be positive")
        if not 0 < self.contact_s < self.step_period_s:
            raise ValueError(
                f"contact_s must be in (0, 1/step_frequency_hz = {self.step_period_s:.4f}) s"
            )

    # -- derived quantities ------------------------------------------------------------------
    @property
    def step_period_s(self) -> float:
        """Duration of one step, ``1 / step_frequency_hz`` (s)."""
        return 1.0 / self.step_frequency_hz

    @property
    def stride_period_s(self) -> float:
        """Duration of one stride (two steps) (s)."""
        return 2.0 / self.step_frequency_hz

    @property
    def flight_s(self) -> float:
        """Flight time between two contacts (s)."""
        return self.step_period_s - self.contact_s

    @property
    def swing_s(self) -> float:
        """Swing time of one foot, stride minus contact (s)."""
        return self.stride_period_s - self.contact_s

    @property
    def step_length_m(self) -> float:
        """Distance between successive touchdowns (m)."""
        return self.speed_mps * self.step_period_s

    @property
    def contact_length_m(self) -> float:
        """Distance the hip travels during one contact (m)."""
        return self.speed_mps * self.contact_s

    @property
    def touchdown_ahead(self) -> float:
        """Toe in front of the hip at touchdown (m), the parameter or its default."""
        if self.touchdown_ahead_m is not None:
            return float(self.touchdown_ahead_m)
        h = self.body_height_m
        return float(np.clip(0.44 * self.contact_length_m, 0.15 * h, 0.25 * h))

    @property
    def hip_bob(self) -> float:
        """Amplitude of the pelvis's vertical oscillation (m)."""
        return 0.013 * self.body_height_m if self.hip_bob_m is None else float(self.hip_bob_m)

    @property
    def hip_height(self) -> float:
        """Mean hip joint height (m), the parameter or its feasible default."""
        if self.hip_height_m is not None:
            return float(self.hip_height_m)
        return _default_hip_height(self)

    def with_(self, **changes: Any) -> "GaitParams":
        """Return a copy with some fields changed."""
        return replace(self, **changes)


# ---------------------------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------------------------
def _tau(t: np.ndarray, p: GaitParams) -> np.ndarray:
    return np.asarray(t, dtype=float) + p.phase * p.stride_period_s


def hip_x(t_s: np.ndarray | float, params: GaitParams) -> np.ndarray:
    """Pelvis (hip joint) forward position ``start_x + v t`` (m) at times ``t_s`` (s)."""
    return params.start_x_m + params.speed_mps * np.asarray(t_s, dtype=float)


def hip_y(t_s: np.ndarray | float, params: GaitParams) -> np.ndarray:
    """Hip joint height (m) at times ``t_s`` (s); lowest at mid-stance."""
    tau = _tau(t_s, params)
    return params.hip_height - params.hip_bob * np.cos(
        2 * np.pi * (tau - params.contact_s / 2) * params.step_frequency_hz
    )


def hip_crossing_time(x_m: float, params: GaitParams) -> float:
    """Time (s) at which the pelvis crosses the forward position ``x_m`` (m)."""
    return (x_m - params.start_x_m) / params.speed_mps


def _touchdown_time(k: np.ndarray | int, side: str, p: GaitParams) -> np.ndarray:
    """Clip time of the ``k``-th touchdown of ``side`` (k counts strides from gait time 0)."""
    return (np.asarray(k, dtype=float) + _SIDE_OFFSET[side] - p.phase) * p.stride_period_s


def contact_events(
    params: GaitParams, t_start: float, t_end: float, complete_only: bool = True
) -> list[dict[str, Any]]:
    """Ground contacts in a time window, sorted by touchdown.

    Parameters
    ----------
    params : GaitParams
        Gait.
    t_start, t_end : float
        Window in seconds.
    complete_only : bool
        If true (default) only contacts whose touchdown and toe-off both lie in
        ``[t_start, t_end]``; otherwise every contact overlapping the window.

    Returns
    -------
    list of dict
        ``{"foot": "left"|"right", "touchdown_s", "toeoff_s", "contact_s", "touchdown_x_m"}``;
        ``touchdown_x_m`` is the planted toe's forward position (m).
    """
    out = []
    T = params.stride_period_s
    for side in SIDES:
        k0 = math.floor((t_start - params.contact_s) / T + params.phase - _SIDE_OFFSET[side]) - 1
        k1 = math.ceil(t_end / T + params.phase - _SIDE_OFFSET[side]) + 1
        for k in range(k0, k1 + 1):
            td = float(_touchdown_time(k, side, params))
            to = td + params.contact_s
            if complete_only:
                keep = td >= t_start and to <= t_end
            else:
                keep = to >= t_start and td <= t_end
            if keep:
                out.append(
                    {
                        "foot": side,
                        "touchdown_s": td,
                        "toeoff_s": to,
                        "contact_s": params.contact_s,
                        "touchdown_x_m": float(hip_x(td, params)) + params.touchdown_ahead,
                    }
                )
    out.sort(key=lambda c: c["touchdown_s"])
    return out


def gait_events(params: GaitParams, t_start: float, t_end: float) -> list[dict[str, Any]]:
    """Every touchdown and toe-off in ``[t_start, t_end]``, sorted by time.

    Returns
    -------
    list of dict
        ``{"foot": "left"|"right", "kind": "touchdown"|"toeoff", "t_s": float}``.
    """
    events = []
    for c in contact_events(params, t_start, t_end, complete_only=False):
        for kind, key in (("touchdown", "touchdown_s"), ("toeoff", "toeoff_s")):
            if t_start <= c[key] <= t_end:
                events.append({"foot": c["foot"], "kind": kind, "t_s": c[key]})
    events.sort(key=lambda e: e["t_s"])
    return events


# ---------------------------------------------------------------------------------------------
# geometry helpers
# ---------------------------------------------------------------------------------------------
def _down(angle: np.ndarray) -> np.ndarray:
    """Unit vectors at ``angle`` (rad) from the downward vertical, positive forward; (..., 2)."""
    return np.stack([np.sin(angle), -np.cos(angle)], axis=-1)


def _rot(v: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rotate 2-vectors ``v`` (..., 2) counter-clockwise by ``angle`` (rad, broadcast)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def _foot_offsets(body: Anthropometry) -> tuple[np.ndarray, np.ndarray]:
    """Ankle and heel relative to the toe tip with the sole flat (m)."""
    ankle = np.array([-(body.foot_m - body.ankle_from_heel_m), body.ankle_height_m])
    heel = np.array([-body.foot_m, body.heel_height_m])
    return ankle, heel


def _stance_pitch(s: np.ndarray, p: GaitParams) -> np.ndarray:
    """Heel-up foot pitch (rad) over stance fraction ``s``; C1, minimum at s = 0.35."""
    s = np.asarray(s, dtype=float)
    a, b, c = np.radians([p.foot_pitch_touchdown_deg, p.foot_pitch_min_deg, p.foot_pitch_toeoff_deg])
    sm = 0.35
    early = b + (a - b) * (1 - s / sm) ** 2
    late = b + (c - b) * ((s - sm) / (1 - sm)) ** 2
    return np.where(s < sm, early, late)


def _ik(hip: np.ndarray, ankle: np.ndarray, body: Anthropometry) -> tuple[np.ndarray, np.ndarray]:
    """Two-link inverse kinematics with the knee in front.

    Returns thigh angle (rad from downward vertical, forward positive) and knee flexion
    (rad, 0 = straight). Raises ``ValueError`` if the ankle is out of reach.
    """
    d_vec = ankle - hip
    d = np.hypot(d_vec[..., 0], d_vec[..., 1])
    T, S = body.thigh_m, body.shank_m
    if np.any(d > T + S) or np.any(d < abs(T - S)):
        raise ValueError(
            f"infeasible gait: hip-ankle distance up to {float(np.max(d)):.3f} m exceeds the leg "
            f"({T + S:.3f} m); lower speed*contact, touchdown_ahead_m or hip_height_m"
        )
    base = np.arctan2(d_vec[..., 0], -d_vec[..., 1])
    beta = np.arccos(np.clip((T * T + d * d - S * S) / (2 * T * d), -1, 1))
    gamma = np.arccos(np.clip((T * T + S * S - d * d) / (2 * T * S), -1, 1))
    return base + beta, np.pi - gamma


def _stance_posture(s: np.ndarray, p: GaitParams) -> dict[str, np.ndarray]:
    """Stance-leg posture relative to the hip at stance fraction ``s`` (toe planted).

    Returns toe/ankle/heel positions relative to the hip (m) and thigh angle ``phi``, knee
    flexion ``kappa``, plantar-flexion ``pf`` (rad), hip height (m).
    """
    s = np.asarray(s, dtype=float)
    body = p.body
    t_rel = s * p.contact_s  # time since touchdown
    # Hip height: the touchdown of either foot is at a multiple of a step in gait time (+offset).
    hy = p.hip_height - p.hip_bob * np.cos(2 * np.pi * (t_rel - p.contact_s / 2) * p.step_frequency_hz)
    toe = np.stack([p.touchdown_ahead - p.speed_mps * t_rel, -hy], axis=-1)
    pitch = _stance_pitch(s, p)
    ankle_off, heel_off = _foot_offsets(body)
    ankle = toe + _rot(np.broadcast_to(ankle_off, toe.shape), -pitch)
    phi, kappa = _ik(np.zeros_like(ankle), ankle, body)
    # world foot pitch theta = pf - shank angle  ->  pf = theta + (phi - kappa)
    pf = pitch + (phi - kappa)
    return {"toe": toe, "ankle": ankle, "phi": phi, "kappa": kappa, "pf": pf, "hip_y": hy}


def _default_hip_height(p: GaitParams) -> float:
    """0.50 H, lowered so the knee keeps ``min_knee_flexion_deg`` at touchdown and toe-off."""
    body = p.body
    T, S = body.thigh_m, body.shank_m
    kmin = np.radians(p.min_knee_flexion_deg)
    d_max = math.sqrt(T * T + S * S + 2 * T * S * math.cos(kmin))  # hip-ankle at that flexion
    ankle_off, _ = _foot_offsets(body)
    h = 0.50 * p.body_height_m
    for s in (0.0, 1.0):
        pitch = float(_stance_pitch(s, p))
        a = _rot(ankle_off, -pitch)
        dx = p.touchdown_ahead - p.contact_length_m * s + a[0]
        if abs(dx) >= d_max:
            raise ValueError(
                f"infeasible gait: the ankle is {abs(dx):.3f} m from the hip at "
                f"{'touchdown' if s == 0 else 'toe-off'}; the leg reaches {d_max:.3f} m"
            )
        bob = -p.hip_bob * math.cos(2 * math.pi * (s * p.contact_s - p.contact_s / 2) * p.step_frequency_hz)
        # hip_y = h + bob ; need (h + bob - a_y)^2 + dx^2 <= d_max^2
        h = min(h, a[1] + math.sqrt(d_max**2 - dx**2) - bob)
    if h < 0.44 * p.body_height_m:
        raise ValueError(
            f"infeasible gait: a contact length of {p.contact_length_m:.2f} m (speed * contact) "
            f"would need the hips at {h:.2f} m for a {p.body_height_m:.2f} m runner; shorten "
            f"contact_s, lower speed_mps or raise body_height_m"
        )
    return float(h)


# ---------------------------------------------------------------------------------------------
# swing: piecewise cubic Hermite in joint space
# ---------------------------------------------------------------------------------------------
def _hermite(s: np.ndarray, knots: np.ndarray, values: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """Piecewise cubic Hermite interpolation (value and slope given at each knot)."""
    s = np.asarray(s, dtype=float)
    i = np.clip(np.searchsorted(knots, s, side="right") - 1, 0, len(knots) - 2)
    s0, s1 = knots[i], knots[i + 1]
    h = s1 - s0
    u = (s - s0) / h
    h00 = 2 * u**3 - 3 * u**2 + 1
    h10 = u**3 - 2 * u**2 + u
    h01 = -2 * u**3 + 3 * u**2
    h11 = u**3 - u**2
    return h00 * values[i] + h10 * h * slopes[i] + h01 * values[i + 1] + h11 * h * slopes[i + 1]


_SWING_CACHE: dict[GaitParams, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def _pchip_slopes(knots: np.ndarray, values: np.ndarray, end_slopes: tuple[float, float]) -> np.ndarray:
    """Shape-preserving (Fritsch-Carlson) knot slopes; the end slopes are given but limited.

    Interior slopes are the weighted harmonic mean of the neighbouring secants (zero at a local
    extremum); an end slope pointing against its secant becomes zero and one steeper than three
    secants is capped, so the curve never overshoots between knots.
    """
    h = np.diff(knots)
    delta = np.diff(values) / h
    m = np.zeros_like(values)
    for i in range(1, len(values) - 1):
        if delta[i - 1] * delta[i] > 0:
            w1 = 2 * h[i] + h[i - 1]
            w2 = h[i] + 2 * h[i - 1]
            m[i] = (w1 + w2) / (w1 / delta[i - 1] + w2 / delta[i])
    for i, d, slope in ((0, delta[0], end_slopes[0]), (-1, delta[-1], end_slopes[1])):
        if slope * d <= 0:
            m[i] = 0.0
        else:
            m[i] = np.sign(d) * min(abs(slope), 3 * abs(d))
    return m


def _swing_splines(p: GaitParams) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Knots, values and slopes (per unit swing fraction) of phi, kappa, pf over the swing."""
    cached = _SWING_CACHE.get(p)
    if cached is not None:
        return cached
    eps = 1e-6
    st = _stance_posture(np.array([1 - eps, 1.0, 1 + eps, -eps, 0.0, eps]), p)
    # stance slopes w.r.t. time, expressed per unit swing fraction (ds_swing = dt / swing_s)
    scale = p.swing_s / (2 * eps * p.contact_s)
    ends = {
        name: (st[name][1], (st[name][2] - st[name][0]) * scale, st[name][4], (st[name][5] - st[name][3]) * scale)
        for name in ("phi", "kappa", "pf")
    }
    phi_to, dphi_to, phi_td, dphi_td = ends["phi"]
    k_to, dk_to, k_td, dk_td = ends["kappa"]
    pf_to, dpf_to, pf_td, dpf_td = ends["pf"]
    phi_max = np.radians(p.max_thigh_flexion_deg)
    k_max = np.radians(p.max_knee_flexion_deg)
    knots_values = {
        # thigh: swings forward to the knee lift (s = 0.70), then sweeps back to touchdown
        "phi": ([0.0, 0.70, 1.0], [phi_to, phi_max, phi_td], (dphi_to, dphi_td)),
        # knee: folds to heel recovery (s = 0.36), opens to ~95 deg at knee lift, then unfolds
        "kappa": (
            [0.0, 0.36, 0.70, 1.0],
            [k_to, k_max, k_td + 0.62 * (k_max - k_td), k_td],
            (dk_to, dk_td),
        ),
        # ankle: dorsiflexes to neutral (s = 0.45) after toe-off, back to touchdown plantar-flexion
        "pf": ([0.0, 0.45, 1.0], [pf_to, np.radians(-5.0), pf_td], (dpf_to, dpf_td)),
    }
    splines = {}
    for name, (kn, vals, end_slopes) in knots_values.items():
        kn_a, vals_a = np.asarray(kn, dtype=float), np.asarray(vals, dtype=float)
        splines[name] = (kn_a, vals_a, _pchip_slopes(kn_a, vals_a, end_slopes))
    _check_clearance(p, splines)
    _SWING_CACHE[p] = splines
    return splines


def _check_clearance(p: GaitParams, splines: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """Raise ``ValueError`` if the swinging foot would pass through the ground."""
    s = np.linspace(0.0, 1.0, 801)[1:-1]
    tau_rel = p.contact_s + s * p.swing_s  # time since touchdown
    hy = p.hip_height - p.hip_bob * np.cos(2 * np.pi * (tau_rel - p.contact_s / 2) * p.step_frequency_hz)
    phi, kappa, pf = (_hermite(s, *splines[k]) for k in ("phi", "kappa", "pf"))
    body = p.body
    ankle_y = hy - body.thigh_m * np.cos(phi) - body.shank_m * np.cos(phi - kappa)
    pitch = pf - (phi - kappa)
    ankle_off, heel_off = _foot_offsets(body)
    toe_y = ankle_y + _rot(np.broadcast_to(-ankle_off, (s.size, 2)), -pitch)[:, 1]
    heel_y = toe_y + _rot(np.broadcast_to(heel_off, (s.size, 2)), -pitch)[:, 1]
    if np.min(toe_y) <= 0 or np.min(heel_y) <= 0:
        raise ValueError(
            "infeasible gait: the swinging foot would pass through the ground; "
            "check hip_height_m, max_thigh_flexion_deg and max_knee_flexion_deg"
        )


# ---------------------------------------------------------------------------------------------
# whole body
# ---------------------------------------------------------------------------------------------
def _leg(t: np.ndarray, side: str, p: GaitParams, hip: np.ndarray) -> dict[str, np.ndarray]:
    """World positions of knee, ankle, heel, toe and joint angles of one leg."""
    body = p.body
    T = p.stride_period_s
    # position in this foot's cycle, in strides since gait time 0 (touchdowns at integers);
    # computed exactly as the event times are, and with a tolerance so that a time that equals
    # an event time up to round-off falls on the event's later side (stance from touchdown on,
    # swing from toe-off on)
    u = np.asarray(t, dtype=float) / T + p.phase - _SIDE_OFFSET[side]
    k = np.floor(u + _TOL)  # stride index of the last touchdown
    frac = np.maximum(u - k, 0.0)
    c = frac * T  # time since that touchdown
    stance = frac < p.contact_s / T - _TOL
    n = t.shape[0]
    phi = np.empty(n)
    kappa = np.empty(n)
    pf = np.empty(n)
    toe = np.empty((n, 2))

    if np.any(stance):
        s = c[stance] / p.contact_s
        st = _stance_posture(s, p)
        phi[stance], kappa[stance], pf[stance] = st["phi"], st["kappa"], st["pf"]
        td = _touchdown_time(k[stance], side, p)
        # planted toe: world x fixed for the whole contact
        toe[stance, 0] = hip_x(td, p) + p.touchdown_ahead
        toe[stance, 1] = 0.0
    swing = ~stance
    if np.any(swing):
        s = (c[swing] - p.contact_s) / p.swing_s
        sp = _swing_splines(p)
        phi[swing] = _hermite(s, *sp["phi"])
        kappa[swing] = _hermite(s, *sp["kappa"])
        pf[swing] = _hermite(s, *sp["pf"])

    knee = hip + body.thigh_m * _down(phi)
    ankle_fk = knee + body.shank_m * _down(phi - kappa)
    pitch = pf - (phi - kappa)  # heel-up angle of the sole
    ankle_off, heel_off = _foot_offsets(body)
    toe_fk = ankle_fk + _rot(np.broadcast_to(-ankle_off, ankle_fk.shape), -pitch)
    toe[swing] = toe_fk[swing]
    # in stance, hang the foot from the exactly planted toe (the IK chain agrees to ~1e-15 m)
    ankle = toe + _rot(np.broadcast_to(ankle_off, toe.shape), -pitch)
    heel = toe + _rot(np.broadcast_to(heel_off, toe.shape), -pitch)
    if np.any(stance):
        # knee from the same IK angles but anchored so that thigh and shank lengths stay exact
        phi_s, kappa_s = _ik(hip[stance], ankle[stance], body)
        phi[stance], kappa[stance] = phi_s, kappa_s
        knee[stance] = hip[stance] + body.thigh_m * _down(phi_s)
    return {
        "knee": knee,
        "ankle": ankle,
        "heel": heel,
        "foot_index": toe,
        "thigh_angle": phi,
        "knee_flexion": kappa,
        "foot_pitch": pitch,
        "stance": stance,
    }


def _arm_phase(t: np.ndarray, side: str, p: GaitParams) -> np.ndarray:
    """Arm-swing phase (rad): 0 when this arm is furthest forward."""
    other = "right" if side == "left" else "left"
    # time (in gait time) when the opposite knee is highest: this arm is then furthest forward
    t_peak = (_SIDE_OFFSET[other] * p.stride_period_s + p.contact_s + 0.70 * p.swing_s)
    return 2 * np.pi * (_tau(t, p) - t_peak) / p.stride_period_s


def _shoulder_joint(t: np.ndarray, side: str, p: GaitParams, shoulder_mid: np.ndarray,
                    trunk_dir: np.ndarray) -> np.ndarray:
    """One shoulder joint, shape (n, 2): the midpoint moved by the upper trunk's rotation."""
    rot = np.radians(p.shoulder_rotation_deg) * np.cos(_arm_phase(t, side, p))
    forward = np.array([trunk_dir[1], -trunk_dir[0]])  # trunk's forward normal
    return shoulder_mid + (p.body.shoulder_half_width_m * np.sin(rot))[:, None] * forward


def _arm(t: np.ndarray, side: str, p: GaitParams, shoulder: np.ndarray) -> dict[str, np.ndarray]:
    """Shoulder angle, elbow angle and elbow/wrist/hand positions of one arm."""
    body = p.body
    w = _arm_phase(t, side, p)
    alpha = np.radians(p.arm_swing_mean_deg + p.arm_swing_amplitude_deg * np.cos(w))
    elbow_in = np.radians(p.elbow_mean_deg - p.elbow_amplitude_deg * np.cos(w))
    elbow = shoulder + body.upper_arm_m * _down(alpha)
    fore_dir = _down(alpha + (np.pi - elbow_in))
    wrist = elbow + body.forearm_m * fore_dir
    h = body.body_height_m
    perp = _rot(fore_dir, np.pi / 2)  # towards the thumb side (up/forward)
    return {
        "elbow": elbow,
        "wrist": wrist,
        "index": wrist + 0.040 * h * fore_dir + 0.004 * h * perp,
        "pinky": wrist + 0.032 * h * fore_dir - 0.010 * h * perp,
        "thumb": wrist + 0.022 * h * fore_dir + 0.014 * h * perp,
        "shoulder_angle": alpha,
        "elbow_angle": elbow_in,
    }


def simulate(t_s: np.ndarray | float, params: GaitParams | None = None) -> dict[str, Any]:
    """Joint positions and angles of the synthetic sprinter at times ``t_s``.

    Parameters
    ----------
    t_s : array_like, shape (n,)
        Times in seconds (any real values; the gait is periodic, the pelvis moves at ``v``).
    params : GaitParams, optional
        Gait and body; defaults to ``GaitParams()``.

    Returns
    -------
    dict
        ``"joints"``: dict mapping every MediaPipe joint name (:data:`sprintcv.joints.MEDIAPIPE_JOINTS`)
        to an array (n, 2) of world positions in metres (x forward, y up);
        ``"angles_deg"``: dict of arrays (n,) in degrees: ``{side}_thigh``, ``{side}_knee``
        (interior), ``{side}_elbow`` (interior), ``{side}_shoulder``, ``{side}_foot_pitch``
        (heel-up sole angle), ``trunk_lean``; ``"stance"``: dict side -> bool array (n,),
        true while that foot is on the ground; ``"t_s"``: the times; ``"head"``: (n, 2) head
        centre (m); ``"head_tilt_rad"``: forward tilt of the head's up axis (rad).
    """
    p = GaitParams() if params is None else params
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    n = t.shape[0]
    body = p.body
    hip = np.stack([hip_x(t, p), hip_y(t, p)], axis=-1)
    lean = np.radians(p.trunk_lean_deg)
    trunk_dir = np.array([np.sin(lean), np.cos(lean)])
    shoulder = hip + body.trunk_m * trunk_dir
    # head: neck a little more upright than the trunk; face points in head-local units
    tilt = 0.5 * lean
    head = shoulder + body.neck_m * np.array([np.sin(tilt), np.cos(tilt)])
    fwd = np.array([np.cos(tilt), -np.sin(tilt)])
    up = np.array([np.sin(tilt), np.cos(tilt)])
    r = body.head_radius_m
    j: dict[str, np.ndarray] = {}
    for name, (fx, fy) in FACE_POINTS.items():
        j[name] = head + r * (fx * fwd + fy * up)
    angles: dict[str, np.ndarray] = {}
    stance: dict[str, np.ndarray] = {}
    for side in SIDES:
        j[f"{side}_shoulder"] = _shoulder_joint(t, side, p, shoulder, trunk_dir)
        j[f"{side}_hip"] = hip.copy()
        arm = _arm(t, side, p, j[f"{side}_shoulder"])
        for part in ("elbow", "wrist", "pinky", "index", "thumb"):
            j[f"{side}_{part}"] = arm[part]
        leg = _leg(t, side, p, hip)
        for part in ("knee", "ankle", "heel", "foot_index"):
            j[f"{side}_{part}"] = leg[part]
        angles[f"{side}_thigh"] = np.degrees(leg["thigh_angle"])
        angles[f"{side}_knee"] = 180.0 - np.degrees(leg["knee_flexion"])
        angles[f"{side}_foot_pitch"] = np.degrees(leg["foot_pitch"])
        angles[f"{side}_shoulder"] = np.degrees(arm["shoulder_angle"])
        angles[f"{side}_elbow"] = np.degrees(arm["elbow_angle"])
        stance[side] = leg["stance"]
    angles["trunk_lean"] = np.full(n, p.trunk_lean_deg)
    joints = {name: j[name] for name in MEDIAPIPE_JOINTS}
    return {
        "joints": joints,
        "angles_deg": angles,
        "stance": stance,
        "t_s": t,
        "head": head,
        "head_tilt_rad": float(tilt),
    }
