"""Command line: a thin layer over :mod:`sprintcv.pipeline`.

Every user-caused problem ends in a one-line ``error: ...`` message and exit code 2 (1 for an
unexpected internal error, or a batch in which some clips failed; 130 when interrupted), never
a traceback.
"""

from __future__ import annotations

import math
import signal
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
    """The per-step table as fixed-width text; feet on the far side of the runner marked "(far)"."""
    head = (f"{'step':>4} {'foot':<10} {'TD s':>7} {'TO s':>7} {'contact ms':>10} {'flight ms':>9} "
            f"{'step Hz':>7} {'step m':>6}")
    rows = [head]
    for i in range(len(steps["step"])):
        foot = str(steps["foot"][i])
        if "camera_side" in steps and str(steps["camera_side"][i]) == "far":
            foot += " (far)"  # limbs partly hidden: angles less accurate (docs/metrics.md)
        rows.append(
            f"{steps['step'][i]:>4} {foot:<10} {_fmt(steps['touchdown_s'][i]):>7} "
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
@click.option("--store", is_flag=True, help="Record the result in the history (needs --athlete).")
@click.option("--date", "date", type=str, default=None,
              help="Date of the session for --store, YYYY-MM-DD (default: the clip's recording date).")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="History database for --store (default: $SPRINTCV_HISTORY_DB or ~/.local/share/sprintcv).")
def analyze(video: Path, out_dir: Path | None, fps: str | None, model: Path | None,
            cutoff_hz: float | None, no_cache: bool, cache_dir: Path | None, gates: str | None,
            gate_distance: float, height_m: float | None, no_cones: bool, cone_color: str,
            athlete: str | None, slow_factor: float | None, no_video: bool, no_report: bool,
            flags_config: Path | None, quiet: bool, store: bool, date: str | None,
            db: Path | None) -> None:
    """Analyse one sprint clip and write summary.json, steps.csv, trajectories and frames."""
    from .calibration import parse_gates
    from .flags import FlagThresholds
    from .io.video import validate_fps
    from .pipeline import LaneOptions
    from .pipeline import analyze as run_analysis
    from .pipeline import write_results

    if slow_factor is not None and not 0 < slow_factor < 1000:
        raise UserError(f"--slow must be a positive factor, not {slow_factor}")
    if store and not athlete:
        raise UserError("--store needs --athlete NAME (the history is kept per athlete)")
    if date is not None:
        from .roster import parse_settings

        try:
            date = parse_settings({"date": date}, "--date").date
        except SprintcvError as exc:
            raise UserError(str(exc)) from None
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
    if store:
        _store_one(result, video, out, athlete or "", date, db)


def _store_one(result: Any, video: Path, out: Path, athlete: str, date: str | None, db: Path | None) -> None:
    """Record one analysis in the history (``analyze --store``)."""
    import json

    from .batch import clip_date
    from .io.results import to_json
    from .pose.cache import file_sha256
    from .store import HistoryStore

    day = date or clip_date(video)[0]
    try:
        with HistoryStore(db) as history:
            name = history.record(athlete=athlete, date=day, clip_sha256=file_sha256(video),
                                  clip_path=str(video.resolve()), results_dir=str(out.resolve()),
                                  summary=json.loads(to_json(result.summary)))
            click.echo(f"history: recorded {name}, {day} in {history.path}")
    except SprintcvError as exc:
        raise UserError(str(exc)) from None


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


# ------------------------------------------------------------------------------ batch


def _team_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The team summary as a fixed-width table."""
    head = (f"{'athlete':<18} {'date':<10} {'rep':>3} {'clip':<24} {'status':<7} {'fly-10':>8} "
            f"{'top speed':>9} {'contact':>8} {'step Hz':>7}")
    lines = [head]
    for r in rows:
        clip = Path(r["clip"]).name if r.get("clip") else ""
        lines.append(
            f"{(r.get('athlete') or '-')[:18]:<18} {(r.get('date') or '-'):<10} "
            f"{(str(r['rep']) if r.get('rep') is not None else '-'):>3} {clip[:24]:<24} {r['status']:<7} "
            f"{_fmt(r.get('fly10_s'), ' s', 3):>8} {_fmt(r.get('speed_peak_mps'), '', 2):>9} "
            f"{_fmt(r.get('contact_s_mean'), ' ms', 0, 1000):>8} {_fmt(r.get('step_frequency_hz'), '', 2):>7}"
        )
    return lines


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _counts_line(counts: dict[str, int], total: int) -> str:
    parts = [f"{counts['done']} done ({counts['analysed']} analysed now, {counts['skipped']} already done)"]
    for key in ("failed", "missing", "pending"):
        if counts[key]:
            parts.append(f"{counts[key]} {'not run' if key == 'pending' else key}")
    return f"{total} clip{'s' if total != 1 else ''}: " + ", ".join(parts)


@main.command()
@click.argument("inputs", nargs=-1, type=str)
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="TOML or CSV file with per-clip / per-athlete settings (see README).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("sprintcv_batch"),
              show_default=True, help="Output folder: one folder per clip plus team_summary.csv/.json.")
@click.option("--workers", type=int, default=None,
              help="Worker processes (default: all cores; about 0.6 GB of memory each).")
@click.option("--scheduler", type=str, default=None,
              help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (clips and --out must be visible to its workers).")
@click.option("--force", is_flag=True, help="Analyse every clip again, even those already done.")
@click.option("--recursive", is_flag=True, help="Also look for clips in sub-folders of the folders given.")
@click.option("--athlete", type=str, default=None, help="Athlete of every clip (the roster overrides it).")
@click.option("--date", "date", type=str, default=None, help="Session date of every clip, YYYY-MM-DD.")
@click.option("--session", type=str, default=None, help="Session label of every clip.")
@click.option("--fps", type=str, default=None, help="Capture frame rate of every clip (slow motion).")
@click.option("--gates", type=str, default=None, help="Marker pixel columns of every clip, e.g. 412,1630.")
@click.option("--gate-distance", type=float, default=None, help="Distance between gates, metres (default 10).")
@click.option("--height", "height_m", type=float, default=None, help="Athlete height, metres (approximate scale).")
@click.option("--no-cones", is_flag=True, help="Do not look for cones automatically.")
@click.option("--cone-color", type=str, default=None, help="Cone colour (default orange).")
@click.option("--model", type=click.Path(path_type=Path), default=None, help="MediaPipe pose-landmarker .task file.")
@click.option("--no-video", is_flag=True, help="No annotated video per clip.")
@click.option("--no-report", is_flag=True, help="No HTML report and plots per clip.")
@click.option("--no-images", is_flag=True, help="No annotated key frames per clip.")
@click.option("--no-cache", is_flag=True, help="Do not reuse or store pose results.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None, help="Pose cache folder.")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="History database (default: $SPRINTCV_HISTORY_DB or ~/.local/share/sprintcv/history.sqlite).")
@click.option("--no-history", is_flag=True, help="Do not record the results in the history.")
@click.option("--quiet", is_flag=True, help="No progress bar and no team table.")
def batch(inputs: tuple[str, ...], roster: Path | None, out_dir: Path, workers: int | None,
          scheduler: str | None, force: bool, recursive: bool, athlete: str | None, date: str | None,
          session: str | None, fps: str | None, gates: str | None, gate_distance: float | None,
          height_m: float | None, no_cones: bool, cone_color: str | None, model: Path | None,
          no_video: bool, no_report: bool, no_images: bool, no_cache: bool, cache_dir: Path | None,
          db: Path | None, no_history: bool, quiet: bool) -> None:
    """Analyse every clip of folders, files or globs, in parallel; resumable.

    Exit code 0 when every clip is done, 1 when some failed or are missing, 2 for bad input,
    130 when interrupted (finished clips are kept; run the same command again to go on).
    """
    from .batch import TEAM_CSV, BatchInterrupted, DaskExecutor, LocalExecutor, Outputs, plan_batch, run_batch
    from .roster import parse_settings

    if not inputs and roster is None:
        raise UserError("give clips (folders, files or globs) and/or --roster FILE")
    if scheduler is not None and workers is not None:
        raise UserError("--workers is for this machine; with --scheduler the cluster's workers run the clips")
    try:
        base = parse_settings({
            "athlete": athlete, "date": date, "session": session, "fps": fps, "gates": gates,
            "gate_distance_m": gate_distance, "height_m": height_m, "cones": False if no_cones else None,
            "cone_color": cone_color,
        }, "command line")
        plan = plan_batch(inputs, out_dir=out_dir, roster=roster, base=base,
                          outputs=Outputs(images=not no_images, video=not no_video, report=not no_report),
                          model=model.resolve() if model else None, use_cache=not no_cache,
                          cache_dir=cache_dir.resolve() if cache_dir else None, recursive=recursive)
        executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
    except SprintcvError as exc:
        raise UserError(str(exc)) from None
    history = None
    if not no_history and any(j.settings.athlete for j in plan.jobs):
        from .store import HistoryStore

        try:
            history = HistoryStore(db)
        except SprintcvError as exc:
            raise UserError(f"{exc}; choose another with --db FILE, or skip it with --no-history") from None
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    for entry in plan.missing:
        click.echo(f"missing: {entry.where}: {entry.pattern} matches no file", err=True)
    if not quiet:
        click.echo(f"{len(plan.jobs)} clip{'s' if len(plan.jobs) != 1 else ''} -> {plan.out_dir} "
                   f"({executor.describe()})", err=True)
    interrupted = False
    # A polite kill (SIGTERM: a job scheduler, a closed session) stops the batch as Ctrl-C
    # does: finished clips kept, summary written.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = run_batch(plan, executor=executor, force=force, history=history, progress=not quiet)
    except BatchInterrupted as exc:
        report, interrupted = exc.report, True
    except SprintcvError as exc:
        raise UserError(str(exc)) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        if history is not None:
            history.close()
    if not quiet:
        click.echo("\n".join(_team_lines(report.rows)))
        click.echo("")
    for row in report.rows:
        if row["status"] == "failed":
            click.echo(f"failed: {row['reason']}", err=True)
    click.echo(_counts_line(report.counts, len(report.rows)))
    click.echo(f"team summary: {report.out_dir / TEAM_CSV}")
    if history is not None:
        click.echo(f"history: {report.history_recorded} result{'s' if report.history_recorded != 1 else ''} "
                   f"recorded in {report.history_db}")
    elif not no_history and not quiet:
        click.echo("history: not recorded (no athlete names: give --athlete or a roster)")
    for note in report.notes:
        if note.startswith("history:"):
            click.echo(f"note: {note}", err=True)
    if interrupted:
        left = report.counts["pending"]
        done = report.counts["done"]
        click.echo(f"interrupted: {done} clip{'s' if done != 1 else ''} done and kept, {left} not analysed; "
                   "run the same command again to analyse only those", err=True)
        sys.exit(130)
    if report.counts["failed"] or report.counts["missing"]:
        sys.exit(1)


# ---------------------------------------------------------------------------- compare


def _g(value: float, signed: bool = False) -> str:
    """Four significant digits, "n/a" for a missing value."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.4g}" if signed else f"{value:.4g}"



@main.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--athlete", type=str, default=None, help="Pick this athlete's clips from a batch folder.")
@click.option("--date", "date", type=str, default=None, help="Pick this date's clips (YYYY-MM-DD).")
@click.option("--session", type=str, default=None, help="Pick this session's clips.")
@click.option("--drop-pct", type=float, default=None,
              help="Speed drop from the best rep so far that marks the session as conditioning (default 3).")
@click.option("--pair", nargs=2, type=str, default=None,
              help="Two reps to set side by side (labels or rep numbers; default: best and last).")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None,
              help="Write a PNG of the trend across reps.")
def compare(results: tuple[Path, ...], athlete: str | None, date: str | None, session: str | None,
            drop_pct: float | None, pair: tuple[str, str] | None, plot_path: Path | None) -> None:
    """Compare the reps of one session: trend, drop from the best rep, conditioning marker,
    and two reps side by side."""
    from . import compare as cmp

    try:
        reps = cmp.load_reps(results, athlete=athlete, date=date, session=session)
        marker = cmp.conditioning_marker(reps, cmp.DEFAULT_DROP_PCT if drop_pct is None else drop_pct)
        if pair is not None:
            ia, ib = cmp.find_rep(reps, pair[0]), cmp.find_rep(reps, pair[1])
        elif len(reps) >= 2:
            ia = cmp.find_rep(reps, "best") if marker.speed_source else 0
            ib = len(reps) - 1 if ia != len(reps) - 1 else 0
        else:
            ia = ib = 0
    except SprintcvError as exc:
        raise UserError(str(exc)) from None
    first = reps[0]
    who = ", ".join(x for x in (first.athlete, first.date, first.session) if x)
    click.echo(f"{who + ': ' if who else ''}{len(reps)} rep{'s' if len(reps) != 1 else ''}")
    table = cmp.rep_trend(reps)
    head = (f"{'rep':<16} {'fly-10':>8} {'speed drop':>10} {'top speed':>9} {'drop':>6} "
            f"{'contact':>8} {'vs best':>7} {'step Hz':>7}")
    lines = [head]
    for i, r in enumerate(reps):
        flag = "  <- conditioning" if marker.index is not None and i == marker.index else ""
        lines.append(
            f"{r.label[:16]:<16} {_fmt(table['fly10_s'][i], ' s', 3):>8} "
            f"{_fmt(table['fly10_s_drop_pct'][i], '%', 1):>10} {_fmt(table['speed_peak_mps'][i], '', 2):>9} "
            f"{_fmt(table['speed_peak_mps_drop_pct'][i], '%', 1):>6} "
            f"{_fmt(table['contact_s_mean'][i], ' ms', 0, 1000):>8} "
            f"{_fmt(table['contact_s_mean_drop_pct'][i], '%', 0):>7} {_fmt(table['step_frequency_hz'][i], '', 2):>7}{flag}"
        )
    click.echo("\n".join(lines))
    click.echo("(drops: percent worse than the best rep; for fly-10 the loss of speed over the 10 m; "
               "contact: percent longer than the shortest)")
    click.echo("")
    click.echo(marker.message)
    if len(reps) >= 2 and ia != ib:
        a, b = reps[ia], reps[ib]
        sbs = cmp.side_by_side(a, b)
        click.echo("")
        click.echo(f"side by side: {a.label} vs {b.label}")
        if cmp.filmed_from_opposite_sides(a, b):
            click.echo("(the two reps ran in opposite directions, so the camera saw opposite legs: "
                       "compare the per-leg rows, e.g. mechanics.knee_td_deg.left, not the run means)")
        click.echo(f"{'metric':<42} {a.label[:12]:>12} {b.label[:12]:>12} {'diff':>10} {'diff %':>7}")
        for k in range(len(sbs["metric"])):
            click.echo(f"{sbs['metric'][k][:42]:<42} {_g(sbs['a'][k]):>12} {_g(sbs['b'][k]):>12} "
                       f"{_g(sbs['diff'][k], signed=True):>10} {_fmt(sbs['diff_pct'][k], '%', 1):>7}")
    if plot_path is not None:
        from .report.plots import save_figure
        from .report.trends import plot_rep_trend

        keys = ("fly10_s", "speed_peak_mps", "contact_s_mean", "step_frequency_hz")
        fig, _ = plot_rep_trend([r.label for r in reps], {k: table[k] for k in keys}, marker_index=marker.index,
                                levels=cmp.threshold_levels(reps, marker.threshold_pct))
        try:
            save_figure(fig, plot_path)
        except OSError as exc:
            raise UserError(f"{plot_path}: cannot write the plot ({exc.strerror or exc})") from None
        click.echo(f"plot: {plot_path}")


# ---------------------------------------------------------------------------- history


@main.command()
@click.argument("athlete", required=False, type=str)
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="History database (default: $SPRINTCV_HISTORY_DB or ~/.local/share/sprintcv/history.sqlite).")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None,
              help="Write a PNG of fly-10, top speed and contact time over the weeks.")
def history(athlete: str | None, db: Path | None, plot_path: Path | None) -> None:
    """An athlete's fly-10, top speed and contact time over the weeks, with the trend
    (without ATHLETE: who is in the history)."""
    from .store import HistoryStore, default_db_path, per_date, weekly_trend, weeks_since

    path = db if db is not None else default_db_path()
    if not path.exists():
        raise UserError(f"{path}: no history yet (sprintcv batch records results of named athletes)")
    try:
        with HistoryStore(path) as store:
            if athlete is None:
                people = store.athletes()
                if not people:
                    click.echo(f"{path}: the history is empty")
                    return
                click.echo(f"{'athlete':<24} {'clips':>5} {'dates':>5}  first       last")
                for p in people:
                    click.echo(f"{p['name'][:24]:<24} {p['n_clips']:>5} {p['n_dates']:>5}  {p['first_date']}  {p['last_date']}")
                return
            rows = store.results(athlete)
    except SprintcvError as exc:
        raise UserError(str(exc)) from None
    days = per_date(rows)
    weeks = weeks_since(list(days["date"]))
    name = rows[0]["athlete"]
    click.echo(f"{name}: {len(rows)} clip{'s' if len(rows) != 1 else ''} on {len(days['date'])} "
               f"date{'s' if len(days['date']) != 1 else ''}, {days['date'][0]} to {days['date'][-1]}")
    click.echo(f"{'date':<10} {'clips':>5} {'best fly-10':>11} {'top speed':>10} {'contact':>8}")
    for i, day in enumerate(days["date"]):
        click.echo(f"{day:<10} {days['n_clips'][i]:>5} {_fmt(days['fly10_s'][i], ' s', 3):>11} "
                   f"{_fmt(days['speed_peak_mps'][i], ' m/s', 2):>10} {_fmt(days['contact_s_mean'][i], ' ms', 0, 1000):>8}")
    click.echo("")
    click.echo("trend (least squares over the dates):")
    spec = {"fly10_s": ("fly-10", " s", 1.0, 3), "speed_peak_mps": ("top speed", " m/s", 1.0, 2),
            "contact_s_mean": ("contact", " ms", 1000.0, 1)}
    trends = {}
    for key, (label, unit, scale, digits) in spec.items():
        trends[key] = weekly_trend(weeks, days[key], metric=key, unit=unit, scale=scale, digits=digits)
        click.echo(f"  {label:<10} {trends[key].verdict}")
    if plot_path is not None:
        from .report.plots import save_figure
        from .report.trends import plot_history

        fig, axes = plot_history(list(days["date"]), {k: days[k] for k in spec}, trends=trends)
        axes[0].set_title(name)
        try:
            save_figure(fig, plot_path)
        except OSError as exc:
            raise UserError(f"{plot_path}: cannot write the plot ({exc.strerror or exc})") from None
        click.echo(f"plot: {plot_path}")


if __name__ == "__main__":  # pragma: no cover
    main()
