"""``ms`` controller: Redis commands, as kuzzle ``lib/api/controllers/memoryStorageController.js``.

Kuzzle's controller is a table: for each command, the request fields that become the Redis
arguments, in order. ``_TABLE`` below is that table, one command a line:

    name=where.field    where is ``args`` (``_id`` is the resource id) or ``body``
    ``?``               optional ("skip": left out when missing; otherwise
                        ``api.assert.missing_argument`` with the *name*, e.g. "key")
    ``*``               an array value is merged into the argument list
    ``:mapper``         a conversion/validation from ``_MAPPERS``

``set``, ``sort``, ``zadd``, ``zinterstore``, ``zunionstore`` and ``mexecute`` have
extractors of their own, as in Kuzzle. Missing and ``null`` values are the same ("missing").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..context import ActionTable, ServerContext
from ..errors import kerror
from ..request import KuzzleRequest

_TABLE = """
append key=args._id value=body.value
bitcount key=args._id start?=args.start end?=args.end
bitop operation=body.operation destkey=args._id keys*=body.keys
bitpos key=args._id bit=args.bit start?=args.start end?=args.end
dbsize
decrby key=args._id value=body.value
del keys=body.keys
expire key=args._id seconds=body.seconds
expireat key=args._id timestamp=body.timestamp
flushdb
geoadd key=args._id points*=body.points:points
geodist key=args._id member1=args.member1 member2=args.member2 unit?=args.unit
geohash key=args._id members*=args.members:array
georadius key=args._id lon=args.lon lat=args.lat distance=args.distance unit=args.unit \
    options?*=args.options:upper
georadiusbymember key=args._id member=args.member distance=args.distance unit=args.unit \
    options?*=args.options:upper
getbit key=args._id offset=args.offset
getrange key=args._id start=args.start end=args.end
hdel key=args._id fields?*=body.fields
hmget key=args._id fields*=args.fields:array
hexists key=args._id field=args.field
hincrby key=args._id field=body.field value=body.value
hmset key=args._id entries*=body.entries:hash_entries
hset key=args._id field=body.field value=body.value
hstrlen key=args._id field=args.field
keys pattern=args.pattern
lindex key=args._id index=args.idx
linsert key=args._id position=body.position pivot=body.pivot value=body.value
lpush key=args._id values?*=body.values
lrange key=args._id start=args.start stop=args.stop
lrem key=args._id count=body.count value=body.value
lset key=args._id index=body.index value=body.value
ltrim key=args._id start=body.start stop=body.stop
mget keys*=args.keys:array
mset entries*=body.entries:key_entries
object subcommand=args.subcommand key=args._id
pexpire key=args._id milliseconds=body.milliseconds
pexpireat key=args._id timestamp=body.timestamp
pfadd key=args._id elements?*=body.elements
pfmerge key=args._id sources?*=body.sources
ping
psetex key=args._id milliseconds=body.milliseconds value=body.value
randomkey
rename key=args._id newkey=body.newkey
renamenx key=args._id newkey=body.newkey
rpoplpush source=body.source destination=body.destination
sadd key=args._id members?*=body.members
scan cursor=args.cursor match?*=args.match:match count?*=args.count:count
sdiff key=args._id keys*=args.keys:array
sdiffstore destination=body.destination key=args._id keys*=body.keys
setex key=args._id seconds=body.seconds value=body.value
setnx key=args._id value=body.value
sinterstore destination=body.destination keys*=body.keys
sismember key=args._id member=args.member
smove key=args._id destination=body.destination member=body.member
spop key=args._id count?=body.count
srandmember key=args._id count?=args.count
srem key=args._id members?*=body.members
sscan key=args._id cursor=args.cursor match?*=args.match:match count?*=args.count:count
sunion keys*=args.keys:array
sunionstore destination=body.destination keys*=body.keys
time
touch keys*=body.keys
zcount key=args._id min=args.min max=args.max
zincrby key=args._id value=body.value member=body.member
zlexcount key=args._id min=args.min max=args.max
zrange key=args._id start=args.start stop=args.stop options?*=args.options:upper
zrangebylex key=args._id min=args.min max=args.max limit?*=args.limit:limit
zrangebyscore key=args._id min=args.min max=args.max options?*=args.options:upper limit?*=args.limit:limit
zrem key=args._id members*=body.members
zremrangebylex key=args._id min=body.min max=body.max
zremrangebyrank key=args._id min=body.start max=body.stop
zremrangebyscore key=args._id min=body.min max=body.max
zrevrangebylex key=args._id max=args.max min=args.min limit?*=args.limit:limit
zrevrangebyscore key=args._id max=args.max min=args.min options?*=args.options:upper limit?*=args.limit:limit
zrevrank key=args._id member=args.member
"""

# Commands sharing another's arguments (the assignments at the end of Kuzzle's initMapping).
_SAME_AS = {
    **dict.fromkeys(
        [
            *("decr", "get", "hgetall", "hkeys", "hlen", "hvals", "incr", "llen", "lpop", "persist"),
            *("pttl", "rpop", "scard", "smembers", "strlen", "ttl", "type", "zcard"),
        ],
        "key=args._id",
    ),
    **dict.fromkeys(["getset", "lpushx", "rpushx"], "key=args._id value=body.value"),
    **dict.fromkeys(["pfcount", "sinter", "exists"], "mget"),
    **dict.fromkeys(["incrby", "incrbyfloat"], "decrby"),
    "geopos": "geohash",
    "hget": "hexists",
    "hsetnx": "hset",
    "msetnx": "mset",
    "rpush": "lpush",
    "hincrbyfloat": "hincrby",
    "zrevrange": "zrange",
    **dict.fromkeys(["zscore", "zrank"], "zrevrank"),
    **dict.fromkeys(["hscan", "zscan"], "sscan"),
}

_ARG = re.compile(r"^(\w+)(\?)?(\*)?=(args|body)\.(\w+)(?::(\w+))?$")


# JavaScript's Number.parseInt / parseFloat give NaN unless the string starts like a number.
_JS_INT = re.compile(r"^\s*[+-]?\d")
_JS_FLOAT = re.compile(r"^\s*[+-]?(\d|\.\d|Infinity)")


def _js_parses(value: Any, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return False  # "true", "null", arrays (refused explicitly), "[object Object]"
    return isinstance(value, int | float) or bool(pattern.match(str(value)))


def _assert_int(name: str, value: Any) -> None:
    if not _js_parses(value, _JS_INT):
        raise kerror("api.assert.invalid_type", name, "integer")


def _assert_float(name: str, value: Any) -> None:
    if not _js_parses(value, _JS_FLOAT):
        raise kerror("api.assert.invalid_type", name, "number")


def _truthy(value: Any) -> bool:
    """JavaScript truthiness: ``[]`` and ``{}`` are true, ``0``, ``""`` and ``null`` are not."""
    return value is not None and value is not False and value != 0 and value != ""


def _body(request: KuzzleRequest) -> dict[str, Any]:
    return request.body if isinstance(request.body, dict) else {}


def _to_array(value: Any) -> Any:
    return value.split(",") if isinstance(value, str) else value


def _upper(value: Any) -> list[Any]:
    items = _to_array(value)
    if not isinstance(items, list):
        raise kerror("api.assert.invalid_type", "options", "array")
    return [item.upper() if isinstance(item, str) else item for item in items]


def _limit(value: Any) -> list[Any]:
    items = _to_array(value)
    result = ["LIMIT", *(items if isinstance(items, list) else [items])]
    if len(result) != 3:
        raise kerror("api.assert.invalid_argument", "limit", "<offset, count>")
    return result


def _match(value: Any) -> list[Any]:
    if not isinstance(value, str):
        raise kerror("api.assert.invalid_type", "match", "<string>")
    return ["MATCH", value]


def _count(value: Any) -> list[Any]:
    _assert_int("count", value)
    return ["COUNT", value]


def _body_array(request: KuzzleRequest, name: str) -> list[Any]:
    """``assertBodyHasAttribute`` then ``assertBodyAttributeType(..., "array")``."""
    value = _body(request).get(name)
    if value is None:
        raise kerror("api.assert.missing_argument", f"body.{name}")
    if not isinstance(value, list):
        raise kerror("api.assert.invalid_type", f"body.{name}", "array")
    return value


def _points(request: KuzzleRequest) -> list[Any]:
    points = _body_array(request, "points")
    if not points:
        raise kerror("api.assert.empty_argument", "points")
    result: list[Any] = []
    for point in points:
        if not isinstance(point, dict) or not all(_truthy(point.get(k)) for k in ("lon", "lat", "name")):
            raise kerror("api.assert.invalid_argument", "points", "<array of geopoints>")
        _assert_float("lon", point["lon"])
        _assert_float("lat", point["lat"])
        result += [point["lon"], point["lat"], point["name"]]
    return result


def _entries(request: KuzzleRequest, key: str) -> list[Any]:
    result: list[Any] = []
    for entry in _body_array(request, "entries"):
        if (
            not isinstance(entry, dict)
            or not _truthy(entry.get(key))
            or not (_truthy(entry.get("value")) or entry.get("value") == 0)
        ):
            raise kerror("api.assert.invalid_argument", "entries", "<array of objects>")
        result += [entry[key], entry["value"]]
    return result


_MAPPERS: dict[str, Callable[[Any, KuzzleRequest], Any]] = {
    "array": lambda value, _: _to_array(value),
    "upper": lambda value, _: _upper(value),
    "limit": lambda value, _: _limit(value),
    "match": lambda value, _: _match(value),
    "count": lambda value, _: _count(value),
    "points": lambda _, request: _points(request),
    "hash_entries": lambda _, request: _entries(request, "field"),
    "key_entries": lambda _, request: _entries(request, "key"),
}


@dataclass(frozen=True)
class _Arg:
    name: str
    optional: bool
    merge: bool
    where: str
    field: str
    mapper: str | None

    def extract(self, request: KuzzleRequest, args: list[Any]) -> None:
        source = request.args if self.where == "args" else _body(request)
        value = source.get(self.field)
        if value is None:
            if self.optional:
                return
            raise kerror("api.assert.missing_argument", self.name)
        if self.mapper is not None:
            value = _MAPPERS[self.mapper](value, request)
        if self.merge and isinstance(value, list):
            args.extend(value)
        else:
            args.append(value)


def _parse(spec: str) -> list[_Arg]:
    parsed = []
    for word in spec.split():
        match = _ARG.match(word)
        if match is None:
            raise ValueError(f"bad ms table entry {word!r}")
        name, optional, merge, where, field, mapper = match.groups()
        parsed.append(_Arg(name, bool(optional), bool(merge), where, field, mapper))
    return parsed


def _mapping() -> dict[str, list[_Arg]]:
    lines = dict((line + " ").split(" ", 1) for line in _TABLE.strip().splitlines())
    mapping = {name: _parse(spec) for name, spec in lines.items()}
    for name, same in _SAME_AS.items():
        mapping[name] = mapping[same] if same in mapping else _parse(same)
    return mapping


MAPPING = _mapping()


# The commands with extractors of their own (extractArgumentsFromRequestFor*).

_MISSING: Any = object()


def _assert_id(request: KuzzleRequest) -> Any:
    key = request.args.get("_id")
    if not _truthy(key):
        raise kerror("api.assert.missing_argument", "_id")
    return key


def _assert_body(request: KuzzleRequest) -> dict[str, Any]:
    if request.body is None:
        raise kerror("api.assert.body_required")
    return _body(request)


def _set_args(request: KuzzleRequest) -> list[Any]:
    key = _assert_id(request)
    body = _assert_body(request)
    value = body.get("value", _MISSING)
    if value is _MISSING or isinstance(value, bool | dict | list) or value is None:
        raise kerror("api.assert.invalid_type", "value", "string, number")
    for first, second in (("nx", "xx"), ("ex", "px")):
        if _truthy(body.get(first)) and _truthy(body.get(second)):
            raise kerror("api.assert.mutually_exclusive", first, second)
    args = [key, value]
    for option in ("ex", "px"):
        if option in body:
            args += [option.upper(), body[option]]
    args += [flag.upper() for flag in ("nx", "xx") if _truthy(body.get(flag))]
    return args


def _sort_args(request: KuzzleRequest) -> list[Any]:
    args = [_assert_id(request)]
    if request.body is None:
        return args
    body = _body(request)
    if _truthy(body.get("alpha")):
        args.append("ALPHA")
    if "direction" in body:
        direction = str(body["direction"]).upper()
        if direction not in ("ASC", "DESC"):
            raise kerror("api.assert.invalid_argument", "direction", '"ASC", "DESC"')
        args.append(direction)
    if "by" in body:
        args += ["BY", body["by"]]
    if "limit" in body:
        limit = body["limit"]
        if not isinstance(limit, list):
            raise kerror("api.assert.invalid_type", "body.limit", "array")
        offset, count = [*limit, None, None][:2]
        _assert_int("limit.offset", offset)
        _assert_int("limit.count", count)
        args += ["LIMIT", offset, count]
    if "get" in body:
        patterns = body["get"]
        if not isinstance(patterns, list):
            raise kerror("api.assert.invalid_type", "body.get", "array")
        for pattern in patterns:
            args += ["GET", pattern]
    if "store" in body:
        args += ["STORE", body["store"]]
    return args


def _zadd_args(request: KuzzleRequest) -> list[Any]:
    args = [_assert_id(request)]
    body = _assert_body(request)
    elements = _body_array(request, "elements")
    if _truthy(body.get("nx")) and _truthy(body.get("xx")):
        raise kerror("api.assert.mutually_exclusive", "nx", "xx")
    args += [flag.upper() for flag in ("nx", "xx", "ch", "incr") if _truthy(body.get(flag))]
    if not elements:
        raise kerror("api.assert.empty_argument", "elements")
    if _truthy(body.get("incr")) and len(elements) > 1:
        raise kerror("api.assert.too_many_arguments", "elements")
    for index, element in enumerate(elements):
        if not isinstance(element, dict):
            raise kerror("api.assert.invalid_argument", "elements", "<array of objects>")
        if not _truthy(element.get("member")):
            raise kerror("api.assert.missing_argument", f"elements[{index}].member")
        _assert_float("score", element.get("score"))
        args += [element["score"], element["member"]]
    return args


def _zstore_args(request: KuzzleRequest) -> list[Any]:
    args = [_assert_id(request)]
    body = _assert_body(request)
    keys = _body_array(request, "keys")
    if not keys:
        raise kerror("api.assert.empty_argument", "keys")
    args += [len(keys), *keys]
    weights = body.get("weights")
    if _truthy(weights):
        if not isinstance(weights, list):
            raise kerror("api.assert.invalid_type", "body.weights", "array")
        if weights:
            args += ["WEIGHTS", *weights]
    aggregate = body.get("aggregate")
    if _truthy(aggregate):
        if not isinstance(aggregate, str):
            raise kerror("api.assert.invalid_type", "body.aggregate", "string")
        if aggregate.upper() not in ("SUM", "MIN", "MAX"):
            raise kerror("api.assert.invalid_argument", "aggregate", '"SUM", "MIN" or "MAX"')
        args += ["AGGREGATE", aggregate.upper()]
    return args


_SPECIAL: dict[str, Callable[[KuzzleRequest], list[Any]]] = {
    "set": _set_args,
    "sort": _sort_args,
    "zadd": _zadd_args,
    "zinterstore": _zstore_args,
    "zunionstore": _zstore_args,
}

COMMANDS = sorted([*MAPPING, *_SPECIAL, "mexecute"])
"""Every ``ms`` action Kuzzle 2.56 serves (118)."""


def extract_arguments(command: str, request: KuzzleRequest) -> list[Any]:
    """The Redis arguments of ``command`` from ``request`` (``extractArgumentsFromRequest``)."""
    special = _SPECIAL.get(command)
    if special is not None:
        return special(request)
    args: list[Any] = []
    for arg in MAPPING.get(command, []):
        arg.extract(request, args)
    return args


def _sub_request(request: KuzzleRequest, payload: dict[str, Any]) -> KuzzleRequest:
    """``new Request(command.args)``: a request whose arguments are the action's ``args``."""
    return KuzzleRequest.from_payload(payload, request.connection)


def _mexecute_commands(request: KuzzleRequest) -> list[list[Any]]:
    _assert_body(request)
    commands = []
    for entry in _body_array(request, "actions"):
        entry = entry if isinstance(entry, dict) else {}
        if "action" not in entry:
            raise kerror("api.assert.missing_argument", "action")
        if "args" not in entry:
            raise kerror("api.assert.missing_argument", "args")
        if not isinstance(entry["args"], dict):
            raise kerror("api.assert.invalid_type", "args", "object")
        action = entry["action"]
        if action == "mexecute" or action not in COMMANDS:
            raise kerror("api.assert.forbidden_argument", action)
        commands.append([action, *extract_arguments(action, _sub_request(request, entry["args"]))])
    return commands


class MemoryStorageController:
    def __init__(self, ctx: ServerContext) -> None:
        self._memory = ctx.memory

    def actions(self) -> ActionTable:
        handlers = {command: self._handler(command) for command in COMMANDS}
        return {"ms": handlers}

    def _handler(self, command: str) -> Callable[[KuzzleRequest], Any]:
        memory = self._memory

        async def run(request: KuzzleRequest) -> Any:
            if command == "mexecute":
                return await memory.transaction(_mexecute_commands(request))
            return await memory.execute(command, extract_arguments(command, request))

        return run
