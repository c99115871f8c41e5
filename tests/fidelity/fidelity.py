"""Fidelity: the same scenarios with the official kuzzle-sdk 7.17.1 and with kuzzle_browser.

The scenario list is ``scenarios.json`` (one place). Each scenario is implemented in
``www/official_scenarios.js`` (official SDK bundle ``dist/kuzzle.js`` in a plain page) and
in ``inpage/fidelity_kb.py`` (kuzzle_browser in Pyodide, booted by the browser harness).
Both run in the same headless Chromium against the same dev server; before every scenario
the dev server is reset (``/_devserver/reset``, request log cleared, pings answered) and the
page's cookies are cleared. The JS page is reloaded for every scenario (what the JS SDK
leaves behind dies with it); the Pyodide page is booted once.

A scenario marked ``official_bug`` (a JS SDK 7.17.1 bug recorded in docs/protocol.md §6)
must fail in the official column with a detail matching its ``match``; everything else
must pass in both columns. ``FidelityReport.problems`` lists what does not hold.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from official_sdk import ensure as ensure_official_sdk  # noqa: E402
from project_config import load_config  # noqa: E402

from pytest_kuzzle_browser.harness import Harness, InPagePage, NetworkRecorder, Options  # noqa: E402

CFG = load_config()

SCENARIOS_FILE = HERE / "scenarios.json"
OFFICIAL_WWW = HERE / "www"
KB_MODULE = HERE / "inpage" / "fidelity_kb.py"
REPORT_FILE = ROOT / "build" / "fidelity.md"
OFFICIAL_VERSION = "7.17.1"
SCENARIO_TIMEOUT = 60.0  # seconds, scaled; a scenario normally takes well under 10
DETAIL_WIDTH = 170


@dataclass(frozen=True)
class KnownBug:
    """A documented failure: ``column`` must fail with a detail matching ``match``."""

    kind: str  # "JS SDK bug" or "dev server bug"
    column: str  # "official" or "kuzzle_browser"
    reason: str
    match: str


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    via: dict[str, str]
    bugs: tuple[KnownBug, ...] = ()

    def bug(self, column: str) -> KnownBug | None:
        return next((b for b in self.bugs if b.column == column), None)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    seconds: float = 0.0


def load_scenarios() -> tuple[list[Scenario], dict[str, Any]]:
    """The scenario list and the constants both implementations share."""
    data = json.loads(SCENARIOS_FILE.read_text())
    scenarios = []
    for item in data["scenarios"]:
        bugs = []
        if "official_bug" in item:
            bug = item["official_bug"]
            bugs.append(KnownBug("JS SDK bug", "official", bug["reason"], bug["match"]))
        scenarios.append(Scenario(item["id"], item["title"], dict(item.get("via", {})), tuple(bugs)))
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate scenario ids in {SCENARIOS_FILE}")
    return scenarios, dict(data["constants"])


def fidelity_harness(options: Options | None = None) -> Harness:
    """The plugin's harness, its static server also serving the official SDK bundle (``/sdk``)
    and the official scenario page (``/fidelity``). Own dev server and Chromium: resetting
    the dev server between scenarios must not touch other browser tests' data."""
    bundle = ensure_official_sdk()
    options = options or Options(rootdir=ROOT, vendor_dir=CFG.VENDOR_DIR)
    return Harness(options, extra_mounts={"/sdk": bundle.parent, "/fidelity": OFFICIAL_WWW})


@dataclass
class FidelityReport:
    scenarios: list[Scenario]
    official: dict[str, Outcome]
    kuzzle_browser: dict[str, Outcome]
    official_version: str = ""
    notes: list[str] = field(default_factory=list)  # problems with the run itself

    def verdict(self, scenario: Scenario) -> tuple[str, str, list[str]]:
        """The two table cells and the unexpected results of one scenario."""
        cells, problems = [], []
        for column, label, results in (
            ("official", "official kuzzle-sdk", self.official),
            ("kuzzle_browser", "kuzzle_browser", self.kuzzle_browser),
        ):
            outcome = results.get(scenario.id, Outcome(False, "not run"))
            cell, found = _judge(outcome, scenario.bug(column), scenario.via.get(column), label)
            cells.append(cell)
            problems += found
        return cells[0], cells[1], problems

    @property
    def problems(self) -> dict[str, list[str]]:
        found = {s.id: self.verdict(s)[2] for s in self.scenarios}
        return {k: v for k, v in found.items() if v}

    def table(self) -> str:
        version = self.official_version or OFFICIAL_VERSION
        lines = [
            f"| scenario | official kuzzle-sdk {version} | kuzzle_browser |",
            "|---|---|---|",
        ]
        for scenario in self.scenarios:
            official_cell, kb_cell, _ = self.verdict(scenario)
            lines.append(f"| `{scenario.id}`: {scenario.title} | {_md(official_cell)} | {_md(kb_cell)} |")
        return "\n".join(lines)

    def markdown(self) -> str:
        problems = self.problems
        parts = [
            "# Fidelity: official kuzzle-sdk vs kuzzle_browser against the dev server",
            "",
            "Generated by `make fidelity` (tests/fidelity/). Both columns ran in the same headless "
            'Chromium against the same dev server. A cell without a "via" note used the WebSocket '
            "protocol.",
            "",
            self.table(),
            "",
            f"Unexpected results: {sum(len(v) for v in problems.values())}",
        ]
        for scenario_id, found in problems.items():
            parts.extend(f"- `{scenario_id}`: {p}" for p in found)
        if self.notes:
            parts += ["", "Problems with the run:", *(f"- {n}" for n in self.notes)]
        return "\n".join(parts) + "\n"


def _judge(outcome: Outcome, bug: KnownBug | None, via: str | None, label: str) -> tuple[str, list[str]]:
    if bug is None:
        return _cell(outcome, via), [] if outcome.ok else [f"{label} failed: {outcome.detail}"]
    if outcome.ok:
        problem = (
            f"{label} passed although a {bug.kind} is recorded here ({bug.reason}): fixed? "
            f"Update scenarios.json. Detail: {outcome.detail}"
        )
        return "UNEXPECTED PASS " + _cell(outcome, via), [problem]
    if not re.search(bug.match, outcome.detail):
        problem = f"{label} failed, but not as documented (expected /{bug.match}/): {outcome.detail}"
        return "FAIL (not as documented) " + _cell(outcome, via), [problem]
    return f"{bug.kind}: {bug.reason}. Failed as documented: {_short(outcome.detail)}", []


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_WIDTH else text[: DETAIL_WIDTH - 1] + "…"


def _cell(outcome: Outcome, via: str | None) -> str:
    status = "ok" if outcome.ok else "FAIL"
    via_note = f" (via {via})" if via else ""
    return f"{status}{via_note}: {_short(outcome.detail)}"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


# ---------------------------------------------------------------------------- running


class FidelityRunner:
    """Runs the scenario list in both columns; ``run()`` returns the report."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.scenarios, self.constants = load_scenarios()
        self.ids = [s.id for s in self.scenarios]
        self.by_id = {s.id: s for s in self.scenarios}
        self.timeout = harness.scaled(SCENARIO_TIMEOUT)
        self.notes: list[str] = []

    def run(self) -> FidelityReport:
        dev = self.harness.dev_server()
        if dev is None:
            raise RuntimeError("the fidelity scenarios need the dev server (KUZZLE_BROWSER_DEVSERVER=none)")
        self.dev_url = dev.url
        official, version = self.run_official()
        kb = self.run_kuzzle_browser()
        return FidelityReport(self.scenarios, official, kb, version, self.notes)

    # -- the dev server between scenarios
    def _control(self, path: str, body: dict[str, Any] | None = None, method: str = "POST") -> None:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.dev_url}/_devserver/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.harness.scaled(10)) as response:
            response.read()

    def reset_server(self) -> None:
        self._control("pings", {"answer": True})
        self._control("reset")
        self._control("requests", method="DELETE")

    def _check_ids(self, column: str, implemented: list[str]) -> None:
        extra = sorted(set(implemented) - set(self.ids))
        if extra:
            self.notes.append(f"{column} implements scenarios missing from scenarios.json: {extra}")

    # -- official SDK
    def run_official(self) -> tuple[dict[str, Outcome], str]:
        harness = self.harness
        harness.browser  # noqa: B018 - launch outside the coroutine
        total = self.timeout * len(self.ids) + harness.scaled(60)
        return harness.run(self._official(), total)

    async def _official(self) -> tuple[dict[str, Outcome], str]:
        harness = self.harness
        recorder = NetworkRecorder()
        context = await harness.new_context(recorder)
        page = await context.new_page()
        console: list[str] = []
        page.on("console", lambda msg: console.append(f"[console.{msg.type}] {msg.text}"))
        page.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
        url = f"{harness.static_url}/fidelity/official.html"
        config = {"host": CFG.HOST, "port": harness.dev_server().port, "scale": CFG.timeout_scale()}  # type: ignore[union-attr]
        config["constants"] = self.constants
        results: dict[str, Outcome] = {}
        version = ""
        try:
            for scenario_id in self.ids:
                await context.clear_cookies()
                await asyncio.to_thread(self.reset_server)
                console_start = len(console)
                try:
                    await page.goto(url)
                    await page.wait_for_function("window.fidelityReady === true")
                    if not version:
                        version = str(await page.evaluate("() => fidelity.sdkVersion"))
                        self._check_ids("official", list(await page.evaluate("() => fidelity.ids")))
                    raw = await asyncio.wait_for(
                        page.evaluate("([id, cfg]) => fidelity.run(id, cfg)", [scenario_id, config]),
                        self.timeout,
                    )
                    outcome = Outcome(bool(raw["ok"]), str(raw["detail"]), float(raw["seconds"]))
                except Exception as exc:
                    outcome = Outcome(False, f"page: {type(exc).__name__}: {exc}")
                errors = [line for line in console[console_start:] if line.startswith("[pageerror]")]
                if errors and outcome.ok:
                    outcome = Outcome(False, f"uncaught page errors: {errors}", outcome.seconds)
                results[scenario_id] = outcome
        finally:
            await context.close()
        if recorder.external:
            self.notes.append(f"official page requested URLs outside 127.0.0.1: {recorder.external}")
            results = {k: Outcome(False, "requests left 127.0.0.1", v.seconds) for k, v in results.items()}
        return results, version

    # -- kuzzle_browser
    def run_kuzzle_browser(self) -> dict[str, Outcome]:
        harness = self.harness
        inpage = InPagePage(harness, KB_MODULE.stem, KB_MODULE.read_text())
        try:
            try:
                inpage.boot()
            except Exception as exc:
                return {i: Outcome(False, f"Pyodide page did not boot: {exc}") for i in self.ids}
            implemented = json.loads(
                harness.run(
                    inpage.page.evaluate(f"() => pyodide.pyimport('{KB_MODULE.stem}').scenario_ids()")
                )
            )
            self._check_ids("kuzzle_browser", implemented)
            constants = json.dumps(self.constants)
            results: dict[str, Outcome] = {}
            for scenario_id in self.ids:
                harness.run(inpage.context.clear_cookies())
                self.reset_server()
                external_start = len(inpage.recorder.external)
                try:
                    text = harness.run(
                        inpage.page.evaluate(
                            "async ([m, id, t, c]) => await pyodide.pyimport(m).run_scenario(id, t, c)",
                            [KB_MODULE.stem, scenario_id, self.timeout, constants],
                        ),
                        self.timeout + harness.scaled(15),
                    )
                    raw = json.loads(text)
                    outcome = Outcome(bool(raw["ok"]), str(raw["detail"]), float(raw["seconds"]))
                except Exception as exc:
                    outcome = Outcome(False, f"page: {type(exc).__name__}: {exc}")
                external = inpage.recorder.external[external_start:]
                if external:
                    outcome = Outcome(False, f"requests left 127.0.0.1: {external}", outcome.seconds)
                results[scenario_id] = outcome
            return results
        finally:
            inpage.close()


def run_fidelity(options: Options | None = None) -> FidelityReport:
    """Run everything with a harness of its own (``options``: the plugin's, from pytest's
    command line), then close it; also writes build/fidelity.md."""
    harness = fidelity_harness(options)
    try:
        harness.check_vendor()
        report = FidelityRunner(harness).run()
    finally:
        harness.close()
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    REPORT_FILE.write_text(report.markdown())
    return report
