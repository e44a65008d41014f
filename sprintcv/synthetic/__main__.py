"""Render a synthetic sprint clip: ``python -m sprintcv.synthetic OUT.mp4 [options]``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from .render import DIRECTIONS, make_clip, truth_path_for


def build_parser() -> argparse.ArgumentParser:
    """Command-line options (defaults as :func:`sprintcv.synthetic.render.make_clip`)."""
    ap = argparse.ArgumentParser(
        prog="python -m sprintcv.synthetic",
        description="Render a synthetic side-view sprint clip (H.264 mp4) and its exact truth "
        "(<OUT>.truth.json).",
    )
    ap.add_argument("out", help="output .mp4 path")
    ap.add_argument("--fps", type=float, default=120.0, help="frame rate (default 120)")
    ap.add_argument("--duration", type=float, default=2.0, help="clip length in s (default 2.0)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--direction", choices=DIRECTIONS, default="left_to_right")
    scale = ap.add_mutually_exclusive_group()
    scale.add_argument("--px-per-m", type=float, default=None, help="scale (default: cones span 82%% of the width)")
    scale.add_argument("--runner-height-px", type=float, default=None, help="runner's standing height in pixels")
    ap.add_argument("--ground-y-px", type=float, default=None, help="image row of the ground (default 80%% of height)")
    ap.add_argument("--speed", type=float, default=9.0, help="m/s (default 9.0)")
    ap.add_argument("--step-frequency", type=float, default=4.5, help="steps/s (default 4.5)")
    ap.add_argument("--contact", type=float, default=0.11, help="contact time in s (default 0.11)")
    ap.add_argument("--body-height", type=float, default=1.80, help="m (default 1.80)")
    ap.add_argument("--cones", type=float, nargs="*", default=[1.0, 11.0], help="cone x positions in m (default 1 11)")
    ap.add_argument("--start-x", type=float, default=None, help="hip x at t=0 in m (default: centred path)")
    ap.add_argument("--phase", type=float, default=0.0, help="gait phase at t=0, fraction of a stride")
    ap.add_argument("--shoulder-rotation", type=float, default=0.0,
                    help="upper trunk's axial rotation with the arms, deg each way (default 0: rigid)")
    ap.add_argument("--pan", type=float, default=0.0, help="camera pan in px/s (default 0: static)")
    ap.add_argument("--crf", type=int, default=20, help="x264 CRF (default 20)")
    ap.add_argument("--seed", type=int, default=0, help="background texture seed")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        truth = make_clip(
            args.out,
            fps=args.fps,
            duration_s=args.duration,
            width=args.width,
            height=args.height,
            direction=args.direction,
            px_per_m=args.px_per_m,
            runner_height_px=args.runner_height_px,
            ground_y_px=args.ground_y_px,
            speed_mps=args.speed,
            step_frequency_hz=args.step_frequency,
            contact_s=args.contact,
            body_height_m=args.body_height,
            cones_m=tuple(args.cones),
            start_x_m=args.start_x,
            phase=args.phase,
            camera_pan_px_per_s=args.pan,
            shoulder_rotation_deg=args.shoulder_rotation,
            crf=args.crf,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dt = time.perf_counter() - t0
    print(
        f"wrote {args.out} and {truth_path_for(args.out)}: {truth['n_frames']} frames "
        f"{truth['width']}x{truth['height']} @ {truth['fps']:g} fps, runner "
        f"{truth['runner_height_px']:.0f} px, {len(truth['contacts'])} complete contacts ({dt:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
