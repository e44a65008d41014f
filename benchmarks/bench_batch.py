"""Benchmark: batch throughput with 1 and 2 (or more) worker processes on the same clips.

Run from the repo root::

    python benchmarks/bench_batch.py [--clips DIR] [--copies K] [--workers 1,2] [--repeat N] [--full]

Clips: the bundled sample plus three synthetic reps rendered once into a temporary folder
(8.0, 8.5 and 9.5 m/s, 1.8 s at 120 fps, like the sample), or the video files of ``--clips``;
``--copies K`` analyses each K times (as separate clips) so that the fixed cost of starting
the workers weighs less.
Each run is a fresh ``run_batch`` into a new output folder with the pose cache disabled, so
every clip runs the pose model; wall time includes starting the worker processes. Default
outputs are the analysis files only (no annotated video, report or key frames), which is
what scales with cores; ``--full`` writes everything ``sprintcv batch`` writes by default.

Prints clips per minute per worker count and the speed-up relative to one worker. On a
machine whose cores are shared with other jobs, repeat (``--repeat``) and take the best.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "sprint_fly_120fps.mp4"


def make_clips(folder: Path) -> list[Path]:
    """The sample and three synthetic reps at other speeds."""
    from sprintcv.synthetic.render import make_clip

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE, folder / "rep1.mp4")
    for i, speed in enumerate((8.0, 8.5, 9.5), start=2):
        make_clip(folder / f"rep{i}.mp4", fps=120.0, duration_s=1.8, speed_mps=speed, phase=0.25)
    return sorted(folder.glob("*.mp4"))


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(clips: list[Path], workers: int, out: Path, full: bool) -> tuple[float, float, dict]:
    """Wall seconds, CPU seconds of the worker processes, and the batch's counts."""
    from sprintcv.batch import LocalExecutor, Outputs, plan_batch, run_batch

    outputs = Outputs() if full else Outputs(images=False, video=False, report=False)
    plan = plan_batch(clips, out_dir=out, outputs=outputs, use_cache=False)
    cpu0, t0 = _children_cpu_s(), time.perf_counter()
    report = run_batch(plan, executor=LocalExecutor(workers))
    # Pool workers are reaped when the pool shuts down, so their CPU time is counted here.
    return time.perf_counter() - t0, _children_cpu_s() - cpu0, report.counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=Path, default=None, help="folder of clips (default: sample + 3 synthetic)")
    ap.add_argument("--workers", type=str, default="1,2", help="worker counts to compare, e.g. 1,2")
    ap.add_argument("--repeat", type=int, default=1, help="runs per worker count (the best is kept)")
    ap.add_argument("--copies", type=int, default=1, help="analyse each clip this many times (separate files)")
    ap.add_argument("--full", action="store_true", help="write video, report and key frames too")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="sprintcv-bench-batch-") as tmp:
        tmp_path = Path(tmp)
        clips = sorted(p for p in args.clips.iterdir() if p.suffix.lower() in (".mp4", ".mov")) if args.clips \
            else make_clips(tmp_path / "clips")
        if args.copies > 1:
            (tmp_path / "copies").mkdir()
            originals, clips = clips, []
            for k in range(args.copies):
                for c in originals:
                    clips.append(tmp_path / "copies" / f"{c.stem}_{k + 1}{c.suffix}")
                    shutil.copyfile(c, clips[-1])
        print(f"{len(clips)} clips, pose cache off, outputs: {'full' if args.full else 'analysis files'}, "
              f"{os.cpu_count()} cores")
        best: dict[int, tuple[float, float]] = {}
        for n in counts:
            for r in range(args.repeat):
                seconds, cpu, done = run_once(clips, n, tmp_path / f"out_{n}_{r}", args.full)
                if done["done"] != len(clips):
                    print(f"  {n} workers: {done}", file=sys.stderr)
                if seconds < best.get(n, (float("inf"), 0.0))[0]:
                    best[n] = (seconds, cpu)
                print(f"  {n} worker{'s' if n > 1 else ' '} run {r + 1}: {seconds:6.1f} s wall, {cpu:6.1f} s CPU")
        base = best[counts[0]][0]
        # cores busy = worker CPU seconds / wall seconds: below the worker count when the
        # machine's cores are shared with other work (or a worker waits for I/O).
        print(f"{'workers':>7} {'seconds':>8} {'clips/min':>9} {'speed-up':>8} {'cores busy':>10}")
        for n in counts:
            seconds, cpu = best[n]
            print(f"{n:>7} {seconds:>8.1f} {60 * len(clips) / seconds:>9.2f} {base / seconds:>7.2f}x {cpu / seconds:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
