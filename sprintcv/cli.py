"""Command line: a thin layer over :mod:`sprintcv.pipeline`.

Every user-caused problem ends in a one-line ``error: ...`` message and exit code 2 (1 for an
unexpected internal error, 130 when interrupted), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import SprintcvError
from .report.text import fmt as _fmt


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """Readable summary table of a ``summary.json`` dict."""
    v = summary["video"]
    res_ms = summary["resolution_s"] * 1000
    lines = [
        f"video        {Path(v['path']).name}: {v['width']}x{v['height']}, {v['frames']} frames, "
        f"capture {v['capture_fps']:.1f} fps{' (VFR)' if v['vfr'] else ''}, timing resolution {res_ms:.1f} ms",
        f"direction    {summary['direction'].replace('_', ' ')}",
        f"contacts     {summary['n_steps']} found, {summary['n_complete_contacts']} complete",
    ]
    if summary.get("contacts_reliable", True):
        lines += [
            f"contact      {_fmt(summary['contact_s_mean'], ' ms', 0, 1000)} mean "
            f"(sd {_fmt(summary['contact_s_sd'], ' ms', 0, 1000)}, +/-{res_ms:.0f} ms per event)",
            f"flight       {_fmt(summary['flight_s_mean'], ' ms', 0, 1000)} mean",
        ]
    else:
        lines.append("contact      not summarised: the contacts found do not form a consistent sequence (see warnings)")
    source = {"events": "from contacts", "pelvis_oscillation": "from the pelvis bounce",
              "strides": "from same-foot strides"}.get(summary.get("step_frequency_source", ""), "")
    lines += [
        f"step freq.   {_fmt(summary['step_frequency_hz'], ' Hz', 2)} ({_fmt(summary['cadence_spm'], ' steps/min', 0)}) {source}",
        f"asymmetry    contact {_fmt(summary['asymmetry_pct']['contact_s'], ' %', 1)} (left vs right)",
        f"knee lift    {_fmt(summary['kinematics']['thigh_front_max_deg_mean'], ' deg', 0)} max thigh angle in front",
        f"trunk lean   {_fmt(summary['kinematics']['trunk_lean_deg_mean'], ' deg', 0)} forward",
        f"elbow        {_fmt(summary['kinematics']['elbow_deg_mean'], ' deg', 0)} mean",
    ]
    lines += mechanics_lines(summary)
    if summary.get("calibration"):
        approx = " (approximate)" if summary["calibration"].get("approximate") else ""
        for split in summary.get("splits", []):
            lines.append(
                f"split        {split['from_m']:g}-{split['to_m']:g} m: {_fmt(split['time_s'], ' s', 3)} "
                f"({_fmt(split['speed_mps'], ' m/s', 2)}), +/-{res_ms:.0f} ms per gate"
            )
        if summary.get("fly10_s") is not None:
            lines.append(f"fly-10       {_fmt(summary['fly10_s'], ' s', 3)}")
        lines.append(f"speed        peak {_fmt(summary['speed_peak_mps'], ' m/s', 2)}, "
                     f"mean {_fmt(summary['speed_mean_mps'], ' m/s', 2)}{approx}")
        lines.append(f"step length  {_fmt(summary['step_length_m_mean'], ' m', 2)} mean{approx}")
    lines += [f"warning      {w}" for w in summary["warnings"]]
    lines += [f"flag         {f['text']}; frames {', '.join(str(x) for x in f['frames']) or 'n/a'}"
              for f in summary.get("flags", [])]
    if summary.get("flags"):
        lines.append(f"             ({summary.get('flags_note', '')})")
    return lines


def mechanics_lines(summary: dict[str, Any]) -> list[str]:
    """Per-leg mechanics and arm lines (left / right means) of a ``summary.json`` dict."""
    mech = summary.get("mechanics")
    if not mech:
        return []

    def pair(key: str, unit: str, digits: int, scale: float = 1.0) -> str:
        m = mech.get(key, {})
        return f"left {_fmt(m.get('left'), unit, digits, scale)}, right {_fmt(m.get('right'), unit, digits, scale)}"

    lines = [
        f"touchdown    foot ahead of hips {pair('touchdown_distance_leg', ' leg', 2)} (by landing foot)",
        f"at TD        shin {pair('shin_td_deg', ' deg', 0)}; thigh separation {pair('thigh_separation_td_deg', ' deg', 0)}",
        f"toe-off      thigh {pair('thigh_to_deg', ' deg', 0)} (negative = behind)",
        f"front side   ankle in front of the body line {pair('front_side_share', ' %', 0, 100.0)} of the leg cycle",
    ]
    arms = summary.get("arms") or {}
    if arms:
        lines.append("arms         " + "; ".join(
            f"{side} elbow {_fmt(arms[side]['elbow_front_deg'], '', 0)} front / {_fmt(arms[side]['elbow_back_deg'], '', 0)}"
            f" back deg, swing {_fmt(arms[side]['shoulder_range_deg'], ' deg', 0)}" for side in ("left", "right")))
    kino = summary.get("kinogram") or {}
    for side in ("left", "right"):
        if kino.get(side):
            frames = ", ".join(f"{k.replace('_', ' ')} {v['frame']}" for k, v in kino[side]["positions"].items())
            lines.append(f"kinogram     {side} landing: frames {frames}")
    return lines


def steps_lines(steps: dict[str, Any]) -> list[str]:
    """The per-step table as fixed-width text."""
    head = (f"{'step':>4} {'foot':<5} {'TD s':>7} {'TO s':>7} {'contact ms':>10} {'flight ms':>9} "
            f"{'step Hz':>7} {'step m':>6}")
    rows = [head]
    for i in range(len(steps["step"])):
        rows.append(
            f"{steps['step'][i]:>4} {steps['foot'][i]:<5} {_fmt(steps['touchdown_s'][i]):>7} "
            f"{_fmt(steps['toeoff_s'][i]):>7} {_fmt(steps['contact_s'][i], '', 0, 1000):>10} "
            f"{_fmt(steps['flight_s'][i], '', 0, 1000):>9} {_fmt(steps['step_frequency_hz'][i], '', 2):>7} "
            f"{_fmt(steps['step_length_m'][i], '', 2) if 'step_length_m' in steps else 'n/a':>6}"
        )
    return rows


class UserError(click.ClickException):
    """A problem with the input: one line on stderr, exit code 2."""

    exit_code = 2


class _Progress:
    """tqdm bar fed by the pipeline's ``progress(done, expected)`` callback."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, expected: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=expected or None, desc="pose", unit="frame", file=sys.stderr, leave=False)
        if expected and done > self.bar.total:
            self.bar.total = done
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.group()
@click.version_option(__version__, prog_name="sprintcv")
def main() -> None:
    """sprintcv: sprint mechanics from side-view video."""


@main.command()
@click.argument("video", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: ./sprintcv_out/<video name>).")
@click.option("--fps", type=str, default=None,
              help="Capture frame rate for slow-motion clips exported at a lower rate (e.g. 240).")
@click.option("--model", type=click.Path(path_type=Path), default=None,
              help="MediaPipe pose-landmarker .task file (default: the full model shipped with mediapipe).")
@click.option("--cutoff-hz", type=float, default=None, help="Low-pass cut-off for the trajectories, Hz.")
@click.option("--no-cache", is_flag=True, help="Do not reuse or store pose results.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None, help="Pose cache folder.")
@click.option("--gates", type=str, default=None,
              help="Marker pixel columns in the order the runner meets them, e.g. 412,1630.")
@click.option("--gate-distance", type=float, default=10.0, show_default=True,
              help="Distance between consecutive gates, metres.")
@click.option("--height", "height_m", type=float, default=None,
              help="Athlete height in metres: an approximate scale when there are no markers.")
@click.option("--no-cones", is_flag=True, help="Do not look for cones automatically.")
@click.option("--cone-color", type=str, default="orange", show_default=True,
              help="Colour of the cones (orange, red, yellow, blue, green, pink).")
@click.option("--athlete", type=str, default=None, help="Athlete name for the report title.")
@click.option("--slow", "slow_factor", type=float, default=None,
              help="Slow-motion factor of the annotated video (default: 30 fps playback).")
@click.option("--no-video", is_flag=True, help="Do not write the annotated video.")
@click.option("--no-report", is_flag=True, help="Do not write the HTML report and plots.")
@click.option("--flags-config", type=click.Path(path_type=Path), default=None,
              help="TOML or JSON file of flag thresholds (names as in sprintcv.flags.FlagThresholds).")
@click.option("--quiet", is_flag=True, help="No progress bar and no tables.")
def analyze(video: Path, out_dir: Path | None, fps: str | None, model: Path | None,
            cutoff_hz: float | None, no_cache: bool, cache_dir: Path | None, gates: str | None,
            gate_distance: float, height_m: float | None, no_cones: bool, cone_color: str,
            athlete: str | None, slow_factor: float | None, no_video: bool, no_report: bool,
            flags_config: Path | None, quiet: bool) -> None:
    """Analyse one sprint clip and write summary.json, steps.csv, trajectories and frames."""
    from .calibration import parse_gates
    from .flags import FlagThresholds
    from .io.video import validate_fps
    from .pipeline import LaneOptions
    from .pipeline import analyze as run_analysis
    from .pipeline import write_results

    if slow_factor is not None and not 0 < slow_factor < 1000:
        raise UserError(f"--slow must be a positive factor, not {slow_factor}")
    progress = _Progress(enabled=not quiet)
    try:
        capture_fps = validate_fps(fps) if fps is not None else None
        lane = LaneOptions(
            gates_px=tuple(parse_gates(gates)) if gates is not None else None,
            gate_distance_m=gate_distance, height_m=height_m, find_cones=not no_cones,
            cone_color=cone_color,
        )
        thresholds = FlagThresholds.from_file(flags_config) if flags_config is not None else None
        out = out_dir if out_dir is not None else Path("sprintcv_out") / video.stem
        result = run_analysis(video, fps=capture_fps, model=model, cutoff_hz=cutoff_hz,
                              use_cache=not no_cache, cache_dir=cache_dir, progress=progress, lane=lane,
                              flags=thresholds)
        progress.close()
        written = write_results(result, out, video=not no_video, report=not no_report,
                                athlete=athlete, slow_factor=slow_factor)
    except SprintcvError as exc:
        progress.close()
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        progress.close()
        click.echo("interrupted: nothing was written", err=True)
        sys.exit(130)
    if not quiet:
        click.echo("\n".join(summary_lines(result.summary)))
        click.echo("")
        click.echo("\n".join(steps_lines(result.steps)))
        click.echo("")
    click.echo(f"wrote {len(written)} files to {out}")
    if (out / "report.html").exists():
        click.echo(f"report: {out / 'report.html'}")


@main.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--athlete", type=str, default=None, help="Athlete name for the report title.")
def report(results: Path, athlete: str | None) -> None:
    """Rebuild the HTML report and plots of a results folder (no pose estimation)."""
    from .report.html import build_report

    try:
        path = build_report(results, athlete=athlete)
    except SprintcvError as exc:
        raise UserError(str(exc)) from None
    click.echo(f"report: {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
