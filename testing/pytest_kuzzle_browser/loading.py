"""Load mappings, fixtures and securities into a Kuzzle in one call, over its HTTP API.

``load_into(url, mappings=..., fixtures=..., securities=...)`` calls Kuzzle's
``admin:loadMappings``, ``admin:loadFixtures`` and ``admin:loadSecurities`` (routes
``POST /admin/_loadMappings`` etc., ``refresh=wait_for``), in that order, so it works the
same against the dev server and against a real Kuzzle (``--kuzzle-url``). Each part is a
dict or the path of a JSON file, in the formats those actions take:

- mappings: ``{index: {collection: {"properties": {...}}}}``;
- fixtures: ``{index: {collection: [{"create": {"_id": "1"}}, {...document...}, ...]}}``;
- securities: ``{"roles": {...}, "profiles": {...}, "users": {kuid: {"content": {...},
  "credentials": {"local": {"username", "password"}}}}}``.

The admin actions need rights: pass ``login={"username", "password"}`` (strategy
``local``) unless anonymous may call them (a fresh Kuzzle, the dev server's default).
A refused call raises ``KuzzleLoadError`` with Kuzzle's error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

Source = dict[str, Any] | str | Path | None

_ACTIONS = (("mappings", "_loadMappings"), ("fixtures", "_loadFixtures"), ("securities", "_loadSecurities"))


class KuzzleLoadError(Exception):
    """Kuzzle refused a load; ``error`` is its error object (``id``, ``message``, ...)."""

    def __init__(self, what: str, error: dict[str, Any]) -> None:
        super().__init__(f"loading {what} failed: {error.get('id')}: {error.get('message')}")
        self.error = error


def _read(source: Source) -> dict[str, Any] | None:
    if source is None or isinstance(source, dict):
        return source
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{source}: a JSON object is expected")
    return data


def _post(url: str, body: Any, jwt: str | None, timeout: float) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if jwt:
        headers["Authorization"] = f"Bearer {jwt}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            envelope: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as failure:  # Kuzzle answers errors with a JSON envelope too
        envelope = json.loads(failure.read() or b"{}")
    return envelope


def load_into(
    url: str,
    *,
    mappings: Source = None,
    fixtures: Source = None,
    securities: Source = None,
    on_existing_users: str = "fail",
    login: dict[str, str] | None = None,
    timeout: float = 30,
) -> None:
    """Load what is given into the Kuzzle at ``url`` (``http[s]://host:port``)."""
    base = url.rstrip("/")
    jwt = None
    if login is not None:
        answer = _post(f"{base}/_login/local", login, None, timeout)
        if answer.get("error"):
            raise KuzzleLoadError("(login)", answer["error"])
        jwt = answer["result"]["jwt"]
    parts = {"mappings": _read(mappings), "fixtures": _read(fixtures), "securities": _read(securities)}
    for name, route in _ACTIONS:
        body = parts[name]
        if body is None:
            continue
        query = "?refresh=wait_for" + (
            f"&onExistingUsers={on_existing_users}" if name == "securities" else ""
        )
        answer = _post(f"{base}/admin/{route}{query}", body, jwt, timeout)
        if answer.get("error"):
            raise KuzzleLoadError(name, answer["error"])
