"""Drawing on video frames: skeleton (near/far side colours), contact markers, angle labels."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..io.video import VideoReader
from ..joints import BONES, near_side

if TYPE_CHECKING:
    from ..pipeline import Analysis

#: RGB colours: the camera-side (near) limbs warm, the far side cool, centre line white.
NEAR_RGB = (255, 140, 0)
FAR_RGB = (0, 170, 255)
CENTRE_RGB = (240, 240, 240)
CONTACT_RGB = (255, 40, 40)


def draw_skeleton(
    rgb: np.ndarray,
    xy_px: np.ndarray,
    names: tuple[str, ...],
    near: str = "left",
    visibility: np.ndarray | None = None,
    min_visibility: float = 0.3,
) -> np.ndarray:
    """Return a copy of ``rgb`` with the skeleton drawn.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3) uint8
    xy_px : ndarray, shape (n_joints, 2)
        Joint positions in this frame's pixels (NaN = not drawn).
    names : tuple of str
    near : {"left", "right"}
        Side drawn in the near colour.
    visibility : ndarray, shape (n_joints,), optional
        Joints below ``min_visibility`` are not drawn.
    """
    out = rgb.copy()
    scale = max(1, int(round(max(rgb.shape[:2]) / 640)))
    idx = {n: i for i, n in enumerate(names)}

    def ok(i: int) -> bool:
        good = bool(np.all(np.isfinite(xy_px[i])))
        return good and (visibility is None or visibility[i] >= min_visibility)

    for a, b in sorted(BONES, key=lambda p: p[0].startswith(near)):  # far side first, near on top
        ia, ib = idx.get(a), idx.get(b)
        if ia is None or ib is None or not (ok(ia) and ok(ib)):
            continue
        if a.startswith(near) and b.startswith(near):
            colour = NEAR_RGB
        elif a.split("_")[0] == b.split("_")[0]:
            colour = FAR_RGB
        else:
            colour = CENTRE_RGB
        p, q = (tuple(int(round(v)) for v in xy_px[k]) for k in (ia, ib))
        cv2.line(out, p, q, colour, 2 * scale, cv2.LINE_AA)
    for i in range(len(names)):
        if ok(i) and not names[i].startswith(("left_eye", "right_eye", "mouth", "left_ear", "right_ear")):
            cv2.circle(out, tuple(int(round(v)) for v in xy_px[i]), 2 * scale, (255, 255, 255), -1, cv2.LINE_AA)
    return out


def label(rgb: np.ndarray, lines: Iterable[str]) -> np.ndarray:
    """Return a copy of ``rgb`` with text lines in a dark box at the top-left."""
    out = rgb.copy()
    scale = max(0.5, max(rgb.shape[:2]) / 1600)
    thick = max(1, int(round(scale * 2)))
    y = int(28 * scale)
    for text in lines:
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        cv2.rectangle(out, (6, y - h - 6), (14 + w, y + 6), (0, 0, 0), -1)
        cv2.putText(out, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
        y += h + int(16 * scale)
    return out


def read_frames(path: Path, indices: set[int]) -> dict[int, np.ndarray]:
    """Decode the frames with the given decoded-frame indices (one streaming pass)."""
    found: dict[int, np.ndarray] = {}
    if not indices:
        return found
    last = max(indices)
    with VideoReader(path, drop_duplicates=False) as reader:
        for frame in reader.frames():
            if frame.index in indices:
                found[frame.index] = frame.image
            if frame.index >= last:
                break
    return found


def _to_bgr(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def write_key_frames(analysis: "Analysis", out_dir: Path) -> list[Path]:
    """Annotated touchdown frames (one per foot, first complete contact) into ``out_dir/frames``.

    Falls back to the frame in the middle of the clip when no contact was found, so the user
    can always check what the pose model saw.
    """
    clean = analysis.clean
    picks: list[tuple[int, list[str], str | None]] = []
    for foot in ("left", "right"):
        for c in analysis.contacts.contacts:
            if c.foot == foot and np.isfinite(c.touchdown_s) and np.isfinite(c.toeoff_s):
                s = c.touchdown_sample
                knee = analysis.angles[f"{foot}_knee_deg"][s]
                lines = [
                    f"{foot} touchdown  t={c.touchdown_s:.3f} s  frame {clean.frame_index[s]}",
                    f"contact {c.contact_s * 1000:.0f} ms (+/-{1000 / clean.fps:.0f} ms)  knee {knee:.0f} deg",
                    f"trunk lean {analysis.angles['trunk_lean_deg'][s]:.0f} deg",
                ]
                picks.append((s, lines, c.foot))
                break
    if not picks:
        s = clean.n_frames // 2
        picks.append((s, [f"t={clean.t_s[s]:.3f} s  frame {clean.frame_index[s]} (no contact found)"], None))
    frames = read_frames(analysis.video_path, {int(clean.frame_index[s]) for s, _, _ in picks})
    near = near_side(analysis.direction)
    written = []
    (out_dir / "frames").mkdir(parents=True, exist_ok=True)
    for s, lines, foot in picks:
        image = frames.get(int(clean.frame_index[s]))
        if image is None:
            continue

        leg_px = analysis.contacts.leg_length_px
        path = out_dir / "frames" / f"frame_{int(clean.frame_index[s]):05d}.png"
        full = _overlay(image, clean.xy[s], clean.joint_names, clean.visibility[s], near, foot, leg_px)
        cv2.imwrite(str(path), _to_bgr(label(full, lines)))
        written.append(path)
        zoom = zoom_window(clean.xy[s], image.shape)
        if zoom is not None:
            left, top, side, scale = zoom
            close = cv2.resize(image[top: top + side, left: left + side], None, fx=scale, fy=scale,
                               interpolation=cv2.INTER_CUBIC)
            close = _overlay(close, (clean.xy[s] - [left, top]) * scale, clean.joint_names,
                             clean.visibility[s], near, foot, leg_px * scale)
            zpath = path.with_name(path.stem + "_zoom.png")
            cv2.imwrite(str(zpath), _to_bgr(label(close, lines)))
            written.append(zpath)
    return written


def _overlay(rgb: np.ndarray, xy_px: np.ndarray, names: tuple[str, ...], visibility: np.ndarray,
             near: str, foot: str | None, leg_px: float) -> np.ndarray:
    """Skeleton, plus the touchdown distance of ``foot`` when the frame is a touchdown."""
    out = draw_skeleton(rgb, xy_px, names, near, visibility)
    if foot is not None:
        draw_touchdown_distance(out, xy_px, names, foot, leg_px)
    return out


def draw_touchdown_distance(
    rgb: np.ndarray, xy_px: np.ndarray, names: tuple[str, ...], foot: str, leg_px: float
) -> None:
    """Draw, in place, the touchdown distance: a bar at ground level from below the hip
    midpoint to the rear of the landing foot, labelled in leg lengths (+ = foot ahead)."""
    idx = {n: i for i, n in enumerate(names)}
    hip = (xy_px[idx["left_hip"]] + xy_px[idx["right_hip"]]) / 2
    heel, toe = xy_px[idx[f"{foot}_heel"]], xy_px[idx[f"{foot}_foot_index"]]
    if not np.all(np.isfinite(np.concatenate([hip, heel, toe]))) or not leg_px > 0:
        return
    forward = 1.0 if toe[0] >= heel[0] else -1.0  # the toe points the way the runner goes
    contact_x = min(heel[0], toe[0]) if forward > 0 else max(heel[0], toe[0])
    y = int(round(max(heel[1], toe[1]) + 0.06 * leg_px))
    x0, x1 = int(round(hip[0])), int(round(contact_x))
    thick = max(1, int(round(leg_px / 60)))
    cv2.line(rgb, (x0, y), (x1, y), CONTACT_RGB, thick, cv2.LINE_AA)
    for x in (x0, x1):
        cv2.line(rgb, (x, y - 3 * thick), (x, y + 3 * thick), CONTACT_RGB, thick, cv2.LINE_AA)
    cv2.line(rgb, (x0, int(hip[1])), (x0, y), CONTACT_RGB, max(1, thick // 2), cv2.LINE_AA)
    value = forward * (contact_x - hip[0]) / leg_px
    scale = max(0.4, leg_px / 250)
    text = f"TD distance {value:+.2f} leg"
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    tx = int(np.clip(min(x0, x1), 2, rgb.shape[1] - tw - 2))  # keep the label inside the image
    ty = int(np.clip(y + th + 8, th + 2, rgb.shape[0] - 4))
    cv2.putText(rgb, text, (tx, ty), cv2.FONT_HERSHEY_SIMPLEX, scale, CONTACT_RGB, thick, cv2.LINE_AA)


def zoom_window(xy_px: np.ndarray, frame_shape: tuple[int, ...], margin: float = 0.35,
                min_side_px: int = 540) -> tuple[int, int, int, float] | None:
    """(left, top, side, scale) of a square close-up around the landmarks, enlarged by
    ``scale`` to at least ``min_side_px`` (a small runner in fly-10 framing is hard to judge
    otherwise); None when the runner already fills most of the frame or nothing is known."""
    pts = xy_px[np.all(np.isfinite(xy_px), axis=1)]
    if len(pts) == 0:
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    side = int((1 + 2 * margin) * max(x1 - x0, y1 - y0))
    h, w = frame_shape[:2]
    if side < 8 or side >= 0.6 * min(h, w):
        return None
    left = int(np.clip((x0 + x1 - side) / 2, 0, w - side))
    top = int(np.clip((y0 + y1 - side) / 2, 0, h - side))
    return left, top, side, max(1.0, min_side_px / side)


GATE_RGB = (255, 230, 0)


def draw_gates(rgb: np.ndarray, gates: list[dict], cones: list) -> np.ndarray:
    """Copy of ``rgb`` with each gate's column drawn as a line labelled with its distance and
    crossing time, and the automatically found cones boxed."""
    out = rgb.copy()
    h = out.shape[0]
    scale = max(0.5, max(out.shape[:2]) / 1600)
    for cone in cones:
        x0, x1 = int(cone.x_px - cone.width_px / 2), int(cone.x_px + cone.width_px / 2)
        y1 = int(cone.base_y_px)
        cv2.rectangle(out, (x0 - 3, y1 - int(cone.height_px) - 3), (x1 + 3, y1 + 3), (0, 255, 0), 2, cv2.LINE_AA)
    for g in gates:
        x = int(round(g["x_px"]))
        cv2.line(out, (x, 0), (x, h - 1), GATE_RGB, max(1, int(2 * scale)), cv2.LINE_AA)
        text = f"{g['at_m']:g} m" + (f"  {g['t_s']:.3f} s" if np.isfinite(g.get("t_s", np.nan)) else "")
        thick = max(1, int(2 * scale))
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        tx = x + 6 if x + 6 + tw < out.shape[1] else x - 6 - tw  # keep the label inside the frame
        cv2.putText(out, text, (tx, int(40 * scale) + 30), cv2.FONT_HERSHEY_SIMPLEX, scale, GATE_RGB,
                    thick, cv2.LINE_AA)
    return out


def write_gate_frame(analysis: "Analysis", out_dir: Path) -> Path | None:
    """``frames/gates.png``: the calibration markers (and found cones) on the middle frame."""
    calib = analysis.summary.get("calibration")
    if not calib or calib.get("method") != "markers":
        return None
    crossings = {g["at_m"]: g["t_s"] for g in analysis.summary.get("gate_crossings", [])}
    gates = [{"x_px": x, "at_m": m, "t_s": crossings.get(m, float("nan"))}
             for x, m in zip(calib["markers_px"], calib["markers_m"])]
    index = int(analysis.clean.frame_index[analysis.clean.n_frames // 2])
    frame = read_frames(analysis.video_path, {index}).get(index)
    if frame is None:
        return None
    path = out_dir / "frames" / "gates.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), _to_bgr(label(draw_gates(frame, gates, analysis.cones),
                                         [f"calibration: {calib['source'] or calib['method']}"])))
    return path


def kinogram_crop(xy_px: np.ndarray, margin: float = 0.12) -> tuple[np.ndarray, int, int, int]:
    """One crop size that holds the runner in every kinogram frame.

    Parameters
    ----------
    xy_px : ndarray, shape (k, n_joints, 2)
        Landmarks of the k frames (image pixels).
    margin : float
        Space around the runner, as a fraction of the body's height.

    Returns
    -------
    centres_x : ndarray, shape (k,)
        Column to centre each frame's crop on (its landmark centroid, which moves with the runner).
    top, width, height : int
        Top row (shared, so the ground stays level across the strip) and size of the crops.
    """
    pts = np.asarray(xy_px, float)
    centre = np.nanmean(pts, axis=1)
    rel = pts - centre[:, None, :]
    half_w = float(np.nanmax(np.abs(rel[..., 0])))
    top_abs, bottom_abs = float(np.nanmin(pts[..., 1])), float(np.nanmax(pts[..., 1]))
    pad = margin * (bottom_abs - top_abs)
    width = max(8, int(round(2 * (half_w + pad))))
    height = max(8, int(round(bottom_abs - top_abs + 2 * pad)))
    return centre[:, 0], int(round(top_abs - pad)), width, height


def _padded_crop(image: np.ndarray, left: int, top: int, width: int, height: int) -> np.ndarray:
    """Crop that may reach past the frame's edges (filled with dark grey there)."""
    h, w = image.shape[:2]
    out = np.full((height, width, 3), 40, dtype=np.uint8)
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + width, w), min(top + height, h)
    if x1 > x0 and y1 > y0:
        out[y0 - top: y1 - top, x0 - left: x1 - left] = image[y0:y1, x0:x1]
    return out


def kinogram_strip(
    images: list[np.ndarray], xy_px: np.ndarray, names: tuple[str, ...], labels: list[list[str]],
    near: str, visibility: np.ndarray | None = None, height_px: int = 420,
) -> np.ndarray:
    """Kinogram image: the runner cropped from each frame, skeleton drawn, side by side.

    Parameters
    ----------
    images : list of ndarray, each (H, W, 3) uint8 RGB
        The k frames, in kinogram order.
    xy_px : ndarray, shape (k, n_joints, 2)
        Their landmarks, image pixels.
    names : tuple of str
    labels : list of list of str
        Text lines under each crop.
    near : {"left", "right"}
        Side drawn in the near colour.
    visibility : ndarray, shape (k, n_joints), optional
    height_px : int
        Height of each crop in the strip.

    Returns
    -------
    ndarray, (height, width, 3) uint8 RGB
    """
    centres, top, width, height = kinogram_crop(xy_px)
    scale = height_px / height
    tiles = []
    for k, image in enumerate(images):
        drawn = draw_skeleton(image, xy_px[k], names, near, None if visibility is None else visibility[k])
        x0 = int(round(centres[k] - width / 2))
        tile = _padded_crop(drawn, x0, top, width, height)
        tile = cv2.resize(tile, (max(8, int(round(width * scale))), height_px), interpolation=cv2.INTER_AREA
                          if scale < 1 else cv2.INTER_CUBIC)
        caption = np.full((18 * len(labels[k]) + 10, tile.shape[1], 3), 20, dtype=np.uint8)
        for row, text in enumerate(labels[k]):
            cv2.putText(caption, text, (6, 18 * (row + 1)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                        cv2.LINE_AA)
        tiles.append(np.vstack([tile, caption]))
    gap = np.full((tiles[0].shape[0], 4, 3), 255, dtype=np.uint8)
    parts: list[np.ndarray] = []
    for tile in tiles:
        parts += [tile, gap]
    return np.hstack(parts[:-1])


def write_kinograms(analysis: "Analysis", out_dir: Path) -> list[Path]:
    """``frames/kinogram_<side>.png`` for each landing foot with a kinogram in the summary."""
    from ..metrics.kinogram import POSITION_LABELS, POSITIONS

    clean = analysis.clean
    kinos = {side: k for side, k in (analysis.summary.get("kinogram") or {}).items() if k}
    wanted = {p["frame"] for k in kinos.values() for p in k["positions"].values()}
    frames = read_frames(analysis.video_path, wanted)
    written = []
    for side, kino in kinos.items():
        pos = [kino["positions"][p] for p in POSITIONS]
        if any(p["frame"] not in frames for p in pos):
            continue
        samples = [p["sample"] for p in pos]
        labels = [[f"{POSITION_LABELS[name]}", f"frame {p['frame']}  t={p['t_s']:.3f} s"]
                  for name, p in zip(POSITIONS, pos)]
        strip = kinogram_strip([frames[p["frame"]] for p in pos], clean.xy[samples], clean.joint_names, labels,
                               near_side(analysis.direction), clean.visibility[samples])
        title = np.full((34, strip.shape[1], 3), 20, dtype=np.uint8)
        cv2.putText(title, f"kinogram, {side} landing (step {kino['step']}): {kino['toe_off_foot']} toe-off to "
                    f"{side} full support", (8, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
        path = out_dir / "frames" / f"kinogram_{side}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), _to_bgr(np.vstack([title, strip])))
        written.append(path)
    return written
