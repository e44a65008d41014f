"""Batches of clips: planning, bad input, failing clips, resumption, interruption, worker
crashes, the Dask path on a local cluster, and the command line.

The end-to-end tests (``slow``) run the real pose model through ``run_batch`` on a coach's
folder (``team_clips`` in conftest.py: the sample, a synthetic 8 m/s rep, a short clip with no
fly-10, three bad files and a roster row naming a missing clip).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sprintcv.batch import (
    MANIFEST_NAME,
    TEAM_CSV,
    WORK_DIR,
    BatchInterrupted,
    DaskExecutor,
    Job,
    JobResult,
    LocalExecutor,
    Outputs,
    SerialExecutor,
    _locked,
    _recover,
    completed_manifest,
    job_key,
    output_names,
    plan_batch,
    read_team_summary,
    run_batch,
)
from sprintcv.cli import main
from sprintcv.errors import BatchError, RosterError
from sprintcv.pose.cache import file_sha256
from sprintcv.roster import ClipSettings
from sprintcv.store import HistoryStore

LIGHT = Outputs(images=False, video=False, report=False)
LIGHT_FLAGS = ["--no-video", "--no-report", "--no-images"]


def fake_clips(folder: Path, names=("a.mp4", "b.mp4", "c.mp4")) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        (folder / name).write_bytes(f"fake clip {i}".encode())
        paths.append(folder / name)
    return paths


# ----------------------------------------------------------------------------- planning


def test_empty_folder_is_one_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchError, match=r"empty: no video clips found \(looked for .*\.mp4"):
        plan_batch([tmp_path / "empty"], out_dir=tmp_path / "out")
    (tmp_path / "empty" / "notes.txt").write_text("x")
    with pytest.raises(BatchError, match="1 file without a video ending not analysed: notes.txt"):
        plan_batch([tmp_path / "empty"], out_dir=tmp_path / "out")
    res = CliRunner().invoke(main, ["batch", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "no video clips found" in res.output and "Traceback" not in res.output


def test_roster_naming_only_missing_clips_is_an_error(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("clip,athlete\nnope.mp4,Anna\n")
    with pytest.raises(BatchError, match=r"none of the clips the roster names exists \(nope.mp4\)"):
        plan_batch([], out_dir=tmp_path / "out", roster=roster)


def test_plan_names_dates_and_settings(tmp_path):
    a, b, _ = fake_clips(tmp_path / "clips")
    os.utime(a, (1_700_000_000, 1_700_000_000))
    roster = tmp_path / "clips" / "r.toml"
    roster.write_text('[[clips]]\nclip = "a.mp4"\nathlete = "Anna"\ndate = 2025-03-03\nrep = 2\n')
    plan = plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out", roster=roster,
                      base=ClipSettings(gate_distance_m=20.0))
    jobs = {j.clip.name: j for j in plan.jobs}
    assert set(jobs) == {"a.mp4", "b.mp4", "c.mp4"}
    assert jobs["a.mp4"].settings == ClipSettings(athlete="Anna", date="2025-03-03", rep=2, gate_distance_m=20.0)
    assert jobs["a.mp4"].date_source == "roster" and jobs["a.mp4"].roster_row == "r.toml [[clips]] entry 1"
    # No roster date and no container tag: the file's modification time, and it says so.
    assert jobs["b.mp4"].date_source == "file" and jobs["b.mp4"].settings.date is not None
    assert jobs["a.mp4"].out_dir == (tmp_path / "out" / "a").resolve()
    assert any("2 clips without a roster row" in n for n in plan.notes)
    assert any("r.toml" in n for n in plan.notes)  # the roster itself is not a clip


def test_command_line_athlete_and_roster_must_agree_on_spelling(tmp_path):
    fake_clips(tmp_path / "clips")
    roster = tmp_path / "clips" / "r.csv"
    roster.write_text("clip,athlete\na.mp4,Anna Smith\n")
    with pytest.raises(RosterError, match="'anna smith' .* and 'Anna Smith' .* differ only in case"):
        plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out", roster=roster, base=ClipSettings(athlete="anna smith"))


def test_output_names_keep_subfolders_and_never_collide(tmp_path):
    clips = [tmp_path / "anna" / "rep1.mp4", tmp_path / "ben" / "rep1.mp4", tmp_path / "anna" / "rep1.mov",
             tmp_path / "anna" / "rep2.MP4", tmp_path / "anna" / "REP2.mp4"]
    names = output_names(clips)
    assert names[clips[0]] == "anna/rep1_mp4" and names[clips[2]] == "anna/rep1_mov"
    assert names[clips[1]] == "ben/rep1"
    assert len({n.casefold() for n in names.values()}) == len(clips)


def test_job_key_depends_on_content_settings_outputs_not_on_metadata(tmp_path):
    (clip,) = fake_clips(tmp_path, ["a.mp4"])
    job = Job(clip=clip, name="a", out_root=tmp_path, settings=ClipSettings(athlete="A", date="2025-01-01"),
              date_source="roster")
    same = Job(clip=clip, name="a", out_root=tmp_path, settings=ClipSettings(athlete="A", date="2025-02-02", rep=3),
               date_source="file")
    other = Job(clip=clip, name="a", out_root=tmp_path, settings=ClipSettings(athlete="A", fps=240.0),
                date_source="roster")
    lighter = Job(clip=clip, name="a", out_root=tmp_path, settings=ClipSettings(athlete="A"), date_source="roster",
                  outputs=LIGHT)
    assert job_key(job, "x") == job_key(same, "x") != job_key(job, "y")
    assert job_key(other, "x") != job_key(job, "x") != job_key(lighter, "x")


# ------------------------------------------------------------------- orchestration (fast)


class InterruptAfter:
    """An executor that delivers ``n`` failed results, then is interrupted (Ctrl-C)."""

    def __init__(self, n):
        self.n = n

    def describe(self):
        return "test"

    def run(self, jobs, fn, on_result):
        for job in jobs[: self.n]:
            on_result(JobResult(clip=job.clip, name=job.name, status="failed", reason=f"{job.clip.name}: broken"))
        raise KeyboardInterrupt


def test_interrupt_writes_the_summary_of_what_finished(tmp_path):
    fake_clips(tmp_path / "clips")
    plan = plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out", outputs=LIGHT)
    with pytest.raises(BatchInterrupted) as info:
        run_batch(plan, executor=InterruptAfter(1))
    report = info.value.report
    assert isinstance(info.value, KeyboardInterrupt)
    assert report.interrupted and report.counts["failed"] == 1 and report.counts["pending"] == 2
    team = read_team_summary(tmp_path / "out")
    assert team["interrupted"] is True and team["complete"] is False
    assert sorted(r["status"] for r in team["clips"]) == ["failed", "pending", "pending"]
    with open(tmp_path / "out" / TEAM_CSV, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["clip"] for r in rows] == ["a.mp4", "b.mp4", "c.mp4"] and rows[0]["reason"] == "a.mp4: broken"
    assert not (tmp_path / "out" / WORK_DIR).exists()
    assert not list((tmp_path / "out").glob("*.part"))
    # The lock was released: the next batch can start.
    with pytest.raises(BatchInterrupted):
        run_batch(plan, executor=InterruptAfter(0))


class InterruptBeforeResult:
    """An executor whose first job publishes its folder, then Ctrl-C comes before its result
    reaches the batch (the window between a worker's publish and ``on_result``)."""

    def describe(self):
        return "test"

    def run(self, jobs, fn, on_result):
        fn(jobs[0])
        raise KeyboardInterrupt


def _publish_fake(job):
    import datetime as dt

    job.out_dir.mkdir(parents=True)
    (job.out_dir / "summary.json").write_text("{}")
    manifest = {"key": job_key(job, file_sha256(job.clip)), "files": ["summary.json", MANIFEST_NAME],
                "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "analysis_s": 1.5}
    (job.out_dir / MANIFEST_NAME).write_text(json.dumps(manifest))
    return JobResult(clip=job.clip, name=job.name, status="done")


def test_interrupt_after_a_clip_was_published_counts_it_done(tmp_path):
    fake_clips(tmp_path / "clips")
    plan = plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out", outputs=LIGHT)
    with pytest.raises(BatchInterrupted) as info:
        run_batch(plan, executor=InterruptBeforeResult(), job_fn=_publish_fake)
    assert info.value.report.counts["done"] == 1 and info.value.report.counts["pending"] == 2
    team = read_team_summary(tmp_path / "out")
    assert sorted(r["status"] for r in team["clips"]) == ["done", "pending", "pending"]
    # results of an earlier batch (finished before this one started) are not taken for this one's
    old = json.loads((plan.jobs[0].out_dir / MANIFEST_NAME).read_text())
    old["finished_at"] = "2001-01-01T00:00:00+00:00"
    (plan.jobs[0].out_dir / MANIFEST_NAME).write_text(json.dumps(old))
    with pytest.raises(BatchInterrupted) as again:
        run_batch(plan, executor=InterruptAfter(0), force=True)
    assert again.value.report.counts["done"] == 0


def test_interrupt_while_checking_what_is_done(tmp_path, monkeypatch):
    import sprintcv.batch as batch_module

    fake_clips(tmp_path / "clips")
    plan = plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out")
    calls = []

    def interrupted_scan(job, key):
        calls.append(job)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return None

    monkeypatch.setattr(batch_module, "completed_manifest", interrupted_scan)
    with pytest.raises(BatchInterrupted) as info:
        run_batch(plan, executor=InterruptAfter(0))
    assert info.value.report.counts["pending"] == 3
    assert [r["status"] for r in read_team_summary(tmp_path / "out")["clips"]] == ["pending"] * 3


def test_one_batch_at_a_time_per_output_folder(tmp_path):
    fake_clips(tmp_path / "clips")
    plan = plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out")
    with _locked(tmp_path / "out"):
        with pytest.raises(BatchError, match="another sprintcv batch is writing here"):
            run_batch(plan, executor=SerialExecutor())


def test_recovery_puts_back_a_folder_moved_aside_before_a_crash(tmp_path):
    out = tmp_path / "out"
    old = out / WORK_DIR / "old.123"
    old.mkdir(parents=True)
    (old / MANIFEST_NAME).write_text(json.dumps({"results_dir": "anna/rep1"}))
    half = out / WORK_DIR / "new.456"
    half.mkdir()
    (half / "summary.json").write_text("{")
    _recover(out)
    assert (out / "anna" / "rep1" / MANIFEST_NAME).is_file()
    assert not (out / WORK_DIR).exists()


def test_bad_clips_fail_alone_in_process(tmp_path):
    """run_job itself: bad input becomes a failed result with the one-line reason."""
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "junk.mp4").write_text("not a video")
    (folder / "empty.mp4").write_bytes(b"")
    plan = plan_batch([folder], out_dir=tmp_path / "out", outputs=LIGHT)
    report = run_batch(plan, executor=SerialExecutor())
    reasons = {Path(r["clip"]).name: r["reason"] for r in report.rows}
    assert report.counts == {"done": 0, "failed": 2, "missing": 0, "pending": 0, "analysed": 0, "skipped": 0}
    assert reasons["junk.mp4"].endswith("junk.mp4: is not a video file (ffmpeg cannot read its format)")
    assert reasons["empty.mp4"].endswith("empty.mp4: is empty (0 bytes), not a video")
    assert not (tmp_path / "out" / "junk").exists()


CRASHY = textwrap.dedent("""
    import os, signal
    from sprintcv.batch import JobResult

    def job(job):
        if "crash" in job.clip.name:
            os.kill(os.getpid(), signal.SIGKILL)   # like a native crash or the OOM killer
        return JobResult(clip=job.clip, name=job.name, status="failed", reason="ran " + job.clip.name,
                         worker=str(os.getpid()))
""")


def test_a_clip_that_kills_its_worker_fails_alone(tmp_path, monkeypatch):
    (tmp_path / "crashy_jobs.py").write_text(CRASHY)
    monkeypatch.syspath_prepend(str(tmp_path))
    import crashy_jobs

    clips = fake_clips(tmp_path / "clips", ["a.mp4", "crash.mp4", "b.mp4", "c.mp4", "d.mp4"])
    jobs = [Job(clip=c, name=c.stem, out_root=tmp_path / "out", settings=ClipSettings(), date_source="file")
            for c in clips]
    results = []
    LocalExecutor(2).run(jobs, crashy_jobs.job, results.append)
    by_name = {r.clip.name: r for r in results}
    assert sorted(by_name) == sorted(c.name for c in clips) and len(results) == len(clips)  # each once
    assert "the analysis process died on this clip" in by_name["crash.mp4"].reason
    assert all(by_name[n].reason == f"ran {n}" for n in ("a.mp4", "b.mp4", "c.mp4", "d.mp4"))
    assert all(r.worker != str(os.getpid()) for n, r in by_name.items() if n != "crash.mp4")


def test_unreachable_scheduler_is_one_clear_error(tmp_path):
    pytest.importorskip("distributed")
    fake_clips(tmp_path / "clips", ["a.mp4"])
    plan = plan_batch([tmp_path / "clips"], out_dir=tmp_path / "out")
    with pytest.raises(BatchError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_batch(plan, executor=DaskExecutor("tcp://127.0.0.1:9", timeout_s=1.0))


def test_sigterm_stops_the_command_like_ctrl_c(tmp_path, monkeypatch):
    fake_clips(tmp_path / "clips", ["a.mp4", "b.mp4"])

    def killed(self, jobs, fn, on_result):
        on_result(JobResult(clip=jobs[0].clip, name=jobs[0].name, status="failed", reason="a.mp4: broken"))
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this
        pytest.fail("SIGTERM did not interrupt the batch")

    monkeypatch.setattr(LocalExecutor, "run", killed)
    before = signal.getsignal(signal.SIGTERM)
    res = CliRunner().invoke(main, ["batch", str(tmp_path / "clips"), "--out", str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 130, res.output
    assert "interrupted: 0 clips done and kept, 1 not analysed; run the same command again" in res.output
    assert read_team_summary(tmp_path / "out")["interrupted"] is True
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is the command's only


def test_command_line_input_errors(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["batch"])
    assert res.exit_code == 2 and "give clips" in res.output
    fake_clips(tmp_path / "clips", ["a.mp4"])
    res = runner.invoke(main, ["batch", str(tmp_path / "clips"), "--workers", "0", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--workers must be 1 or more" in res.output
    res = runner.invoke(main, ["batch", str(tmp_path / "clips"), "--height", "7", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "command line: height_m" in res.output
    (tmp_path / "r.toml").write_text('[[clips]]\nclip = "a.mp4"\nspeed = 9\n')
    res = runner.invoke(main, ["batch", "--roster", str(tmp_path / "r.toml"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "unknown key 'speed'" in res.output
    res = runner.invoke(main, ["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "no such file or folder" in res.output
    (tmp_path / "bad.sqlite").write_bytes(b"not a database" * 100)
    res = runner.invoke(main, ["batch", str(tmp_path / "clips"), "--athlete", "Anna", "--db",
                               str(tmp_path / "bad.sqlite"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "not a sprintcv history database" in res.output and "--no-history" in res.output
    assert not (tmp_path / "o").exists()  # nothing started
    assert "Traceback" not in res.output


# --------------------------------------------------------------------- end to end (slow)


def rows_by_clip(report_or_rows):
    rows = report_or_rows.rows if hasattr(report_or_rows, "rows") else report_or_rows
    return {Path(r["clip"]).name: r for r in rows}


@pytest.mark.slow
def test_team_batch_with_failing_clips(team_batch):
    report, out = team_batch["report"], team_batch["out"]
    rows = rows_by_clip(report)
    assert {n: r["status"] for n, r in rows.items()} == {
        "anna_rep1.mp4": "done", "anna_rep2.mp4": "done", "ben_rep1.mp4": "done", "anna_rep3.mp4": "missing",
        "junk.mp4": "failed", "empty.mp4": "failed", "truncated.mp4": "failed",
    }
    assert report.counts == {"done": 3, "failed": 3, "missing": 1, "pending": 0, "analysed": 3, "skipped": 0}
    assert "is not a video file" in rows["junk.mp4"]["reason"]
    assert "is empty (0 bytes)" in rows["empty.mp4"]["reason"]
    assert "truncated or corrupt" in rows["truncated.mp4"]["reason"]
    assert "roster.toml [[clips]] entry 3: anna_rep3.mp4 matches no file" == rows["anna_rep3.mp4"]["reason"]
    # Results are the pipeline's: fly-10 against the synthetic truth (README accuracy: within 2 ms).
    for name in ("anna_rep1", "anna_rep2"):
        truth = team_batch["truth"][name]
        true_fly = truth["gate_crossings"][1]["t_s"] - truth["gate_crossings"][0]["t_s"]
        assert rows[f"{name}.mp4"]["fly10_s"] == pytest.approx(true_fly, abs=0.004), name
        assert rows[f"{name}.mp4"]["speed_peak_mps"] == pytest.approx(truth["speed_mps"], rel=0.03)
    # Ben's runner never crosses both cones: no fly-10, and it stays missing (not zero).
    assert rows["ben_rep1.mp4"]["fly10_s"] is None
    assert rows["anna_rep1.mp4"]["athlete"] == "Anna Smith" and rows["anna_rep1.mp4"]["rep"] == 1
    assert rows["anna_rep1.mp4"]["date"] == "2025-03-03" and rows["anna_rep1.mp4"]["date_source"] == "roster"
    assert rows["ben_rep1.mp4"]["athlete"] == "Ben Okoro" and rows["ben_rep1.mp4"]["session"] == "max velocity"
    # Per-clip folders are complete and say which clip and settings they belong to.
    for name in ("anna_rep1", "anna_rep2", "ben_rep1"):
        manifest = json.loads((out / name / MANIFEST_NAME).read_text())
        assert manifest["clip_sha256"] == file_sha256(team_batch["folder"] / f"{name}.mp4")
        assert all((out / name / f).is_file() for f in manifest["files"])
        assert "summary.json" in manifest["files"] and "annotated.mp4" not in manifest["files"]
    assert not (out / "junk").exists() and not (out / WORK_DIR).exists()
    # Team summary files agree with the report; the CSV leaves missing values empty.
    team = read_team_summary(out)
    assert team["complete"] is True and team["counts"] == report.counts
    with open(out / TEAM_CSV, newline="") as fh:
        csv_rows = {r["clip"]: r for r in csv.DictReader(fh)}
    assert csv_rows["ben_rep1.mp4"]["fly10_s"] == "" and float(csv_rows["anna_rep1.mp4"]["fly10_s"]) > 1.0
    assert any("notes.txt" in n for n in team["notes"])
    # History: the three done clips of named athletes.
    assert report.history_recorded == 3
    with HistoryStore(team_batch["db"]) as history:
        assert [a["name"] for a in history.athletes()] == ["Anna Smith", "Ben Okoro"]
        assert [r["rep"] for r in history.results("anna smith")] == [1, 2]


@pytest.fixture
def team_copy(team_batch, tmp_path):
    """A private copy of the team batch output, to run it again and change things."""
    out = tmp_path / "out"
    shutil.copytree(team_batch["out"], out)
    return team_batch, out


@pytest.mark.slow
def test_rerun_skips_done_clips_and_retries_failed_ones(team_copy, pose_cache_dir):
    team_batch, out = team_copy
    before = {p: p.stat().st_mtime_ns for p in out.rglob("summary.json")}
    plan = plan_batch([team_batch["folder"]], out_dir=out, roster=team_batch["roster"], outputs=LIGHT,
                      cache_dir=pose_cache_dir)
    report = run_batch(plan, executor=SerialExecutor())
    assert report.counts == {"done": 3, "failed": 3, "missing": 1, "pending": 0, "analysed": 0, "skipped": 3}
    assert {p: p.stat().st_mtime_ns for p in out.rglob("summary.json")} == before  # nothing rewritten
    assert rows_by_clip(report)["anna_rep1.mp4"]["fly10_s"] == rows_by_clip(team_batch["report"])["anna_rep1.mp4"]["fly10_s"]


@pytest.mark.slow
def test_new_metadata_is_recorded_without_reanalysis_and_force_redoes(team_copy, pose_cache_dir, tmp_path):
    team_batch, out = team_copy
    roster = tmp_path / "roster.toml"
    # Same clip and analysis settings (height 1.70 as in the team roster), another rep and date.
    roster.write_text(f'[[clips]]\nclip = "{team_batch["folder"] / "anna_rep1.mp4"}"\nathlete = "Anna Smith"\n'
                      'rep = 4\ndate = 2025-03-10\nheight_m = 1.70\n')
    plan = plan_batch([], out_dir=out, roster=roster, outputs=LIGHT, cache_dir=pose_cache_dir)
    report = run_batch(plan, executor=SerialExecutor())
    assert report.counts["analysed"] == 0 and report.counts["skipped"] == 1
    manifest = json.loads((out / "anna_rep1" / MANIFEST_NAME).read_text())
    assert (manifest["rep"], manifest["date"]) == (4, "2025-03-10")
    forced = run_batch(plan, executor=SerialExecutor(), force=True)
    assert forced.counts["analysed"] == 1
    assert json.loads((out / "anna_rep1" / MANIFEST_NAME).read_text())["finished_at"] >= manifest["finished_at"]


@pytest.mark.slow
def test_a_changed_clip_or_incomplete_folder_is_analysed_again(team_copy, pose_cache_dir):
    team_batch, out = team_copy
    folder = out.parent / "clips"
    folder.mkdir()
    shutil.copyfile(team_batch["folder"] / "anna_rep1.mp4", folder / "anna_rep1.mp4")
    shutil.copyfile(team_batch["folder"] / "anna_rep2.mp4", folder / "anna_rep2.mp4")
    plan = plan_batch([folder], out_dir=out, outputs=LIGHT, cache_dir=pose_cache_dir)
    # Settings differ from the team run (no athlete in the report title): both redone, once.
    assert run_batch(plan, executor=SerialExecutor()).counts["analysed"] == 2
    assert run_batch(plan, executor=SerialExecutor()).counts["analysed"] == 0
    # Same name, other content: the folder does not belong to this clip any more.
    shutil.copyfile(team_batch["folder"] / "anna_rep1.mp4", folder / "anna_rep2.mp4")
    (out / "anna_rep1" / "steps.csv").unlink()  # and a folder with a file missing
    report = run_batch(plan, executor=SerialExecutor())
    assert report.counts["analysed"] == 2
    rows = rows_by_clip(report)
    assert rows["anna_rep2.mp4"]["fly10_s"] == pytest.approx(rows["anna_rep1.mp4"]["fly10_s"])
    job = next(j for j in plan.jobs if j.clip.name == "anna_rep2.mp4")
    assert completed_manifest(job, job_key(job, file_sha256(folder / "anna_rep2.mp4"))) is not None


@pytest.mark.slow
def test_interrupted_batch_keeps_finished_clips_and_resumes(tmp_path, sample_clip, pose_cache_dir):
    """A real Ctrl-C (SIGINT to the whole process group, as a terminal sends it)."""
    from sprintcv.pipeline import analyze

    analyze(sample_clip, cache_dir=pose_cache_dir)  # warm the pose cache: clips then take ~2 s
    folder = tmp_path / "clips"
    folder.mkdir()
    for i in range(6):
        shutil.copyfile(sample_clip, folder / f"rep{i + 1}.mp4")
    out = tmp_path / "out"
    args = ["batch", str(folder), "--out", str(out), "--workers", "1", *LIGHT_FLAGS, "--no-history",
            "--cache-dir", str(pose_cache_dir), "--quiet"]
    # A command started in the background by a shell (``pytest ... &``) inherits SIGINT
    # ignored, and Python then leaves Ctrl-C ignored too, as a background job should; the
    # child is given Ctrl-C back so that the test does not depend on how pytest was started.
    launch = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
              "sys.argv[0] = 'sprintcv'; runpy.run_module('sprintcv.cli', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", launch, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob(f"*/{MANIFEST_NAME}")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no clip finished in time"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (stdout, stderr)
    assert "interrupted:" in stderr and "run the same command again" in stderr and "Traceback" not in stderr
    for _ in range(100):  # the workers stopped too
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("worker processes outlived the interrupted batch")
    team = read_team_summary(out)
    assert team["interrupted"] is True
    done = [r for r in team["clips"] if r["status"] == "done"]
    pending = [r for r in team["clips"] if r["status"] == "pending"]
    assert len(done) >= 1 and len(pending) >= 1 and len(done) + len(pending) == 6
    for row in done:  # each finished clip is complete
        manifest = json.loads((out / row["results_dir"] / MANIFEST_NAME).read_text())
        assert all((out / row["results_dir"] / f).is_file() for f in manifest["files"])
    finished = {r["results_dir"] for r in done}
    assert {p.name for p in out.iterdir() if p.is_dir()} == finished  # no half folder
    assert not (out / WORK_DIR).exists()
    # Resume: only the rest is analysed.
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert f"6 clips: 6 done ({len(pending)} analysed now, {len(done)} already done)" in res.output
    assert read_team_summary(out)["complete"] is True


@pytest.mark.slow
def test_dask_local_cluster(team_batch, tmp_path, pose_cache_dir):
    distributed = pytest.importorskip("distributed")
    folder = team_batch["folder"]
    inputs = [folder / "anna_rep1.mp4", folder / "anna_rep2.mp4", folder / "junk.mp4"]
    out = tmp_path / "out"
    plan = plan_batch(inputs, out_dir=out, roster=team_batch["roster"], outputs=LIGHT, cache_dir=pose_cache_dir)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        report = run_batch(plan, executor=executor)
        assert "2 workers" in executor.describe()
        # The command line on the same cluster: everything is done already (resumable across executors).
        res = CliRunner().invoke(main, ["batch", *map(str, inputs), "--roster", str(team_batch["roster"]), "--out",
                                        str(out), "--scheduler", cluster.scheduler_address, *LIGHT_FLAGS,
                                        "--cache-dir", str(pose_cache_dir), "--no-history"])
    rows, local = rows_by_clip(report), rows_by_clip(team_batch["report"])
    # The inputs pick the clips, the roster gives their settings (and its missing row is reported).
    assert {n: r["status"] for n, r in rows.items()} == {"anna_rep1.mp4": "done", "anna_rep2.mp4": "done",
                                                          "junk.mp4": "failed", "anna_rep3.mp4": "missing"}
    for name in ("anna_rep1.mp4", "anna_rep2.mp4"):
        assert rows[name]["status"] == "done"
        assert rows[name]["fly10_s"] == pytest.approx(local[name]["fly10_s"], abs=1e-9)  # same pose, same numbers
        assert rows[name]["worker"].split(":")[-1] != str(os.getpid())
    assert rows["junk.mp4"]["status"] == "failed" and "is not a video file" in rows["junk.mp4"]["reason"]
    assert res.exit_code == 1, res.output  # junk.mp4 still fails, and the missing roster row
    assert "Dask scheduler" in res.output and "2 done (0 analysed now, 2 already done)" in res.output
