"""``make soak``: the browser tests (tests/browser) run again and again, counting green runs.

Not part of ``make test``: it exists to show that a flaky failure is gone, or to catch
one with its evidence. Each run is a fresh ``pytest tests/browser`` process (its own
Chromium, dev server and self-test subprocesses, as in ``make test``). Chromium runs
through a wrapper that appends its own log (``--enable-logging=stderr --v=1``, every
process of the browser, renderers included) to a file per launch; nested runs (the
harness self-test, the example project) inherit it through ``KUZZLE_BROWSER_CHROMIUM``.

For a failing run, ``build/test-artifacts/soak/run-NN/`` keeps the pytest output, the
JUnit report, the Chromium logs, the minidumps its crash handler wrote meanwhile (the
harness self-test crashes one renderer on purpose), the memory figures and the kernel's
log lines about killed or faulting processes (``dmesg``, when readable); a green run
keeps only its line in ``summary.txt``. The harness names a renderer crash itself (``crashes.CRASH_MARKER``:
page, test, Chromium's reason); the summary repeats those lines.

usage: python tools/soak_browser_tests.py [--runs 20] [--keep-going] [-- pytest args...]
(``make soak RUNS=20``; run it under ``nice`` on a shared machine, as the target does)
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from project_config import ROOT

from pytest_kuzzle_browser.crashes import CRASH_MARKER
from pytest_kuzzle_browser.settings import chromium_executable

SOAK_DIR = ROOT / "build" / "test-artifacts" / "soak"
# where Chromium's crash handler leaves its minidumps (Debian's chromium: its config folder)
CONFIG_HOME = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
CRASH_DUMPS = CONFIG_HOME / "chromium" / "Crash Reports"
# kernel lines worth keeping next to a failure: OOM kills, segfaults, traps
DMESG_WORDS = ("out of memory", "oom", "killed process", "segfault", "trap", "chromium")

WRAPPER = """#!/bin/sh
# written by tools/soak_browser_tests.py: Chromium with its log in $KUZZLE_BROWSER_SOAK_LOGS
log="$KUZZLE_BROWSER_SOAK_LOGS/chromium-$(date +%H%M%S)-$$.log"
echo "$0 $*" > "$log"
exec {chromium} "$@" --enable-logging=stderr --v=1 2>>"$log"
"""


def write_wrapper(chromium: str) -> Path:
    wrapper = SOAK_DIR / "chromium-logged"
    wrapper.write_text(WRAPPER.format(chromium=chromium))
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return wrapper


def counts(report: Path) -> dict[str, int]:
    """Passed/failed/error/skipped from a JUnit report (empty when pytest wrote none)."""
    if not report.is_file():
        return {}
    kinds = {"failure": "failed", "error": "error", "skipped": "skipped"}
    totals = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for case in ET.parse(report).iter("testcase"):
        tags = {child.tag for child in case}
        totals[next((kind for tag, kind in kinds.items() if tag in tags), "passed")] += 1
    return totals


def kernel_lines() -> list[str]:
    """dmesg lines about killed or faulting processes ([] when dmesg is not readable)."""
    try:
        text = subprocess.run(["dmesg"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in text.splitlines() if any(word in line.lower() for word in DMESG_WORDS)]


def memory_figures() -> str:
    """/proc/meminfo's totals and the load average, for a failing run's folder."""
    wanted = ("MemTotal", "MemAvailable", "Shmem", "Committed_AS")
    lines = [line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith(wanted)]
    return "\n".join([*lines, "loadavg: " + Path("/proc/loadavg").read_text().strip()]) + "\n"


def run_once(number: int, wrapper: Path, pytest_args: list[str]) -> tuple[bool, str]:
    """One run of the browser tests; (green, summary line). Keeps a red run's evidence."""
    run_dir = SOAK_DIR / f"run-{number:02d}"
    shutil.rmtree(run_dir, ignore_errors=True)
    logs = run_dir / "chromium-logs"
    logs.mkdir(parents=True)
    report = run_dir / "report.xml"
    env = dict(os.environ, KUZZLE_BROWSER_CHROMIUM=str(wrapper), KUZZLE_BROWSER_SOAK_LOGS=str(logs))
    kernel_before = set(kernel_lines())
    dumps_before = set(CRASH_DUMPS.rglob("*.dmp"))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/browser", "-q", "-p", "no:cacheprovider",
         f"--junitxml={report}", *pytest_args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.monotonic() - started
    totals = counts(report)
    figures = ", ".join(f"{v} {k}" for k, v in totals.items() if v) or "no report"
    green = done.returncode == 0
    line = f"run {number:02d}: {'green' if green else 'RED'} ({figures}) in {seconds:.0f} s"
    if green:
        shutil.rmtree(run_dir)
        return True, line
    output = done.stdout + done.stderr
    (run_dir / "pytest-output.txt").write_text(output)
    (run_dir / "memory.txt").write_text(memory_figures())
    for dump in sorted(set(CRASH_DUMPS.rglob("*.dmp")) - dumps_before):  # the self-test's one too
        shutil.copy2(dump, run_dir / dump.name)
    new_kernel = [k for k in kernel_lines() if k not in kernel_before]
    (run_dir / "dmesg.txt").write_text("\n".join(new_kernel) + "\n")
    crashes = sorted({text.strip() for text in output.splitlines() if CRASH_MARKER in text})
    details = [f"  {c}" for c in crashes] + [f"  kernel: {k}" for k in new_kernel]
    return False, "\n".join([line + f" -> {run_dir.relative_to(ROOT)}", *details])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="how many runs (default 20, at least 1)")
    parser.add_argument("--keep-going", action="store_true", help="go on after a red run")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    chromium = chromium_executable()
    if chromium is None:
        print("soak: no Chromium found (make setup)", file=sys.stderr)
        return 2
    SOAK_DIR.mkdir(parents=True, exist_ok=True)
    wrapper = write_wrapper(chromium)
    summary = SOAK_DIR / "summary.txt"
    green_streak = greens = number = 0
    with summary.open("a") as out:
        out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}: {args.runs} runs of tests/browser\n")
        for number in range(1, args.runs + 1):
            green, line = run_once(number, wrapper, args.pytest_args)
            greens += green
            green_streak = green_streak + 1 if green else 0
            print(line, flush=True)
            out.write(line + "\n")
            out.flush()
            if not green and not args.keep_going:
                break
        result = f"soak: {greens} green of {number} runs; {green_streak} consecutive green at the end"
        print(result)
        out.write(result + "\n")
    return 0 if greens == number else 1


if __name__ == "__main__":
    raise SystemExit(main())
