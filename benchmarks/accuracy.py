"""Accuracy harness: contact events against exact truth, printed as an error table.

Usage (from the repo root)::

    python benchmarks/accuracy.py                      # the bundled sample clip
    python benchmarks/accuracy.py clip.mp4 [...]       # synthetic clips with <clip>.truth.json
    python benchmarks/accuracy.py --render DIR         # render the standard synthetic set first
    python benchmarks/accuracy.py --render DIR --random 10   # and 10 clips drawn at random
    python benchmarks/accuracy.py --render DIR10 --shoulder-rotation 10  # shoulders rotating 10 deg
    python benchmarks/accuracy.py ../shared/clips/treadmill_60fps_portrait.mp4   # hand labels

Each clip is analysed with the real pose model (cached); detected contacts are matched to the
truth per foot (``sprintcv.synthetic.score``) and the touchdown, toe-off and contact-time errors
are reported as mean, mean absolute (s and frames) and 95% limits of agreement.

For synthetic clips the per-step mechanics are scored too (``sprintcv.synthetic.truth``): the
truth is every metric computed with the same definitions from the exact joints at the exact
events. Two tables: as analysed (pose model and detected contacts), and the same metric
functions on the pose model's joints at the true events (the pose model's share of the error).
Then the kinogram frames against the truth's, in frames.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: The standard synthetic set: fps, direction, framing and gait vary; none is the sample clip.
STANDARD_SET = [
    dict(name="fly_l2r_240", fps=240, duration_s=1.6, direction="left_to_right", phase=0.15),
    dict(name="fly_r2l_120", fps=120, duration_s=1.8, direction="right_to_left", phase=0.4,
         speed_mps=8.5, step_frequency_hz=4.3, contact_s=0.12),
    dict(name="mid_l2r_120", fps=120, duration_s=1.6, runner_height_px=260, phase=0.55),
    dict(name="fly_l2r_60", fps=60, duration_s=1.8, phase=0.1, speed_mps=9.5,
         step_frequency_hz=4.7, contact_s=0.10),
    # the 60 fps right-to-left clip of tests/metrics/test_mechanics_accuracy.py
    dict(name="fly_r2l_60", fps=60, duration_s=1.7, direction="right_to_left", speed_mps=9.4,
         step_frequency_hz=4.6, contact_s=0.105, phase=0.33),
    dict(name="big_r2l_60", fps=60, duration_s=1.4, width=960, height=540, runner_height_px=350,
         direction="right_to_left", phase=0.7, speed_mps=8.0, step_frequency_hz=4.2, contact_s=0.12),
    dict(name="fly_r2l_30", fps=30, duration_s=1.8, direction="right_to_left", phase=0.3),
    dict(name="far_l2r_120", fps=120, duration_s=2.4, px_per_m=70.0, phase=0.8, speed_mps=10.0,
         step_frequency_hz=4.8, contact_s=0.095),
    # A camera turned away from square; three cones 5 m apart (run with --gate-distance 5).
    dict(name="persp_l2r_120", fps=120, duration_s=1.8, cones_m=(1.0, 6.0, 11.0), perspective=0.15, phase=0.2),
    # A second set with other gaits and framings (not looked at while the detector was built).
    dict(name="v240_l2r", fps=240, duration_s=1.7, speed_mps=9.4, step_frequency_hz=4.6,
         contact_s=0.105, phase=0.33),
    dict(name="v240_r2l", fps=240, duration_s=1.5, direction="right_to_left", speed_mps=10.2,
         step_frequency_hz=4.8, contact_s=0.095, phase=0.6, runner_height_px=240),
    dict(name="v120_acc", fps=120, duration_s=1.8, speed_mps=7.5, step_frequency_hz=4.1,
         contact_s=0.14, phase=0.2, runner_height_px=300),
    dict(name="v120_r2l", fps=120, duration_s=1.8, direction="right_to_left", speed_mps=9.0,
         step_frequency_hz=4.4, contact_s=0.115, phase=0.9, seed=3),
    dict(name="v60_l2r", fps=60, duration_s=2.0, speed_mps=8.6, step_frequency_hz=4.5,
         contact_s=0.12, phase=0.45, runner_height_px=260),
]


#: Frame rates of the random clips, in turn.
RANDOM_FPS = (120, 240, 120, 240, 60, 120, 240, 60, 120, 240)


def render_set(folder: Path, **overrides) -> list[Path]:
    """Render :data:`STANDARD_SET` into ``folder`` (clips already there are kept);
    ``overrides`` are further :func:`~sprintcv.synthetic.render.make_clip` arguments for every
    clip (e.g. ``shoulder_rotation_deg=0``)."""
    from sprintcv.synthetic.render import make_clip

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in STANDARD_SET:
        spec = dict(spec)
        path = folder / f"{spec.pop('name')}.mp4"
        if not path.exists():
            make_clip(path, **{**spec, **overrides})
        paths.append(path)
    return paths


def render_random_set(folder: Path, n: int, seed: int) -> list[Path]:
    """Render ``n`` clips whose gait, framing, background seed and compression are drawn at
    random (reproducibly from ``seed``): clips no setting of sprintcv was chosen on, to check
    that the accuracy on the standard set carries over. Frame rates cycle through
    :data:`RANDOM_FPS`; draws the renderer rejects as infeasible are redrawn."""
    from sprintcv.synthetic.render import make_clip

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        fps = RANDOM_FPS[i % len(RANDOM_FPS)]
        path = folder / f"random{seed}_{i}_{fps}.mp4"
        for _ in range(20):
            big = bool(rng.random() < 0.3)
            spec = dict(fps=float(fps), duration_s=1.6, width=1920 if big else 1280, height=1080 if big else 720,
                        direction=str(rng.choice(["left_to_right", "right_to_left"])),
                        runner_height_px=float(rng.uniform(200, 420) * (1.5 if big else 1.0)),
                        speed_mps=float(rng.uniform(7.5, 10.5)), step_frequency_hz=float(rng.uniform(4.0, 4.9)),
                        contact_s=float(rng.uniform(0.09, 0.14)), phase=float(rng.random()),
                        seed=int(rng.integers(100, 999)), crf=int(rng.integers(18, 27)))
            if path.exists():
                break
            try:
                make_clip(path, **spec)
                break
            except ValueError:
                continue  # an infeasible gait (contact too long for the speed): draw again
        paths.append(path)
    return paths


def evaluate(path: Path) -> dict:
    """Score one clip against ``<clip>.truth.json`` (synthetic) or, for the real clips,
    ``labels/<clip>.json`` beside it (hand labels: near/far sides, so feet are not matched)."""
    from sprintcv.pipeline import LaneOptions, analyze
    from sprintcv.synthetic.score import label_contacts, score_contacts, truth_contacts

    truth_file = path.with_suffix(".truth.json")
    spacing = 10.0
    if truth_file.exists():
        cones = sorted(c["x_m"] for c in json.loads(truth_file.read_text()).get("cones", []))
        spacing = float(np.diff(cones)[0]) if len(cones) > 1 else 10.0  # as the coach would say
    result = analyze(path, lane=LaneOptions(gate_distance_m=spacing))
    t = result.clean.t_s
    if truth_file.exists():
        truth = json.loads(truth_file.read_text())
        true = truth_contacts(truth, t[0], t[-1])
        step_hz = truth["step_frequency_hz"]
        score = score_contacts(result.contacts.contacts, true)
    else:
        labels = json.loads((path.parent / "labels" / f"{path.stem}.json").read_text())
        # Label frames are decoded frames: their capture times come from the analysis.
        raw = result.raw
        last = max(int(e["frame"]) for e in labels["events"]) + 1
        frame_times = np.interp(np.arange(max(last, int(raw.frame_index[-1]) + 1)), raw.frame_index, raw.t_s)
        true = label_contacts(labels, frame_times_s=frame_times)
        step = np.diff(sorted(td for _, td, _ in true))
        step_hz = float(1.0 / np.median(step)) if len(step) else float("nan")
        score = score_contacts(result.contacts.contacts, true, max_offset_s=0.1, ignore_foot=True)
    stats = score.stats(result.summary["video"]["capture_fps"])
    stats["events"] = {"synthetic": truth_file.exists(),
                       "touchdown": (score.td_err_s, score.td_confidence),
                       "toe-off": (score.to_err_s, score.to_confidence),
                       "contact": score.contact_err_s,
                       "near": score.feet == truth["near_side"] if truth_file.exists() else None}
    if truth_file.exists() and len(truth.get("gate_crossings", [])) >= 2:
        g = sorted(truth["gate_crossings"], key=lambda x: x["x_m"])
        end = [x for x in g if abs(x["x_m"] - g[0]["x_m"] - 10.0) < 1e-9]
        true_fly = end[0]["t_s"] - g[0]["t_s"] if end else float("nan")
        s = result.summary
        stats["fly10"] = {
            "cones_found": len(result.cones),
            "fly10_err_ms": 1000 * (s["fly10_s"] - true_fly) if s.get("fly10_s") else float("nan"),
            "speed_err_pct": 100 * (s["speed_mean_mps"] / truth["speed_mps"] - 1) if "speed_mean_mps" in s else float("nan"),
            "step_err_cm": 100 * (s["step_length_m_mean"] - truth["step_length_m"]) if "step_length_m_mean" in s else float("nan"),
            "peak_err_pct": 100 * (s["speed_peak_mps"] / truth["speed_mps"] - 1) if "speed_peak_mps" in s else float("nan"),
        }
    if truth_file.exists() and "angles_deg" in truth:
        from sprintcv.synthetic.truth import mechanics_accuracy

        stats["angles_mae_deg"] = angle_errors(result, truth)
        stats["mechanics"] = mechanics_accuracy(result, truth)
        stats["flags"] = [f["id"] + (f" ({f['side']})" if f.get("side") else "") for f in result.summary["flags"]]
    stats["small_runner"] = any("small in the frame" in w for w in result.summary["warnings"])
    stats["clip"] = path.name
    stats["direction"] = result.summary["direction"]
    stats["fps"] = result.summary["video"]["capture_fps"]
    stats["step_hz"] = (result.summary["step_frequency_hz"], step_hz)
    return stats


ANGLES = ("left_thigh", "right_thigh", "left_knee", "right_knee", "left_elbow", "right_elbow", "trunk_lean")


def angle_errors(result, truth: dict) -> dict[str, float]:
    """Mean absolute error (deg) of each per-frame angle against the synthetic truth."""
    frames = result.clean.frame_index
    out = {}
    for key in ANGLES:
        true = np.asarray(truth["angles_deg"][key], dtype=float)[frames]
        got = result.angles[f"{key}_deg"]
        ok = np.isfinite(true) & np.isfinite(got)
        out[key] = float(np.mean(np.abs(got[ok] - true[ok]))) if ok.any() else float("nan")
    return out


#: Short headers of the mechanics columns (the full names are in docs/metrics.md).
SHORT = {
    "thigh_front_max_deg": "kneelift", "thigh_to_deg": "thighTO", "knee_swing_min_deg": "kneeSwMin",
    "knee_td_deg": "kneeTD", "shin_td_deg": "shinTD", "thigh_separation_td_deg": "thighSep",
    "trunk_lean_td_deg": "trunkTD", "trunk_lean_mean_deg": "trunkMean", "elbow_front_deg": "elbowF",
    "elbow_back_deg": "elbowB", "shoulder_front_deg": "shoulderF", "shoulder_back_deg": "shoulderB",
    "knee_height_max_leg": "kneeH leg", "heel_recovery_height_leg": "heelH leg", "heel_recovery_x_leg": "heelX leg",
    "touchdown_distance_leg": "TDdist leg", "touchdown_distance_m": "TDdist m", "pelvis_oscillation_leg": "pelvis leg",
    "pelvis_oscillation_m": "pelvis m", "front_side_share": "front shr", "arm_timing_s": "armT s",
}


def _mae(errors) -> float:
    e = np.asarray(errors, float)
    return float(np.mean(np.abs(e))) if len(e) else float("nan")


def print_mechanics(rows: list[dict]) -> None:
    """Per-step metric MAE tables (as analysed, at true events) and kinogram frame errors."""
    from sprintcv.synthetic.truth import ANGLE_COLUMNS, OTHER_COLUMNS

    scored = [s for s in rows if "mechanics" in s]
    if not scored:
        return
    for key, title, blocks in (
            ("detected_events", "as analysed: pose model + detected contacts", ((ANGLE_COLUMNS, "deg", 1), (OTHER_COLUMNS, "units as named", 3))),
            ("near", "as analysed, limbs on the camera's side", ((ANGLE_COLUMNS, "deg", 1),)),
            ("far", "as analysed, limbs on the far side", ((ANGLE_COLUMNS, "deg", 1),)),
            ("far_unreported", "far-side values not reported (what they would have been)", ((ANGLE_COLUMNS, "deg", 1),)),
            ("true_events", "pose model's joints at the true events", ((ANGLE_COLUMNS, "deg", 1), (OTHER_COLUMNS, "units as named", 3)))):
        for columns, unit, digits in blocks:
            print()
            print(f"per-step MAE ({unit}), {title}")
            print(f"{'clip':<22}{'fps':>5}" + "".join(f"{SHORT[c]:>11}" for c in columns))
            for s in scored:
                errs = s["mechanics"][key]
                print(f"{s['clip']:<22}{s['fps']:>5.0f}" + "".join(
                    f"{_mae(errs.get(c, [])):>11.{digits}f}" for c in columns))
    from sprintcv.metrics.kinogram import POSITIONS

    print()
    print("kinogram frame error, detected - true: mean abs (max) [n]")
    print(f"{'clip':<22}{'fps':>5}" + "".join(f"{p:>26}" for p in POSITIONS))
    for s in scored:
        k = s["mechanics"]["kinogram"]
        cells = []
        for p in POSITIONS:
            e = k.get(p, np.zeros(0))
            cells.append(f"{_mae(e):.1f} ({int(np.max(np.abs(e))) if len(e) else 0}) [{len(e)}]" if len(e) else "n/a")
        print(f"{s['clip']:<22}{s['fps']:>5.0f}" + "".join(f"{c:>26}" for c in cells))
    print()
    print("flags raised with the default thresholds (the synthetic runner is symmetric, with default mechanics)")
    for s in scored:
        print(f"{s['clip']:<22}{', '.join(s['flags']) or 'none'}")


def markdown_mechanics(rows: list[dict]) -> str:
    """The mechanics accuracy as Markdown tables (the ones in docs/metrics.md)."""
    from sprintcv.metrics.kinogram import POSITIONS
    from sprintcv.metrics.mechanics import FAR_SIDE_WITHHELD
    from sprintcv.synthetic.truth import ANGLE_COLUMNS, OTHER_COLUMNS

    scored = [s for s in rows if "mechanics" in s]

    def label(s: dict) -> str:
        arrow = "l2r" if s["direction"] == "left_to_right" else "r2l"
        return f"{Path(s['clip']).stem} ({s['fps']:.0f} fps, {arrow})"

    def table(header: list[str], body: list[list[str]]) -> str:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])

    def num(e, digits: int) -> str:
        return "n/a" if not len(e) else f"{_mae(e):.{digits}f}"

    out = []
    out.append(table(["clip"] + [SHORT[c] for c in ANGLE_COLUMNS],
                     [[label(s)] + [num(s["mechanics"]["detected_events"].get(c, []), 1) for c in ANGLE_COLUMNS]
                      for s in scored]))
    legs = ("thigh_to_deg", "knee_td_deg", "shin_td_deg", "knee_swing_min_deg", "thigh_front_max_deg",
            "thigh_separation_td_deg")

    def far(s: dict, c: str) -> str:
        m = s["mechanics"]
        return f"({num(m['far_unreported'].get(c, []), 1)})" if c in FAR_SIDE_WITHHELD else num(m["far"].get(c, []), 1)

    out.append(table(["clip"] + [f"{SHORT[c]} near / far" for c in legs],
                     [[label(s)] + [f"{num(s['mechanics']['near'].get(c, []), 1)} / {far(s, c)}" for c in legs]
                      for s in scored]))
    out.append(table(["clip"] + [SHORT[c] for c in OTHER_COLUMNS],
                     [[label(s)] + [num(s["mechanics"]["detected_events"].get(c, []), 3) for c in OTHER_COLUMNS]
                      for s in scored]))
    kino = []
    for s in scored:
        cells = []
        for p in POSITIONS:
            e = s["mechanics"]["kinogram"].get(p, np.zeros(0))
            cells.append(f"{_mae(e):.1f} ({int(np.max(np.abs(e)))})" if len(e) else "n/a")
        kino.append([label(s)] + cells)
    out.append(table(["clip"] + list(POSITIONS), kino))
    return "\n\n".join(out)


def _cell(block: dict | None, key: str, scale: float = 1000.0) -> str:
    if not block or block.get(key) is None:
        return "n/a"
    return f"{block[key] * scale:+.1f}" if key == "mean_s" else f"{block[key] * scale:.1f}"


def print_pooled(rows: list[dict]) -> None:
    """Contact errors pooled over the synthetic clips of each frame-rate band (every matched
    contact counts once), leaving out the clips whose runner the pipeline warns is small."""
    bands = {"120+ fps": (100.0, np.inf), "60 fps": (50.0, 100.0), "30 fps": (0.0, 50.0)}
    scored = [s for s in rows if s.get("events") and s["events"]["synthetic"] and not s["small_runner"]]
    if not scored:
        return
    print()
    print("pooled over the synthetic clips (small runners left out), mean absolute error in frames")
    print(f"{'band':<10}{'clips':>6}{'contacts':>9}{'missed':>7}{'phantom':>8}{'TD':>7}{'TO':>7}{'CT':>7}{'worst CT clip':>22}")
    for name, (lo, hi) in bands.items():
        group = [s for s in scored if lo <= s["fps"] < hi]
        if not group:
            continue
        cols = []
        for kind in ("touchdown", "toe-off", "contact"):
            errs = [np.asarray(s["events"][kind][0] if kind != "contact" else s["events"][kind]) * s["fps"] for s in group]
            e = np.concatenate(errs)
            cols.append(float(np.abs(e[np.isfinite(e)]).mean()))
        worst = max(group, key=lambda s: (s["contact"] or {}).get("mae_frames", 0.0))
        print(f"{name:<10}{len(group):>6}{sum(s['n_true'] - s['n_missed'] for s in group):>9}"
              f"{sum(s['n_missed'] for s in group):>7}{sum(s['n_phantom'] for s in group):>8}"
              + "".join(f"{c:>7.2f}" for c in cols)
              + f"{worst['clip'][:14]:>16} {(worst['contact'] or {}).get('mae_frames', float('nan')):>5.2f}")


def print_confidence(rows: list[dict]) -> None:
    """Event error by confidence band, per event kind, pooled over the synthetic clips at 60 fps
    and above: how far the confidence can be trusted."""
    pooled: dict[str, tuple[list, list]] = {"touchdown": ([], []), "toe-off": ([], [])}
    for s in rows:
        ev = s.get("events")
        if not (ev and ev["synthetic"] and s["fps"] >= 60):
            continue
        for kind, (errs, confs) in pooled.items():
            err, conf = ev[kind]
            ok = np.isfinite(err)
            errs.append(np.abs(err[ok]) * s["fps"])
            confs.append(conf[ok])
    if not pooled["touchdown"][0]:
        return
    print()
    print("event error by confidence (synthetic clips, 60 fps and above), frames")
    print(f"{'event':<11}{'confidence':<12}{'events':>7}{'median':>8}{'90th pct':>10}{'> 2 frames':>12}")
    for kind, (errs, confs) in pooled.items():
        err, conf = np.concatenate(errs), np.concatenate(confs)
        for lo, hi in ((0.0, 0.1), (0.1, 0.4), (0.4, 1.01)):
            band = (conf >= lo) & (conf < hi)
            if band.any():
                print(f"{kind:<11}{f'{lo:.1f}-{min(hi, 1.0):.1f}':<12}{int(band.sum()):>7}{np.median(err[band]):>8.2f}"
                      f"{np.percentile(err[band], 90):>10.2f}{100 * np.mean(err[band] > 2):>11.0f}%")


def print_camera_side(rows: list[dict]) -> None:
    """Touchdown and toe-off error of the camera-side and the far-side foot per synthetic clip:
    mean (bias) / mean absolute, frames."""
    scored = [s for s in rows if s.get("events") and s["events"]["synthetic"]]
    if not scored:
        return
    print()
    print("event error by the foot's side, frames: mean / mean absolute (n)")
    print(f"{'clip':<22}{'fps':>5}{'TD near':>18}{'TD far':>18}{'TO near':>18}{'TO far':>18}")
    for s in scored:
        ev, cells = s["events"], []
        for kind in ("touchdown", "toe-off"):
            err = ev[kind][0] * s["fps"]
            for side in (ev["near"], ~ev["near"]):
                e = err[side & np.isfinite(err)]
                cells.append(f"{e.mean():+.2f} / {np.abs(e).mean():.2f} ({len(e)})" if len(e) else "n/a")
        print(f"{s['clip']:<22}{s['fps']:>5.0f}" + "".join(f"{c:>18}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="contact-event accuracy on clips with truth")
    parser.add_argument("clips", nargs="*", type=Path)
    parser.add_argument("--render", type=Path, help="render the standard synthetic set into this folder")
    parser.add_argument("--markdown", action="store_true", help="also print the mechanics tables as Markdown")
    parser.add_argument("--random", type=int, default=0, metavar="N",
                        help="also render N clips with random gaits and framings (into --render's folder)")
    parser.add_argument("--seed", type=int, default=1401, help="seed of the --random clips (default 1401)")
    parser.add_argument("--shoulder-rotation", type=float, default=None, metavar="DEG",
                        help="render the standard set with this upper-trunk rotation (deg each way; "
                        "default 0: shoulders fixed on the trunk)")
    args = parser.parse_args(argv)
    clips = list(args.clips)
    if args.render:
        extra = {} if args.shoulder_rotation is None else {"shoulder_rotation_deg": args.shoulder_rotation}
        clips += render_set(args.render, **extra)
    if args.random:
        if not args.render:
            parser.error("--random needs --render DIR (where the clips are written)")
        clips += render_random_set(args.render, args.random, args.seed)
    if not clips:
        clips = [ROOT / "sample_videos" / "sprint_fly_120fps.mp4"]
    print(f"{'clip':<26}{'fps':>5}{'true':>5}{'miss':>5}{'phan':>5}"
          f"{'TD mean ms':>11}{'TD MAE ms':>10}{'TD MAE fr':>10}{'TO mean ms':>11}{'TO MAE ms':>10}"
          f"{'CT MAE ms':>10}{'CT LoA95 ms':>16}{'step Hz (truth)':>18}")
    rows = []
    for path in clips:
        s = evaluate(path)
        loa = s["contact"]["loa95_s"] if s["contact"] else (np.nan, np.nan)
        step = s["step_hz"][0] if s["step_hz"][0] is not None else np.nan
        print(f"{s['clip']:<26}{s['fps']:>5.0f}{s['n_true']:>5}{s['n_missed']:>5}{s['n_phantom']:>5}"
              f"{_cell(s['td'], 'mean_s'):>11}{_cell(s['td'], 'mae_s'):>10}{_cell(s['td'], 'mae_frames', 1):>10}"
              f"{_cell(s['to'], 'mean_s'):>11}{_cell(s['to'], 'mae_s'):>10}{_cell(s['contact'], 'mae_s'):>10}"
              f"{loa[0] * 1000:>+8.0f}/{loa[1] * 1000:<+7.0f}"
              f"{step:>9.2f} ({s['step_hz'][1]:.2f})")
        rows.append(s)
    print_pooled(rows)
    print_confidence(rows)
    print_camera_side(rows)
    fly = [s for s in rows if "fly10" in s]
    if fly:
        print()
        print(f"{'clip (cones found automatically)':<34}{'fps':>5}{'cones':>6}{'fly-10 err ms':>14}"
              f"{'mean speed err %':>17}{'peak speed err %':>17}{'step length err cm':>19}")
        for s in fly:
            f = s["fly10"]
            print(f"{s['clip']:<34}{s['fps']:>5.0f}{f['cones_found']:>6}{f['fly10_err_ms']:>+14.1f}"
                  f"{f['speed_err_pct']:>+17.2f}{f['peak_err_pct']:>+17.1f}{f['step_err_cm']:>+19.1f}")
    with_angles = [s for s in rows if "angles_mae_deg" in s]
    if with_angles:
        print()
        print(f"{'angle MAE (deg, pose model included)':<38}" + "".join(f"{a:>13}" for a in ANGLES))
        for s in with_angles:
            print(f"{s['clip']:<38}" + "".join(f"{s['angles_mae_deg'][a]:>13.1f}" for a in ANGLES))
    print_mechanics(rows)
    if args.markdown:
        print()
        print(markdown_mechanics(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
