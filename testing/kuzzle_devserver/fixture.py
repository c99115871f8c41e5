"""The ``--users`` fixture: read it into Kuzzle's ``admin:loadSecurities`` shape.

Two formats are accepted:

- Kuzzle's securities file, ``{"roles": {id: role}, "profiles": {id: profile},
  "users": {kuid: {"content": {"profileIds": [...], ...}, "credentials": {"local":
  {"username", "password"}}}}}`` (any of the three keys may be left out);
- the short users file, ``{kuid: {"password", "profileIds", "content", "username"}}``
  (``username`` defaults to the kuid, ``profileIds`` to ``["default"]``).

Passwords are given in clear (fixtures stay readable); they are hashed when loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SECURITY_KEYS = {"roles", "profiles", "users"}


def read_securities(path: Path) -> dict[str, Any]:
    """The fixture at ``path`` as ``{roles, profiles, users}``; ValueError when malformed."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a JSON object is expected")
    return as_securities(raw)


def as_securities(raw: dict[str, Any]) -> dict[str, Any]:
    if raw and set(raw) <= SECURITY_KEYS and all(isinstance(v, dict) for v in raw.values()):
        return {key: dict(raw.get(key, {})) for key in ("roles", "profiles", "users")}
    users: dict[str, Any] = {}
    for kuid, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
            raise ValueError(f"user {kuid!r}: an object with a string password is expected")
        content = {**entry.get("content", {}), "profileIds": list(entry.get("profileIds", ["default"]))}
        local = {"username": str(entry.get("username", kuid)), "password": entry["password"]}
        users[kuid] = {"content": content, "credentials": {"local": local}}
    return {"roles": {}, "profiles": {}, "users": users}
