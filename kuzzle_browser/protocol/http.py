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

# The auth, security, bulk, ms and admin routes the JS SDK's fallback table
# (kuzzle-sdk src/protocols/routes.json) adds, plus the actions of those controllers that
# it lacks (API keys, checkRights, mGetUsers...): "controller action VERB url" lines, taken
# from Kuzzle 2.56 with _choose's rules (so auth:updateMyCredentials is /_me/..., and the
# admin URLs have no trailing slash). One line a route reads like Kuzzle's table and
# compresses in the wheel a little better than 200 dict entries (1.7 kB against 1.8 kB).
_MORE_ROUTES = """
auth getMyCredentials GET /credentials/:strategy/_me
auth credentialsExist GET /credentials/:strategy/_me/_exists
auth createMyCredentials POST /credentials/:strategy/_me/_create
auth validateMyCredentials POST /credentials/:strategy/_me/_validate
auth checkRights POST /_checkRights
auth createApiKey POST /api-keys/_create
auth searchApiKeys POST /api-keys/_search
auth deleteMyCredentials DELETE /_me/credentials/:strategy
auth deleteApiKey DELETE /api-keys/:_id
auth updateMyCredentials PUT /_me/credentials/:strategy/_update
security getProfile GET /profiles/:_id
security getProfileRights GET /profiles/:_id/_rights
security getRole GET /roles/:_id
security getUser GET /users/:_id
security getUserStrategies GET /users/:_id/_strategies
security mGetUsers POST /users/_mGet
security getUserRights GET /users/:_id/_rights
security getProfileMapping GET /profiles/_mapping
security getRoleMapping GET /roles/_mapping
security getUserMapping GET /users/_mapping
security scrollUsers GET /users/_scroll/:scrollId
security getCredentials GET /credentials/:strategy/:_id
security getCredentialsById GET /credentials/:strategy/:_id/_byId
security hasCredentials GET /credentials/:strategy/:_id/_exists
security getCredentialFields GET /credentials/:strategy/_fields
security getAllCredentialFields GET /credentials/_fields
security scrollProfiles GET /profiles/_scroll/:scrollId
security refresh POST /_security/:collection/_refresh
security createFirstAdmin POST /_createFirstAdmin
security restrictDefaultRights POST /_restrictDefaultRights
security createCredentials POST /credentials/:strategy/:_id/_create
security createProfile POST /profiles/:_id/_create
security createRole POST /roles/:_id/_create
security createRestrictedUser POST /users/_createRestricted
security createUser POST /users/_create
security mDeleteProfiles POST /profiles/_mDelete
security mDeleteRoles POST /roles/_mDelete
security mDeleteUsers POST /users/_mDelete
security mGetProfiles POST /profiles/_mGet
security mGetRoles POST /roles/_mGet
security searchProfiles POST /profiles/_search
security searchRoles POST /roles/_search
security searchUsers POST /users/_search
security searchUsersByCredentials POST /credentials/:strategy/users/_search
security upsertUser POST /users/:_id/_upsert
security validateCredentials POST /credentials/:strategy/:_id/_validate
security checkRights POST /_checkRights/:userId
security createApiKey POST /users/:userId/api-keys/_create
security searchApiKeys POST /users/:userId/api-keys/_search
security deleteProfile DELETE /profiles/:_id
security deleteRole DELETE /roles/:_id
security deleteUser DELETE /users/:_id
security deleteCredentials DELETE /credentials/:strategy/:_id
security revokeTokens DELETE /users/:_id/tokens
security deleteApiKey DELETE /users/:userId/api-keys/:_id
security createOrReplaceProfile PUT /profiles/:_id
security createOrReplaceRole PUT /roles/:_id
security updateCredentials PUT /credentials/:strategy/:_id/_update
security updateProfile PUT /profiles/:_id/_update
security updateRole PUT /roles/:_id/_update
security updateUser PUT /users/:_id/_update
security replaceUser PUT /users/:_id/_replace
security updateProfileMapping PUT /profiles/_mapping
security updateRoleMapping PUT /roles/_mapping
security updateUserMapping PUT /users/_mapping
bulk import POST /:index/:collection/_bulk
bulk mWrite POST /:index/:collection/_mWrite
bulk write POST /:index/:collection/_write
bulk deleteByQuery DELETE /:index/:collection/_bulk/_query
bulk updateByQuery PATCH /:index/:collection/_bulk/_query
ms bitcount GET /ms/_bitcount/:_id
ms bitpos GET /ms/_bitpos/:_id
ms dbsize GET /ms/_dbsize
ms getbit GET /ms/_getbit/:_id
ms getrange GET /ms/_getrange/:_id
ms exists GET /ms/_exists
ms geodist GET /ms/_geodist/:_id/:member1/:member2
ms geohash GET /ms/_geohash/:_id
ms geopos GET /ms/_geopos/:_id
ms georadius GET /ms/_georadius/:_id
ms georadiusbymember GET /ms/_georadiusbymember/:_id
ms hexists GET /ms/_hexists/:_id/:field
ms hget GET /ms/_hget/:_id/:field
ms hgetall GET /ms/_hgetall/:_id
ms hkeys GET /ms/_hkeys/:_id
ms hlen GET /ms/_hlen/:_id
ms hmget GET /ms/_hmget/:_id
ms hscan GET /ms/_hscan/:_id
ms hstrlen GET /ms/_hstrlen/:_id/:field
ms hvals GET /ms/_hvals/:_id
ms keys GET /ms/_keys/:pattern
ms lindex GET /ms/_lindex/:_id/:idx
ms llen GET /ms/_llen/:_id
ms lrange GET /ms/_lrange/:_id
ms mget GET /ms/_mget
ms object GET /ms/_object/:_id
ms pfcount GET /ms/_pfcount
ms ping GET /ms/_ping
ms pttl GET /ms/_pttl/:_id
ms randomkey GET /ms/_randomkey
ms scan GET /ms/_scan
ms scard GET /ms/_scard/:_id
ms sdiff GET /ms/_sdiff/:_id
ms sinter GET /ms/_sinter
ms sismember GET /ms/_sismember/:_id/:member
ms smembers GET /ms/_smembers/:_id
ms srandmember GET /ms/_srandmember/:_id
ms sscan GET /ms/_sscan/:_id
ms strlen GET /ms/_strlen/:_id
ms sunion GET /ms/_sunion
ms time GET /ms/_time
ms ttl GET /ms/_ttl/:_id
ms type GET /ms/_type/:_id
ms zcard GET /ms/_zcard/:_id
ms zcount GET /ms/_zcount/:_id
ms zlexcount GET /ms/_zlexcount/:_id
ms zrange GET /ms/_zrange/:_id
ms zrangebylex GET /ms/_zrangebylex/:_id
ms zrevrangebylex GET /ms/_zrevrangebylex/:_id
ms zrangebyscore GET /ms/_zrangebyscore/:_id
ms zrank GET /ms/_zrank/:_id/:member
ms zrevrange GET /ms/_zrevrange/:_id
ms zrevrangebyscore GET /ms/_zrevrangebyscore/:_id
ms zrevrank GET /ms/_zrevrank/:_id/:member
ms zscan GET /ms/_zscan/:_id
ms zscore GET /ms/_zscore/:_id/:member
ms get GET /ms/:_id
ms append POST /ms/_append/:_id
ms bgrewriteaof POST /ms/_bgrewriteaof
ms bgsave POST /ms/_bgsave
ms bitop POST /ms/_bitop/:_id
ms decr POST /ms/_decr/:_id
ms decrby POST /ms/_decrby/:_id
ms expire POST /ms/_expire/:_id
ms expireat POST /ms/_expireat/:_id
ms flushdb POST /ms/_flushdb
ms geoadd POST /ms/_geoadd/:_id
ms getset POST /ms/_getset/:_id
ms hincrby POST /ms/_hincrby/:_id
ms hincrbyfloat POST /ms/_hincrbyfloat/:_id
ms hmset POST /ms/_hmset/:_id
ms hset POST /ms/_hset/:_id
ms hsetnx POST /ms/_hsetnx/:_id
ms incr POST /ms/_incr/:_id
ms incrby POST /ms/_incrby/:_id
ms incrbyfloat POST /ms/_incrbyfloat/:_id
ms linsert POST /ms/_linsert/:_id
ms lpop POST /ms/_lpop/:_id
ms lpush POST /ms/_lpush/:_id
ms lpushx POST /ms/_lpushx/:_id
ms lset POST /ms/_lset/:_id
ms ltrim POST /ms/_ltrim/:_id
ms mexecute POST /ms/_mexecute
ms mset POST /ms/_mset
ms msetnx POST /ms/_msetnx
ms persist POST /ms/_persist/:_id
ms pexpire POST /ms/_pexpire/:_id
ms pexpireat POST /ms/_pexpireat/:_id
ms pfadd POST /ms/_pfadd/:_id
ms pfmerge POST /ms/_pfmerge/:_id
ms psetex POST /ms/_psetex/:_id
ms rename POST /ms/_rename/:_id
ms renamenx POST /ms/_renamenx/:_id
ms rpop POST /ms/_rpop/:_id
ms rpoplpush POST /ms/_rpoplpush
ms rpush POST /ms/_rpush/:_id
ms rpushx POST /ms/_rpushx/:_id
ms sadd POST /ms/_sadd/:_id
ms sdiffstore POST /ms/_sdiffstore/:_id
ms set POST /ms/_set/:_id
ms setex POST /ms/_setex/:_id
ms setnx POST /ms/_setnx/:_id
ms sinterstore POST /ms/_sinterstore
ms smove POST /ms/_smove/:_id
ms sort POST /ms/_sort/:_id
ms spop POST /ms/_spop/:_id
ms sunionstore POST /ms/_sunionstore
ms touch POST /ms/_touch
ms zadd POST /ms/_zadd/:_id
ms zincrby POST /ms/_zincrby/:_id
ms zinterstore POST /ms/_zinterstore/:_id
ms zunionstore POST /ms/_zunionstore/:_id
ms del DELETE /ms
ms hdel DELETE /ms/_hdel/:_id
ms lrem DELETE /ms/_lrem/:_id
ms srem DELETE /ms/_srem/:_id
ms zrem DELETE /ms/_zrem/:_id
ms zremrangebylex DELETE /ms/_zremrangebylex/:_id
ms zremrangebyrank DELETE /ms/_zremrangebyrank/:_id
ms zremrangebyscore DELETE /ms/_zremrangebyscore/:_id
admin refreshIndexCache POST /admin/_refreshIndexCache
admin resetCache POST /admin/_resetCache
admin resetSecurity POST /admin/_resetSecurity
admin resetDatabase POST /admin/_resetDatabase
admin resetKuzzleData POST /admin/_resetKuzzleData
admin dump POST /admin/_dump
admin shutdown POST /admin/_shutdown/
admin loadFixtures POST /admin/_loadFixtures
admin loadMappings POST /admin/_loadMappings
admin loadSecurities POST /admin/_loadSecurities
"""


def _parse_routes(text: str) -> RouteTable:
    table: RouteTable = {}
    for line in text.splitlines():
        if line:
            controller, action, verb, url = line.split()
            table.setdefault(controller, {})[action] = (verb, url)
    return table


for _controller, _actions in _parse_routes(_MORE_ROUTES).items():
    ROUTES.setdefault(_controller, {}).update(_actions)
del _controller, _actions

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
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
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
