"""Fidelity tests: the scenario list run with the official kuzzle-sdk and with kuzzle_browser.

The whole list runs once per session (``fidelity_report``), with a browser harness of its
own (the pytest-kuzzle-browser plugin's ``Harness`` with the session's options, its static
server also serving the official SDK bundle: ``fidelity.fidelity_harness``);
the side-by-side table is printed in the terminal summary and written to build/fidelity.md.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from fidelity import FidelityReport, run_fidelity

from pytest_kuzzle_browser.plugin import options_from_config

_REPORT = pytest.StashKey[FidelityReport]()


@pytest.fixture(scope="session")
def fidelity_report(pytestconfig: pytest.Config) -> FidelityReport:
    report = run_fidelity(options_from_config(pytestconfig))
    pytestconfig.stash[_REPORT] = report
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fidelity/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is not None:
        terminalreporter.section("fidelity: official kuzzle-sdk vs kuzzle_browser (build/fidelity.md)")
        for line in report.table().splitlines():
            terminalreporter.write_line(line)
        for line in report.notes:
            terminalreporter.write_line(f"- {line}")
