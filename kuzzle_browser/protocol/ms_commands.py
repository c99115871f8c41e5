"""The ``ms`` (memory storage) commands: one table, the request each call sends, its result.

The table is the JS SDK 7.17.1's (``src/controllers/MemoryStorage.ts``), one command a line:

    name  get|set  required arguments...  [| options...]  [-> conversion]

- ``get`` commands put every argument at the request's top level; ``set`` commands put
  them in ``body``, except ``_id``, which is always top-level;
- options are sent only when not None; ``@zrange`` forces ``options: ["withscores"]``
  (and passes ``limit``), ``@georadius`` folds ``withcoord``/``withdist``/``count``/``sort``
  into ``options``, as the JS SDK does;
- conversions are the JS SDK's ``mapResults``: ``bool``, ``float`` (``None`` where
  JavaScript's ``parseFloat`` gives ``NaN``), ``none``, ``list`` (a single string becomes a
  one-item list), ``time`` (integers), ``scan`` (``{"cursor", "values"}``), ``zrange``
  (``[{"member", "score"}]``), ``geopos`` (floats), ``georadius`` (``[{"name",
  "coordinates"?, "distance"?}]``).

``kuzzle_browser.controllers.ms`` (generated from this table by ``tools/gen_ms.py``) gives
each command a typed method; this module does the work, so it is the one to unit-test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["COMMANDS", "Command", "build_request", "convert_result", "python_name"]

_TABLE = """
append set _id value
bitcount get _id | start end
bitop set _id operation keys
bitpos get _id bit | start end
dbsize get
decr set _id
decrby set _id value
del set keys
exists get keys
expire set _id seconds -> bool
expireat set _id timestamp -> bool
flushdb set -> none
geoadd set _id points
geodist get _id member1 member2 | unit -> float
geohash get _id members
geopos get _id members -> geopos
georadius get _id lon lat distance unit | @georadius -> georadius
georadiusbymember get _id member distance unit | @georadius -> georadius
get get _id
getbit get _id offset
getrange get _id start end
getset set _id value
hdel set _id fields
hexists get _id field -> bool
hget get _id field
hgetall get _id
hincrby set _id field value
hincrbyfloat set _id field value -> float
hkeys get _id
hlen get _id
hmget get _id fields
hmset set _id entries -> none
hscan get _id cursor | match count -> scan
hset set _id field value -> bool
hsetnx set _id field value -> bool
hstrlen get _id field
hvals get _id
incr set _id
incrby set _id value
incrbyfloat set _id value -> float
keys get pattern
lindex get _id idx
linsert set _id position pivot value
llen get _id
lpop set _id
lpush set _id values
lpushx set _id value
lrange get _id start stop
lrem set _id count value
lset set _id index value -> none
ltrim set _id start stop -> none
mexecute set actions
mget get keys
mset set entries -> none
msetnx set entries -> bool
object get _id subcommand
persist set _id -> bool
pexpire set _id milliseconds -> bool
pexpireat set _id timestamp -> bool
pfadd set _id elements -> bool
pfcount get keys
pfmerge set _id sources -> none
ping get
psetex set _id value milliseconds -> none
pttl get _id
randomkey get
rename set _id newkey -> none
renamenx set _id newkey -> bool
rpop set _id
rpoplpush set source destination
rpush set _id values
rpushx set _id value
sadd set _id members
scan get cursor | match count -> scan
scard get _id
sdiff get _id keys
sdiffstore set _id keys destination
set set _id value | ex px nx xx -> none
setex set _id value seconds -> none
setnx set _id value -> bool
sinter get keys
sinterstore set destination keys
sismember get _id member -> bool
smembers get _id
smove set _id destination member -> bool
sort set _id | alpha by direction get limit
spop set _id | count -> list
srandmember get _id | count -> list
srem set _id members
sscan get _id cursor | match count -> scan
strlen get _id
sunion get keys
sunionstore set destination keys
time get -> time
touch set keys
ttl get _id
type get _id
zadd set _id elements | nx xx ch incr
zcard get _id
zcount get _id min max
zincrby set _id member value
zinterstore set _id keys | weights aggregate
zlexcount get _id min max
zrange get _id start stop | @zrange -> zrange
zrangebylex get _id min max | limit
zrangebyscore get _id min max | @zrange -> zrange
zrank get _id member
zrem set _id members
zremrangebylex set _id min max
zremrangebyrank set _id start stop
zremrangebyscore set _id min max
zrevrange get _id start stop | @zrange -> zrange
zrevrangebylex get _id min max | limit
zrevrangebyscore get _id min max | @zrange -> zrange
zrevrank get _id member
zscan get _id cursor | match count -> scan
zscore get _id member -> float
zunionstore set _id keys | weights aggregate
"""

# The keyword options of the two option mappers.
_MAPPER_OPTIONS = {"@zrange": ("limit",), "@georadius": ("withcoord", "withdist", "count", "sort")}

# Python names for the Redis names that are Python keywords.
_PYTHON_NAMES = {"del": "delete"}


@dataclass(frozen=True)
class Command:
    """One row of the table."""

    name: str
    getter: bool
    required: tuple[str, ...]
    options: tuple[str, ...]
    mapper: str | None
    """``@zrange``, ``@georadius`` or None (the options are sent as they are)."""
    conversion: str | None


def _parse(line: str) -> Command:
    head, _, conversion = line.partition(" -> ")
    words, _, option_words = head.partition(" | ")
    name, kind, *required = words.split()
    options = tuple(option_words.split())
    mapper = options[0] if options and options[0].startswith("@") else None
    return Command(
        name=name,
        getter=kind == "get",
        required=tuple(required),
        options=_MAPPER_OPTIONS[mapper] if mapper else options,
        mapper=mapper,
        conversion=conversion or None,
    )


COMMANDS: dict[str, Command] = {c.name: c for c in map(_parse, _TABLE.strip().splitlines())}
"""Every command of the JS SDK's memory storage controller (118), by Redis name."""


def python_name(command: str) -> str:
    """The method name: the Redis name, except for Python keywords (``del`` → ``delete``)."""
    return _PYTHON_NAMES.get(command, command)


def build_request(command: str, required: tuple[Any, ...], options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ms`` request for ``command`` (``{"controller", "action", ...}``).

    Args:
        command: The Redis name (``COMMANDS`` key).
        required: The required arguments, in the table's order.
        options: The command's options (None means "not given").
    """
    spec = COMMANDS[command]
    request: dict[str, Any] = {"controller": "ms", "action": command}
    body: dict[str, Any] = {}
    if not spec.getter:
        request["body"] = body

    def assign(name: str, value: Any) -> None:
        (request if spec.getter or name == "_id" else body)[name] = value

    for name, value in zip(spec.required, required, strict=True):
        assign(name, value)
    if spec.mapper == "@zrange":
        request["options"] = ["withscores"]
        if options.get("limit"):
            request["limit"] = options["limit"]
    elif spec.mapper == "@georadius":
        folded: list[Any] = [flag for flag in ("withcoord", "withdist") if options.get(flag)]
        if options.get("count"):
            folded += ["count", options["count"]]
        if options.get("sort"):
            folded.append(options["sort"])
        if folded:
            request["options"] = folded
    else:
        for name in spec.options:
            if options.get(name) is not None:
                assign(name, options[name])
    return request


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None  # parseFloat's NaN: no such member or key


def _georadius(results: list[Any]) -> list[dict[str, Any]]:
    if not results or not isinstance(results[0], list):
        return [{"name": point} for point in results]
    points = []
    for name, *extras in results:
        point: dict[str, Any] = {"name": name}
        for extra in extras:
            if isinstance(extra, list):
                point["coordinates"] = [_float(c) for c in extra]
            else:
                point["distance"] = _float(extra)
        points.append(point)
    return points


def convert_result(command: str, result: Any) -> Any:
    """``command``'s result as the JS SDK returns it (see the module docstring)."""
    conversion = COMMANDS[command].conversion
    if conversion is None:
        return result
    if conversion == "none":
        return None
    if conversion == "bool":
        return bool(result)
    if conversion == "float":
        return _float(result)
    if conversion == "list":
        return result if isinstance(result, list) else [result]
    if conversion == "time":
        return [int(part) for part in result]
    if conversion == "scan":
        return {"cursor": result[0], "values": result[1]}
    if conversion == "zrange":
        return [{"member": m, "score": _float(s)} for m, s in zip(result[::2], result[1::2], strict=True)]
    if conversion == "geopos":
        return [None if pos is None else [_float(c) for c in pos] for pos in result]
    return _georadius(result)
