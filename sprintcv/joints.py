"""Joint names and skeleton topology, kept as data in one place.

MediaPipe Pose (BlazePose) returns 33 landmarks; their order is fixed by the model. sprintcv
stores all 33 under the names below and refers to joints by name everywhere else.
"""

from __future__ import annotations

#: MediaPipe BlazePose landmark names, in model order (index = landmark id).
MEDIAPIPE_JOINTS: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)

SIDES: tuple[str, str] = ("left", "right")

#: Per-side limb joints used by the analysis (the side prefix is added by :func:`side_joint`).
LEG: tuple[str, ...] = ("hip", "knee", "ankle", "heel", "foot_index")
ARM: tuple[str, ...] = ("shoulder", "elbow", "wrist", "pinky", "index", "thumb")

#: Bones drawn in the skeleton overlay, as (joint, joint) name pairs.
BONES: tuple[tuple[str, str], ...] = tuple(
    pair
    for side in SIDES
    for pair in (
        (f"{side}_shoulder", f"{side}_elbow"),
        (f"{side}_elbow", f"{side}_wrist"),
        (f"{side}_shoulder", f"{side}_hip"),
        (f"{side}_hip", f"{side}_knee"),
        (f"{side}_knee", f"{side}_ankle"),
        (f"{side}_ankle", f"{side}_heel"),
        (f"{side}_heel", f"{side}_foot_index"),
        (f"{side}_ankle", f"{side}_foot_index"),
    )
) + (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))


def side_joint(side: str, joint: str) -> str:
    """Return the full joint name, e.g. ``side_joint("left", "knee") == "left_knee"``."""
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    return f"{side}_{joint}"


def near_side(direction: int) -> str:
    """Anatomical side facing the camera: a runner moving left to right (``direction`` +1)
    shows their right side."""
    return "right" if direction > 0 else "left"


def other_side(side: str) -> str:
    """Return the opposite side name."""
    return "right" if side == "left" else "left"


def swap_pairs(names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Index pairs (left, right) of every joint that exists on both sides in ``names``."""
    index = {n: i for i, n in enumerate(names)}
    pairs = []
    for name, i in index.items():
        if name.startswith("left_"):
            j = index.get("right_" + name[len("left_"):])
            if j is not None:
                pairs.append((i, j))
    return pairs
