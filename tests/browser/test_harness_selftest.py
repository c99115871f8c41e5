"""The harness reports in-page failures with their Pyodide traceback, is loud when a page
does not boot, and says plainly when Chromium's renderer of a page crashes (which page,
which test, Chromium's reason), running the module's next tests in a fresh page. Runs the
modules in tests/browser/fixtures/ in a pytest subprocess and checks its JUnit report."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_kuzzle_browser.crashes import CRASH_MARKER, RendererCrash, describe_memory
from pytest_kuzzle_browser.harness import Harness

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
ROOT = FIXTURES_DIR.parent.parent.parent
DELIBERATE_CRASH = "test_renderer_dies_under_it"  # fixtures/inpage_crash/: crashed on purpose


@pytest.fixture(scope="module")
def selftest_report(tmp_path_factory: pytest.TempPathFactory, browser_harness: Harness) -> dict:
    """Outcome and text of each fixture test: {name: (outcome, text)} plus the output."""
    report = tmp_path_factory.mktemp("selftest") / "report.xml"
    env = dict(os.environ, KUZZLE_BROWSER_SELFTEST="1", KUZZLE_BROWSER_DEVSERVER="none")
    browser_harness.release_browser()  # the nested run's Chromium runs alone
    done = subprocess.run(
        [
            sys.executable, "-m", "pytest", str(FIXTURES_DIR), "-p", "no:cacheprovider",
            "-q", f"--junitxml={report}", "-o", "junit_logging=all",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=browser_harness.scaled(300),
    )  # fmt: skip
    results: dict[str, tuple[str, str]] = {}
    for case in ET.parse(report).iter("testcase"):
        outcome, text = "passed", ""
        for child in case:
            if child.tag in {"failure", "error", "skipped"}:
                outcome = child.tag
                text += (child.get("message") or "") + "\n" + (child.text or "")
            elif child.tag in {"system-out", "system-err"}:
                text += "\n" + (child.text or "")
        results[case.get("name", "")] = (outcome, text)
    output = done.stdout + done.stderr
    # a renderer that died on its own in the nested run makes its outcomes meaningless:
    # say that once, plainly, instead of failing each check on what it did to the report
    for name, (_outcome, text) in results.items():
        if name != DELIBERATE_CRASH and CRASH_MARKER in text:
            pytest.fail(
                f"the nested run's Chromium renderer crashed under {name}; not what this "
                f"self-test checks, so it cannot judge the harness:\n{text}",
                pytrace=False,
            )
    return {"results": results, "output": output, "code": done.returncode}


def _outcome(report: dict, name: str) -> tuple[str, str]:
    assert name in report["results"], report["output"]
    result: tuple[str, str] = report["results"][name]
    return result


def test_run_fails_overall(selftest_report: dict) -> None:
    assert selftest_report["code"] == 1, selftest_report["output"]


def test_passing_inpage_test_passes(selftest_report: dict) -> None:
    assert _outcome(selftest_report, "test_passes")[0] == "passed"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # the Python traceback from inside Pyodide, with the test's own frames
        (
            "test_assertion_fails",
            ["Traceback (most recent call last)", "deliberate-failure-marker", "in _check",
             "/home/pyodide/inpage/test_fails_on_purpose.py"],
        ),
        ("test_async_raises", ["ValueError: async-failure-marker"]),
        ("test_prints_then_fails", ["after-print-marker"]),
        # requests outside 127.0.0.1 fail the test even when it catches the error
        ("test_undeclared_external_request", ["http://example.com/undeclared"]),
        ("test_undeclared_external_websocket", ["ws://example.org/socket"]),
    ],
)  # fmt: skip
def test_failure_is_reported_with_reason(selftest_report: dict, name: str, expected: list[str]) -> None:
    outcome, text = _outcome(selftest_report, name)
    assert outcome == "failure"
    for fragment in expected:
        assert fragment in text, text


def test_print_output_shown_on_failure(selftest_report: dict) -> None:
    output = selftest_report["output"]
    section = output.index("test_prints_then_fails")
    section = output.index("Captured pyodide output call", section)
    assert "printed-marker-42" in output[section:], output


def test_skip_is_reported(selftest_report: dict) -> None:
    outcome, text = _outcome(selftest_report, "test_skipped")
    assert outcome == "skipped"
    assert "skip-marker" in text


@pytest.mark.parametrize("name", ["test_one", "test_two"])
def test_boot_failure_fails_every_item(selftest_report: dict, name: str) -> None:
    outcome, text = _outcome(selftest_report, name)
    assert outcome == "failure"
    assert "did not boot" in text
    assert "ModuleNotFoundError" in text and "module_that_does_not_exist_xyz" in text


def test_renderer_crash_is_reported_with_page_test_and_reason(selftest_report: dict) -> None:
    outcome, text = _outcome(selftest_report, DELIBERATE_CRASH)
    assert outcome == "failure"
    assert CRASH_MARKER in text, text
    assert "tests/browser/fixtures/inpage_crash/test_crashes_on_purpose.py" in text, text
    assert f"while {DELIBERATE_CRASH} was running" in text, text
    assert 'status "crashed", signal' in text, text  # Chromium's own reason
    assert "wasm heap" in text, text  # the page's memory before the crash


def test_tests_after_a_crash_run_in_a_fresh_page(selftest_report: dict) -> None:
    assert _outcome(selftest_report, "test_runs_in_a_fresh_page")[0] == "passed"


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("killed", 9, "signal 9 (SIGKILL: killed from outside the browser: the kernel's OOM killer"),
        ("crashed", 11, 'status "crashed", signal 11 (SIGSEGV: a memory fault inside Chromium)'),
        ("crashed", 5, "SIGTRAP: a CHECK or fatal error inside Chromium/V8, e.g. V8 out of memory"),
        ("oom", 0, 'status "oom" (out of memory)'),
        ("abnormal", 1, 'status "abnormal", exit code 1'),
    ],
)  # fmt: skip
def test_crash_reason_in_words(status: str, code: int, expected: str) -> None:
    assert expected in str(RendererCrash(status, code))


def test_memory_in_words() -> None:
    figures = {"wasm_heap": 33_554_432, "js_heap": 14_100_000, "js_limit": None}
    assert describe_memory(figures) == "wasm heap 33.6 MB, JS heap used 14.1 MB"
    assert describe_memory(None) == "not measured"


def test_fixture_modules_are_not_collected_normally() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(Path(__file__).parent), "--collect-only", "-q",
         "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "KUZZLE_BROWSER_SELFTEST"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert "test_fails_on_purpose" not in done.stdout, done.stdout
    assert "test_harness_smoke.py::test_python_is_314_in_the_page" in done.stdout, done.stdout
