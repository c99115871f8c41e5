"""The ms command table: every JS SDK command, the requests it builds, the JS SDK's conversions."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from kuzzle_browser.controllers.ms import MemoryStorageController
from kuzzle_browser.protocol.ms_commands import COMMANDS, build_request, convert_result, python_name

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_has_every_js_sdk_command() -> None:
    assert len(COMMANDS) == 118
    assert python_name("del") == "delete" and python_name("get") == "get"
    for command in COMMANDS:
        method = getattr(MemoryStorageController, python_name(command))
        assert inspect.iscoroutinefunction(method) and inspect.getdoc(method)


def test_the_controller_module_is_the_generators_output() -> None:
    spec = importlib.util.spec_from_file_location("gen_ms", ROOT / "tools" / "gen_ms.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules["gen_ms"] = generator
    spec.loader.exec_module(generator)
    assert generator.TARGET.read_text() == generator.render(), "run python tools/gen_ms.py"


@pytest.mark.parametrize(
    ("command", "required", "options", "expected"),
    [
        ("get", ("k",), {}, {"_id": "k"}),
        ("append", ("k", "v"), {}, {"_id": "k", "body": {"value": "v"}}),
        ("del", (["a", "b"],), {}, {"body": {"keys": ["a", "b"]}}),
        ("exists", (["a"],), {}, {"keys": ["a"]}),
        ("bitcount", ("k",), {"start": 1, "end": None}, {"_id": "k", "start": 1}),
        (
            "set",
            ("k", 1),
            {"ex": 10, "nx": True, "px": None},
            {"_id": "k", "body": {"value": 1, "ex": 10, "nx": True}},
        ),
        ("flushdb", (), {}, {"body": {}}),
        (
            "zrange",
            ("z", 0, -1),
            {"limit": None},
            {"_id": "z", "start": 0, "stop": -1, "options": ["withscores"]},
        ),
        (
            "zrangebyscore",
            ("z", 1, 2),
            {"limit": [0, 5]},
            {"_id": "z", "min": 1, "max": 2, "options": ["withscores"], "limit": [0, 5]},
        ),
        (
            "georadius",
            ("g", 1.5, 2.5, 10, "km"),
            {"withcoord": True, "withdist": False, "count": 3, "sort": "asc"},
            {
                "_id": "g",
                "lon": 1.5,
                "lat": 2.5,
                "distance": 10,
                "unit": "km",
                "options": ["withcoord", "count", 3, "asc"],
            },
        ),
        (
            "georadiusbymember",
            ("g", "m", 1, "m"),
            {},
            {"_id": "g", "member": "m", "distance": 1, "unit": "m"},
        ),
        ("sdiffstore", ("k", ["a"], "d"), {}, {"_id": "k", "body": {"keys": ["a"], "destination": "d"}}),
        ("scan", (0,), {"match": "a*", "count": None}, {"cursor": 0, "match": "a*"}),
        ("spop", ("s",), {"count": 2}, {"_id": "s", "body": {"count": 2}}),
    ],
)
def test_requests(
    command: str, required: tuple[object, ...], options: dict[str, object], expected: dict[str, object]
) -> None:
    assert build_request(command, required, options) == {"controller": "ms", "action": command, **expected}


@pytest.mark.parametrize(
    ("command", "result", "converted"),
    [
        ("get", "v", "v"),
        ("hgetall", {"a": "1"}, {"a": "1"}),
        ("expire", 1, True),
        ("sismember", 0, False),
        ("set", "OK", None),
        ("zscore", "2.5", 2.5),
        ("zscore", None, None),
        ("geodist", "166274.1516", 166274.1516),
        ("spop", "a", ["a"]),
        ("srandmember", ["a", "b"], ["a", "b"]),
        ("time", ["1700000000", "42"], [1700000000, 42]),
        ("scan", ["12", ["a", "b"]], {"cursor": "12", "values": ["a", "b"]}),
        ("zrange", ["a", "1", "b", "2.5"], [{"member": "a", "score": 1.0}, {"member": "b", "score": 2.5}]),
        ("geopos", [["1.5", "2.5"], None], [[1.5, 2.5], None]),
        ("georadius", ["a", "b"], [{"name": "a"}, {"name": "b"}]),
        ("georadius", [], []),
        (
            "georadiusbymember",
            [["a", "1.5", ["3", "4"]], ["b", "0"]],
            [{"name": "a", "distance": 1.5, "coordinates": [3.0, 4.0]}, {"name": "b", "distance": 0.0}],
        ),
    ],
)
def test_result_conversions(command: str, result: object, converted: object) -> None:
    assert convert_result(command, result) == converted


def test_import_kuzzle_browser_does_not_load_the_ms_module() -> None:
    code = (
        "import sys, kuzzle_browser as kb\n"
        "assert 'kuzzle_browser.controllers.ms' not in sys.modules\n"
        "k = kb.Kuzzle(kb.WebSocket('127.0.0.1'))\n"
        "assert 'kuzzle_browser.controllers.ms' not in sys.modules\n"
        "assert k.ms is k.ms and 'kuzzle_browser.controllers.ms' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
