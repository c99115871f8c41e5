"""The fidelity scenarios: both columns must pass, except documented JS SDK bugs, which must
fail as documented in the official column (and pass with kuzzle_browser)."""

from __future__ import annotations

import pytest
from fidelity import FidelityReport, load_scenarios

SCENARIOS, _ = load_scenarios()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(fidelity_report: FidelityReport, scenario) -> None:  # type: ignore[no-untyped-def]
    _, _, problems = fidelity_report.verdict(scenario)
    assert not problems, f"{scenario.id} ({scenario.title}):\n" + "\n".join(problems)


def test_both_columns_implement_exactly_the_list(fidelity_report: FidelityReport) -> None:
    assert fidelity_report.official_version == "7.17.1", fidelity_report.official_version
    assert not fidelity_report.notes, fidelity_report.notes
