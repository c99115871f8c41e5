"""The HTTP protocol's decisions: routes, request formatting, response decoding (no I/O).

Routes: :func:`routes_from_public_api` picks one route per action from Kuzzle's
``server:publicApi`` answer as the JS SDK's ``Http._constructRoutes`` does;
:data:`ROUTES` is the fallback when that action is forbidden, and
:func:`check_custom_routes` validates the ``custom_routes`` option.
:func:`decode_http_response` turns what ``fetch`` returned into Kuzzle's envelope,
or a typed error when it is not Kuzzle JSON (a proxy's HTML 502, an empty body).

Formatting: the rules are the JS SDK's ``Http.formatRequest`` (kuzzle-sdk ``src/protocols/Http.ts``,
docs/protocol.md §3.3)
and Kuzzle's HTTP router (kuzzle ``lib/core/network/httpRouter/``):

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
from typing import Any, Final
from urllib.parse import quote

from kuzzle_browser.errors import BadResponseError, InvalidArgumentError, RealtimeUnavailableError

__all__ = [
    "REALTIME_ONLY",
    "ROUTES",
    "HttpCall",
    "RouteTable",
    "check_custom_routes",
    "check_http_capable",
    "decode_http_response",
    "format_http_request",
    "merge_routes",
    "public_api_fallback",
    "response_error",
    "routes_from_public_api",
]

Route = tuple[str, str]
"""``(verb, url)``, e.g. ``("GET", "/:index/_exists")``."""
RouteTable = dict[str, dict[str, Route]]
"""``{controller: {action: (verb, url)}}``."""

# Kuzzle 2.x routes (kuzzle lib/api/httpRoutes.js; docs/protocol.md §3.1),
# one per action, chosen the way the JS SDK chooses among several.
ROUTES: RouteTable = {
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
    routes: Mapping[str, Mapping[str, Route]] = ROUTES,
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


# Actions that need a persistent connection: Kuzzle has no HTTP route for them.
REALTIME_ONLY: Final = frozenset(
    {("realtime", "subscribe"), ("realtime", "join"), ("realtime", "unsubscribe")}
)


def check_http_capable(request: Mapping[str, Any]) -> None:
    """Raise unless ``request`` can be served over HTTP.

    Raises:
        RealtimeUnavailableError: A realtime subscription action (subscribe, join, unsubscribe).
    """
    if (request.get("controller"), request.get("action")) in REALTIME_ONLY:
        raise RealtimeUnavailableError(
            f"{request['controller']}:{request['action']} needs a persistent connection: "
            "the Http protocol cannot receive notifications. Use WebSocket for realtime.",
            request=request,
        )


def _route_from(entry: Mapping[str, Any]) -> Route:
    return (str(entry["verb"]).upper(), str(entry["url"]))


def _choose(controller: str, action: str, http: list[Mapping[str, Any]]) -> Route:
    if controller == "document" and action == "search":
        # GET /:index/:collection/_search cannot carry a query body: always POST.
        return _route_from(next((r for r in http if str(r["verb"]).upper() == "POST"), http[0]))
    lengths = {len(str(r["url"])) for r in http}
    if len(lengths) == 1:
        # Same length: POST when there is one, then the last GET, else the first route.
        # JS SDK 7.17.1 prefers GET, so auth:login sends the credentials in the query
        # string and document:count/mGet turn their body into query arguments; a POST
        # route carries the body and still reads the query string.
        by_verb = {str(r["verb"]).upper(): r for r in http}
        return _route_from(by_verb.get("POST") or by_verb.get("GET") or http[0])
    # Different lengths: the shortest URL (the first of equals); the arguments
    # that no longer fit in it go to the query string.
    return _route_from(min(http, key=lambda r: len(str(r["url"]))))


def routes_from_public_api(public_api: Mapping[str, Any]) -> RouteTable:
    """One route per action from ``server:publicApi``'s result (JS ``Http._constructRoutes``).

    ``public_api`` is ``{controller: {action: {"http": [{"verb", "url", "path"}]}}}``;
    actions without ``http`` are left out. Malformed entries are skipped, not fatal.
    """
    routes: RouteTable = {}
    for controller, actions in public_api.items():
        if not isinstance(actions, Mapping):
            continue
        table: dict[str, Route] = {}
        for action, definition in actions.items():
            http = definition.get("http") if isinstance(definition, Mapping) else None
            if not isinstance(http, list):
                continue
            usable = [
                r
                for r in http
                if isinstance(r, Mapping) and isinstance(r.get("verb"), str) and isinstance(r.get("url"), str)
            ]
            if usable:
                table[str(action)] = _choose(str(controller), str(action), usable)
        routes[str(controller)] = table
    return routes


def check_custom_routes(custom: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> RouteTable:
    """The ``custom_routes`` option, ``{controller: {action: {"verb", "url"}}}``, as a route table.

    Raises:
        InvalidArgumentError: A route lacks a non-empty ``url`` or ``verb`` (JS SDK messages).
    """
    routes: RouteTable = {}
    if custom is None:
        return routes
    if not isinstance(custom, Mapping):
        raise InvalidArgumentError("custom_routes must be {controller: {action: {verb, url}}}")
    for controller, actions in custom.items():
        if not isinstance(actions, Mapping):
            raise InvalidArgumentError(f"custom_routes[{controller!r}] must be {{action: {{verb, url}}}}")
        for action, route in actions.items():
            url = route.get("url") if isinstance(route, Mapping) else None
            verb = route.get("verb") if isinstance(route, Mapping) else None
            if not (isinstance(url, str) and url):
                raise InvalidArgumentError(f"Incorrect URL for custom route {controller}:{action}.")
            if not (isinstance(verb, str) and verb):
                raise InvalidArgumentError(f"Incorrect VERB for custom route {controller}:{action}.")
            routes.setdefault(str(controller), {})[str(action)] = (verb.upper(), url)
    return routes


def merge_routes(
    base: Mapping[str, Mapping[str, Route]], custom: Mapping[str, Mapping[str, Route]]
) -> RouteTable:
    """``base`` with ``custom`` laid over it, action by action.

    JS SDK 7.17.1 replaces a whole controller by its custom routes, so a custom
    route for one document action loses every other document route.
    """
    merged = {controller: dict(actions) for controller, actions in base.items()}
    for controller, actions in custom.items():
        merged.setdefault(controller, {}).update(actions)
    return merged


def public_api_fallback(status: int) -> str | None:
    """What to do when ``GET /_publicApi`` answers the error ``status``.

    Returns:
        ``"static"`` (forbidden to this user: use :data:`ROUTES`), ``"server_info"``
        (Kuzzle < 1.9 has no publicApi: read the routes from ``GET /``), or ``None``
        (a real failure: raise it).
    """
    if status in (401, 403):
        return "static"
    if status == 404:
        return "server_info"
    return None


def response_error(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The error object of a decoded HTTP answer, or ``None`` on success.

    A routed answer is the envelope ``{"error": {...} or null, ...}``; an error
    raised before routing is the bare error object ``{id, message, status...}``
    (kuzzle ``lib/core/network/protocols/httpwsProtocol.js``, ``httpSendError``).
    """
    error = payload.get("error") if "error" in payload else payload if "id" in payload else None
    return error if isinstance(error, dict) else None


def decode_http_response(
    call: HttpCall, status: int, text: str, request: Mapping[str, Any]
) -> dict[str, Any]:
    """Kuzzle's JSON object from an HTTP answer (any status: Kuzzle answers errors in JSON too).

    Raises:
        BadResponseError: The body is not a JSON object (HTML from a proxy, empty, truncated);
            its ``status`` is the HTTP status when that is an error status, else 502.
    """
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and ("result" in payload or response_error(payload) is not None):
        return payload
    excerpt = " ".join(text.split())[:120]
    raise BadResponseError(
        f"HTTP {call.method} {call.path.split('?')[0]} answered {status} with a body that is not Kuzzle JSON"
        + (f": {excerpt!r}" if excerpt else " (empty)"),
        status=status if status >= 400 else 502,
        http_status=status,
        request=request,
    )
