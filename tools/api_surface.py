"""Compare the official kuzzle-sdk's public surface with kuzzle_browser's, entry by entry.

The JS side is listed by ``tools/js_surface.mjs`` from the installed package (``make setup``
installs the pinned kuzzle-sdk into node_modules/). Each JS entry is looked up in Python by
its snake_case name (``mCreate`` -> ``m_create``), except where ``ALIASES`` names the Python
spelling (a keyword, or an API that Python spells its own way; docs/mapping.md says why).
``tests/unit/test_api_surface.py`` runs it; by hand:

    .venv/bin/python tools/api_surface.py          # prints the missing entries and a count
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's kuzzle_browser, run as a script or from the tests

# JS entry -> Python name, where snake_case is not the rule.
ALIASES: dict[str, str] = {
    # the emitter: Python keeps on/once/off (docs/mapping.md, Kuzzle)
    "Kuzzle.addListener": "on",
    "Kuzzle.addOnceListener": "once",
    "Kuzzle.removeListener": "off",
    "Kuzzle.removeAllListeners": "off",
    "Kuzzle.sslConnection": "ssl",
    "Kuzzle.setAPIKey": "set_api_key",
    "Kuzzle.queueTTL": "queue_ttl",
    "Kuzzle.tryReAuthenticate": "try_reauthenticate",
    "bulk.import": "import_",
    "ms.del": "delete",
    "export.KuzzleEventEmitter": "EventEmitter",
    "export.KuzzleAbstractProtocol": "NetworkProtocol",
}

# Controller attributes of a Kuzzle instance, by the JS attribute name.
CONTROLLERS = ("auth", "bulk", "collection", "document", "index", "ms", "realtime", "security", "server")


def snake_case(name: str) -> str:
    """``mCreateOrReplace`` -> ``m_create_or_replace``; ``getAPIKey`` -> ``get_api_key``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def js_entries(root: Path = ROOT) -> list[str]:
    """``owner.name`` for every public entry of the installed kuzzle-sdk."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed to list the official SDK's surface")
    output = subprocess.run(
        [node, str(root / "tools" / "js_surface.mjs"), str(root)],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line for line in output.splitlines() if line]


def python_owners() -> dict[str, Any]:
    """The Python object that answers for each JS owner (``export``, ``Kuzzle``, controllers)."""
    package = importlib.import_module("kuzzle_browser")
    kuzzle = package.Kuzzle(package.WebSocket("127.0.0.1"))
    owners: dict[str, Any] = {"export": package, "Kuzzle": kuzzle}
    for name in CONTROLLERS:
        owners[name] = getattr(kuzzle, name, None)
    return owners


def missing_entries(entries: list[str]) -> list[str]:
    """The JS entries that have no Python counterpart."""
    owners = python_owners()
    missing = []
    for entry in entries:
        owner_name, _, name = entry.partition(".")
        owner = owners.get(owner_name)
        python_name = ALIASES.get(entry) or (name if owner_name == "export" else snake_case(name))
        if owner is None or not hasattr(owner, python_name):
            missing.append(f"{entry} -> {owner_name}.{python_name}")
    return missing


def main() -> int:
    entries = js_entries()
    missing = missing_entries(entries)
    for line in missing:
        print(line)
    found = len(entries) - len(missing)
    print(f"{found} of {len(entries)} public kuzzle-sdk entries have a Python counterpart")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
