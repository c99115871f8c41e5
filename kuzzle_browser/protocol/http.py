"""Turn a Kuzzle request into an HTTP call: method, path with query string, body, headers.

The rules are the JS SDK's ``Http.formatRequest`` (docs/protocol.md §3.3)
and Kuzzle's HTTP router (docs/protocol.md §3.1):

- URL placeholders ``:name`` take the request's value, percent-encoded like
  ``encodeURIComponent``; that key leaves the query string;
- ``body`` becomes the JSON body (for GET, its keys join the query string);
- ``jwt`` becomes ``Authorization: Bearer``, ``volatile`` the
  ``X-Kuzzle-Volatile`` header;
- query values: ``True`` is a bare flag, ``False`` and ``None`` are left out
  (Kuzzle reads a boolean as "present means true"), lists are comma-joined,
  dicts are JSON.

SDK-only options never reach this module: the client strips them first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kuzzle_browser.errors import InvalidArgumentError

__all__ = ["ROUTES", "HttpCall", "format_http_request"]

# Kuzzle 2.x routes (kuzzle lib/api/httpRoutes.js; docs/protocol.md §3.1),
# one per action, chosen the way the JS SDK chooses among several.
ROUTES: dict[str, dict[str, tuple[str, str]]] = {
    "auth": {
        "login": ("POST", "/_login/:strategy"),
        "logout": ("POST", "/_logout"),
        "refreshToken": ("POST", "/_refreshToken"),
        "checkToken": ("POST", "/_checkToken"),
        "getCurrentUser": ("GET", "/_me"),
        "getMyRights": ("GET", "/_me/_rights"),
        "getStrategies": ("GET", "/strategies"),
        "updateSelf": ("PUT", "/_me"),
        "createToken": ("POST", "/_createToken"),
    },
    "server": {
        "now": ("GET", "/_now"),
        "info": ("GET", "/_serverInfo"),
        "getConfig": ("GET", "/_getConfig"),
        "healthCheck": ("GET", "/_healthCheck"),
        "adminExists": ("GET", "/_adminExists"),
        "publicApi": ("GET", "/_publicApi"),
        "capabilities": ("GET", "/_capabilities"),
        "getStats": ("GET", "/_getStats"),
        "getLastStats": ("GET", "/_getLastStats"),
        "getAllStats": ("GET", "/_getAllStats"),
        "metrics": ("GET", "/_metrics"),
    },
    "document": {
        "create": ("POST", "/:index/:collection/_create"),
        "createOrReplace": ("PUT", "/:index/:collection/:_id"),
        "get": ("GET", "/:index/:collection/:_id"),
        "exists": ("GET", "/:index/:collection/:_id/_exists"),
        "replace": ("PUT", "/:index/:collection/:_id/_replace"),
        "update": ("PATCH", "/:index/:collection/:_id/_update"),
        "upsert": ("POST", "/:index/:collection/:_id/_upsert"),
        "delete": ("DELETE", "/:index/:collection/:_id"),
        "count": ("POST", "/:index/:collection/_count"),
        "search": ("POST", "/:index/:collection/_search"),
        "scroll": ("GET", "/_scroll/:scrollId"),
        "validate": ("POST", "/:index/:collection/_validate"),
        "mCreate": ("POST", "/:index/:collection/_mCreate"),
        "mGet": ("POST", "/:index/:collection/_mGet"),
        "mUpsert": ("POST", "/:index/:collection/_mUpsert"),
        "mCreateOrReplace": ("PUT", "/:index/:collection/_mCreateOrReplace"),
        "mReplace": ("PUT", "/:index/:collection/_mReplace"),
        "mUpdate": ("PATCH", "/:index/:collection/_mUpdate"),
        "mDelete": ("DELETE", "/:index/:collection/_mDelete"),
        "mExists": ("POST", "/:index/:collection/_mExists"),
        "deleteFields": ("DELETE", "/:index/:collection/:_id/_fields"),
        "deleteByQuery": ("DELETE", "/:index/:collection/_query"),
        "updateByQuery": ("PUT", "/:index/:collection/_query"),
    },
    "collection": {
        "create": ("PUT", "/:index/:collection"),
        "exists": ("GET", "/:index/:collection/_exists"),
        "list": ("GET", "/:index/_list"),
        "delete": ("DELETE", "/:index/:collection"),
        "getMapping": ("GET", "/:index/:collection/_mapping"),
        "updateMapping": ("PUT", "/:index/:collection/_mapping"),
        "truncate": ("DELETE", "/:index/:collection/_truncate"),
        "refresh": ("POST", "/:index/:collection/_refresh"),
        "update": ("POST", "/:index/:collection/"),
        "getSettings": ("GET", "/:index/:collection/_settings"),
        "getSpecifications": ("GET", "/:index/:collection/_specifications"),
        "updateSpecifications": ("PUT", "/:index/:collection/_specifications"),
        "validateSpecifications": ("POST", "/:index/:collection/_validateSpecifications"),
        "deleteSpecifications": ("DELETE", "/:index/:collection/_specifications"),
        "searchSpecifications": ("POST", "/validations/_search"),
        "scrollSpecifications": ("GET", "/validations/_scroll/:scrollId"),
    },
    "index": {
        "create": ("POST", "/:index/_create"),
        "delete": ("DELETE", "/:index"),
        "exists": ("GET", "/:index/_exists"),
        "list": ("GET", "/_list"),
        "mDelete": ("DELETE", "/_mdelete"),
        "stats": ("GET", "/_storageStats"),
    },
    "realtime": {
        "publish": ("POST", "/:index/:collection/_publish"),
        "list": ("GET", "/_listSubscriptions"),
    },
}

_PLACEHOLDER = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
# The envelope keys that never become query arguments.
_ENVELOPE = frozenset({"controller", "action", "requestId", "body", "jwt", "volatile"})


@dataclass(frozen=True, slots=True)
class HttpCall:
    """An HTTP call ready for ``fetch``: join ``base_url + path``."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None


def _encode_component(value: str) -> str:
    # encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) unescaped.
    return quote(value, safe="-_.!~*'()")


def _query_value(value: Any) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return ""
    if isinstance(value, list | tuple):
        return _encode_component(",".join(str(item) for item in value))
    if isinstance(value, dict):
        return _encode_component(json.dumps(value, separators=(",", ":")))
    return _encode_component(str(value))


def format_http_request(
    request: Mapping[str, Any],
    routes: Mapping[str, Mapping[str, tuple[str, str]]] = ROUTES,
) -> HttpCall:
    """Format ``request`` (a Kuzzle request dict) as an HTTP call.

    Returns:
        The :class:`HttpCall`; send it with credentials when cookie
        authentication is on.

    Raises:
        InvalidArgumentError: The action has no HTTP route, or a URL
            placeholder has no value in the request.
    """
    controller = request.get("controller")
    action = request.get("action")
    route = routes.get(str(controller), {}).get(str(action))
    if route is None:
        raise InvalidArgumentError(f'No URL found for "{controller}:{action}".')
    method, template = route
    used: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = request.get(name)
        if value is None or value == "":
            raise InvalidArgumentError(f'Missing URL param "{name}" in "{template}"')
        used.add(name)
        return _encode_component(str(value))

    path = _PLACEHOLDER.sub(fill, template)
    headers = {"Content-Type": "application/json"}
    args: dict[str, Any] = {}
    body: str | None = None
    for key, value in request.items():
        if key in used:
            continue
        if key == "body":
            if value is None:
                continue
            if method == "GET" and isinstance(value, Mapping):
                args.update(value)
            else:
                body = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif key == "jwt":
            if value:
                headers["Authorization"] = f"Bearer {value}"
        elif key == "volatile":
            if value:
                headers["X-Kuzzle-Volatile"] = json.dumps(value, separators=(",", ":"))
        elif key not in _ENVELOPE:
            args[key] = value
    query = []
    for key, value in args.items():
        encoded = _query_value(value)
        if encoded is None:
            continue
        name = _encode_component(key)
        query.append(name if encoded == "" and value is True else f"{name}={encoded}")
    if query:
        path += "?" + "&".join(query)
    return HttpCall(method=method, path=path, headers=headers, body=body)
