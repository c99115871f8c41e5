"""``ms`` controller: every command's answer, Kuzzle's argument errors, the HTTP routes.

Each test runs twice: against the in-process fakeredis (the default engine) and against a
real ``redis-server`` (Debian's, installed by ``make setup``) started on a free port.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from conftest import WsClient

from kuzzle_devserver import DevServer
from kuzzle_devserver.controllers import ms as ms_controller

Query = Callable[..., Awaitable[dict[str, Any]]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (make setup installs it)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # its log says when it accepts connections
        if "Ready to accept connections" in line:
            break
    else:
        pytest.fail("redis-server exited before accepting connections")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["fakeredis", "redis-server"])
async def ms_server(request: pytest.FixtureRequest, start_server: Any) -> AsyncIterator[DevServer]:
    url = None if request.param == "fakeredis" else request.getfixturevalue("redis_server_url")
    server: DevServer = await start_server(redis_url=url)
    await server.ctx.memory.flush()
    yield server


@pytest.fixture
async def ms(ms_server: DevServer, ws_connect: Any) -> Query:
    client: WsClient = await ws_connect(ms_server)

    async def query(action: str, **fields: Any) -> dict[str, Any]:
        return await client.query({"controller": "ms", "action": action, **fields})

    return query


async def result(ms: Query, action: str, **fields: Any) -> Any:
    response = await ms(action, **fields)
    assert response["status"] == 200, response
    return response["result"]


def test_every_kuzzle_command_is_served() -> None:
    assert len(ms_controller.COMMANDS) == 118
    assert {"del", "mexecute", "zunionstore", "georadiusbymember", "hstrlen"} <= set(ms_controller.COMMANDS)
    assert not {"bgsave", "bgrewriteaof"} & set(ms_controller.COMMANDS)


async def test_strings_and_keys(ms: Query) -> None:
    assert await result(ms, "set", _id="s", body={"value": "hello"}) == "OK"
    assert await result(ms, "get", _id="s") == "hello"
    assert await result(ms, "append", _id="s", body={"value": " world"}) == 11
    assert await result(ms, "strlen", _id="s") == 11
    assert await result(ms, "getrange", _id="s", start=0, end=4) == "hello"
    assert await result(ms, "getset", _id="s", body={"value": 5}) == "hello world"
    assert await result(ms, "incr", _id="s") == 6
    assert await result(ms, "incrby", _id="s", body={"value": 4}) == 10
    assert await result(ms, "decr", _id="s") == 9
    assert await result(ms, "decrby", _id="s", body={"value": 2}) == 7
    assert await result(ms, "incrbyfloat", _id="f", body={"value": 1.5}) == "1.5"
    assert await result(ms, "setnx", _id="s", body={"value": "x"}) == 0
    assert await result(ms, "set", _id="n", body={"value": 1, "nx": True}) == "OK"
    assert await result(ms, "set", _id="n", body={"value": 2, "nx": True}) is None
    assert (
        await result(ms, "mset", body={"entries": [{"key": "a", "value": 1}, {"key": "b", "value": 0}]})
        == "OK"
    )
    assert await result(ms, "mget", keys=["a", "b", "zz"]) == ["1", "0", None]
    assert await result(ms, "msetnx", body={"entries": [{"key": "a", "value": 2}]}) == 0
    assert await result(ms, "exists", keys=["a", "b", "zz"]) == 2
    assert await result(ms, "type", _id="a") == "string"
    assert sorted(await result(ms, "keys", pattern="*")) == ["a", "b", "f", "n", "s"]
    assert await result(ms, "dbsize") == 5
    assert await result(ms, "randomkey") in {"a", "b", "f", "n", "s"}
    assert await result(ms, "rename", _id="a", body={"newkey": "a2"}) == "OK"
    assert await result(ms, "renamenx", _id="a2", body={"newkey": "b"}) == 0
    assert await result(ms, "touch", body={"keys": ["a2", "b", "zz"]}) == 2
    assert await result(ms, "del", body={"keys": ["a2", "b"]}) == 2
    assert await result(ms, "setex", _id="t", body={"value": "v", "seconds": 100}) == "OK"
    assert 0 < await result(ms, "ttl", _id="t") <= 100
    assert await result(ms, "psetex", _id="t", body={"value": "v", "milliseconds": 100_000}) == "OK"
    assert 0 < await result(ms, "pttl", _id="t") <= 100_000
    assert await result(ms, "persist", _id="t") == 1
    assert await result(ms, "ttl", _id="t") == -1
    assert await result(ms, "expire", _id="t", body={"seconds": 50}) == 1
    assert await result(ms, "pexpire", _id="t", body={"milliseconds": 50_000}) == 1
    assert await result(ms, "expireat", _id="t", body={"timestamp": 4_000_000_000}) == 1
    assert await result(ms, "pexpireat", _id="t", body={"timestamp": 4_000_000_000_000}) == 1
    assert await result(ms, "set", _id="t", body={"value": "v", "ex": 30, "xx": True}) == "OK"
    assert await result(ms, "ping") == "PONG"
    seconds, micros = await result(ms, "time")
    assert seconds.isdigit() and micros.isdigit()
    cursor, keys = await result(ms, "scan", cursor=0, match="*", count=100)
    assert cursor == "0" and sorted(keys) == ["f", "n", "s", "t"]
    assert await result(ms, "flushdb") == "OK"
    assert await result(ms, "dbsize") == 0


async def test_bits_and_hyperloglog(ms: Query) -> None:
    await result(ms, "set", _id="b", body={"value": "a"})  # 0b01100001
    assert await result(ms, "bitcount", _id="b") == 3
    assert await result(ms, "bitcount", _id="b", start=0, end=0) == 3
    assert await result(ms, "bitpos", _id="b", bit=1) == 1
    assert await result(ms, "getbit", _id="b", offset=1) == 1
    await result(ms, "set", _id="c", body={"value": "b"})
    assert await result(ms, "bitop", _id="d", body={"operation": "AND", "keys": ["b", "c"]}) == 1
    assert await result(ms, "get", _id="d") == "`"
    assert await result(ms, "pfadd", _id="h1", body={"elements": ["x", "y"]}) == 1
    assert await result(ms, "pfadd", _id="h2", body={"elements": ["y", "z"]}) == 1
    assert await result(ms, "pfcount", keys=["h1", "h2"]) == 3
    assert await result(ms, "pfmerge", _id="h3", body={"sources": ["h1", "h2"]}) == "OK"
    assert await result(ms, "pfcount", keys="h3") == 3


async def test_hashes(ms: Query) -> None:
    assert await result(ms, "hset", _id="h", body={"field": "a", "value": "1"}) == 1
    assert await result(ms, "hsetnx", _id="h", body={"field": "a", "value": "2"}) == 0
    entries = [{"field": "b", "value": 2}, {"field": "c", "value": "x"}]
    assert await result(ms, "hmset", _id="h", body={"entries": entries}) == "OK"
    assert await result(ms, "hgetall", _id="h") == {"a": "1", "b": "2", "c": "x"}
    assert await result(ms, "hget", _id="h", field="a") == "1"
    assert await result(ms, "hmget", _id="h", fields=["a", "zz"]) == ["1", None]
    assert await result(ms, "hexists", _id="h", field="c") == 1
    assert await result(ms, "hincrby", _id="h", body={"field": "a", "value": 5}) == 6
    assert await result(ms, "hincrbyfloat", _id="h", body={"field": "b", "value": 0.5}) == "2.5"
    assert sorted(await result(ms, "hkeys", _id="h")) == ["a", "b", "c"]
    assert sorted(await result(ms, "hvals", _id="h")) == ["2.5", "6", "x"]
    assert await result(ms, "hlen", _id="h") == 3
    assert await result(ms, "hstrlen", _id="h", field="b") == 3
    cursor, values = await result(ms, "hscan", _id="h", cursor=0)
    assert cursor == "0" and sorted(values) == ["2.5", "6", "a", "b", "c", "x"]
    assert await result(ms, "hdel", _id="h", body={"fields": ["a", "b"]}) == 2
    assert await result(ms, "hgetall", _id="nope") == {}


async def test_lists(ms: Query) -> None:
    assert await result(ms, "rpush", _id="l", body={"values": ["b", "c"]}) == 2
    assert await result(ms, "lpush", _id="l", body={"values": ["a"]}) == 3
    assert await result(ms, "rpushx", _id="l", body={"value": "d"}) == 4
    assert await result(ms, "lpushx", _id="nope", body={"value": "d"}) == 0
    assert await result(ms, "lrange", _id="l", start=0, stop=-1) == ["a", "b", "c", "d"]
    assert await result(ms, "lindex", _id="l", idx=1) == "b"
    assert await result(ms, "linsert", _id="l", body={"position": "before", "pivot": "c", "value": "x"}) == 5
    assert await result(ms, "lset", _id="l", body={"index": 0, "value": "z"}) == "OK"
    assert await result(ms, "lrem", _id="l", body={"count": 0, "value": "x"}) == 1
    assert await result(ms, "llen", _id="l") == 4
    assert await result(ms, "ltrim", _id="l", body={"start": 0, "stop": 2}) == "OK"
    assert await result(ms, "lpop", _id="l") == "z"
    assert await result(ms, "rpop", _id="l") == "c"
    assert await result(ms, "rpoplpush", body={"source": "l", "destination": "l2"}) == "b"
    assert await result(ms, "lrange", _id="l2", start=0, stop=-1) == ["b"]


async def test_sets_and_sort(ms: Query) -> None:
    assert await result(ms, "sadd", _id="s1", body={"members": ["a", "b", "c"]}) == 3
    assert await result(ms, "sadd", _id="s2", body={"members": ["b", "c", "d"]}) == 3
    assert await result(ms, "scard", _id="s1") == 3
    assert await result(ms, "sismember", _id="s1", member="a") == 1
    assert sorted(await result(ms, "smembers", _id="s1")) == ["a", "b", "c"]
    assert await result(ms, "sdiff", _id="s1", keys=["s2"]) == ["a"]
    assert sorted(await result(ms, "sinter", keys=["s1", "s2"])) == ["b", "c"]
    assert sorted(await result(ms, "sunion", keys="s1,s2")) == ["a", "b", "c", "d"]
    assert await result(ms, "sdiffstore", _id="s1", body={"destination": "d1", "keys": ["s2"]}) == 1
    assert await result(ms, "sinterstore", body={"destination": "d2", "keys": ["s1", "s2"]}) == 2
    assert await result(ms, "sunionstore", body={"destination": "d3", "keys": ["s1", "s2"]}) == 4
    assert await result(ms, "smove", _id="s1", body={"destination": "s2", "member": "a"}) == 1
    assert await result(ms, "srem", _id="s2", body={"members": ["a"]}) == 1
    assert await result(ms, "srandmember", _id="s1") in {"b", "c"}
    assert sorted(await result(ms, "srandmember", _id="s1", count=5)) == ["b", "c"]
    assert await result(ms, "spop", _id="d1") == "a"
    assert sorted(await result(ms, "spop", _id="s1", body={"count": 2})) == ["b", "c"]
    cursor, members = await result(ms, "sscan", _id="d3", cursor=0, count=10)
    assert cursor == "0" and sorted(members) == ["a", "b", "c", "d"]
    await result(ms, "rpush", _id="n", body={"values": [3, 1, 2]})
    assert await result(ms, "sort", _id="n") == ["1", "2", "3"]
    assert await result(ms, "sort", _id="n", body={"direction": "desc", "limit": [0, 2]}) == ["3", "2"]
    assert await result(ms, "sort", _id="d3", body={"alpha": True}) == ["a", "b", "c", "d"]


async def test_sorted_sets(ms: Query) -> None:
    elements = [{"score": 1, "member": "a"}, {"score": 2.5, "member": "b"}, {"score": 3, "member": "c"}]
    assert await result(ms, "zadd", _id="z", body={"elements": elements}) == 3
    assert (
        await result(ms, "zadd", _id="z", body={"elements": [{"score": 1, "member": "a"}], "incr": True})
        == "2"
    )
    assert await result(ms, "zcard", _id="z") == 3
    assert await result(ms, "zcount", _id="z", min=2, max=3) == 3
    assert await result(ms, "zincrby", _id="z", body={"member": "c", "value": 1}) == "4"
    assert await result(ms, "zscore", _id="z", member="b") == "2.5"
    assert await result(ms, "zrank", _id="z", member="c") == 2
    assert await result(ms, "zrevrank", _id="z", member="c") == 0
    assert await result(ms, "zrange", _id="z", start=0, stop=-1, options=["withscores"]) == [
        "a",
        "2",
        "b",
        "2.5",
        "c",
        "4",
    ]
    assert await result(ms, "zrevrange", _id="z", start=0, stop=0) == ["c"]
    assert await result(
        ms, "zrangebyscore", _id="z", min=2, max="+inf", options=["withscores"], limit=[1, 1]
    ) == ["b", "2.5"]
    assert await result(ms, "zrevrangebyscore", _id="z", min="-inf", max=3) == ["b", "a"]
    cursor, values = await result(ms, "zscan", _id="z", cursor=0)
    assert cursor == "0" and values == ["a", "2", "b", "2.5", "c", "4"]
    assert (
        await result(
            ms, "zunionstore", _id="u", body={"keys": ["z", "z"], "weights": [1, 2], "aggregate": "max"}
        )
        == 3
    )
    assert await result(ms, "zrange", _id="u", start=0, stop=0, options="withscores") == ["a", "4"]
    assert await result(ms, "zinterstore", _id="i", body={"keys": ["z", "u"]}) == 3
    assert await result(ms, "zrem", _id="z", body={"members": ["c"]}) == 1
    assert await result(ms, "zremrangebyscore", _id="i", body={"min": 0, "max": 6}) == 1
    assert await result(ms, "zremrangebyrank", _id="i", body={"start": 0, "stop": 0}) == 1
    lex = [{"score": 0, "member": m} for m in "abcd"]
    await result(ms, "zadd", _id="lex", body={"elements": lex})
    assert await result(ms, "zlexcount", _id="lex", min="[b", max="[c") == 2
    assert await result(ms, "zrangebylex", _id="lex", min="-", max="+", limit=[1, 2]) == ["b", "c"]
    assert await result(ms, "zrevrangebylex", _id="lex", min="-", max="[b") == ["b", "a"]
    assert await result(ms, "zremrangebylex", _id="lex", body={"min": "[a", "max": "[b"}) == 2


async def test_geo(ms: Query) -> None:
    points = [
        {"lon": 13.361389, "lat": 38.115556, "name": "Palermo"},
        {"lon": 15.087269, "lat": 37.502669, "name": "Catania"},
    ]
    assert await result(ms, "geoadd", _id="g", body={"points": points}) == 2
    distance = await result(ms, "geodist", _id="g", member1="Palermo", member2="Catania", unit="km")
    assert abs(float(distance) - 166.27) < 0.1
    assert len(await result(ms, "geohash", _id="g", members=["Palermo"])) == 1
    (lon, lat), missing = await result(ms, "geopos", _id="g", members="Palermo,nope")
    assert abs(float(lon) - 13.3614) < 1e-3 and abs(float(lat) - 38.1156) < 1e-3 and missing is None
    near = await result(ms, "georadius", _id="g", lon=15, lat=37, distance=100, unit="km")
    assert near == ["Catania"]
    with_dist = await result(
        ms,
        "georadiusbymember",
        _id="g",
        member="Palermo",
        distance=200,
        unit="km",
        options=["withdist", "asc"],
    )
    assert [name for name, _ in with_dist] == ["Palermo", "Catania"]


async def test_object_command(ms: Query) -> None:
    await result(ms, "set", _id="k", body={"value": "v"})
    await result(ms, "set", _id="n", body={"value": 12})
    assert await result(ms, "object", _id="k", subcommand="encoding") == "embstr"
    assert await result(ms, "object", _id="n", subcommand="encoding") == "int"
    assert await result(ms, "object", _id="k", subcommand="refcount") == 1
    assert await result(ms, "object", _id="zz", subcommand="encoding") is None
    assert (await ms("object", _id="k", subcommand="nope"))["status"] == 500


async def test_mexecute_is_one_transaction(ms: Query) -> None:
    actions = [
        {"action": "set", "args": {"_id": "x", "body": {"value": 1}}},
        {"action": "incrby", "args": {"_id": "x", "body": {"value": 2}}},
        {"action": "hgetall", "args": {"_id": "x"}},
        {"action": "get", "args": {"_id": "x"}},
    ]
    answer = await result(ms, "mexecute", body={"actions": actions})
    assert answer[:2] == [[None, "OK"], [None, 3]]
    assert answer[2][0]["message"].startswith("WRONGTYPE") and answer[2][1] is None
    assert answer[3] == [None, "3"]
    assert await result(ms, "mexecute", body={"actions": []}) == []


async def test_redis_errors_are_internal_errors(ms: Query) -> None:
    await result(ms, "set", _id="s", body={"value": "v"})
    response = await ms("lpush", _id="s", body={"values": ["x"]})
    assert response["status"] == 500
    assert response["error"] == {"message": response["error"]["message"], "status": 500}
    assert response["error"]["message"].startswith("WRONGTYPE")


@pytest.mark.parametrize(
    ("action", "fields", "error_id", "props"),
    [
        ("get", {}, "api.assert.missing_argument", ["key"]),
        ("append", {"_id": "k"}, "api.assert.missing_argument", ["value"]),
        ("del", {"body": {}}, "api.assert.missing_argument", ["keys"]),
        ("set", {"body": {"value": 1}}, "api.assert.missing_argument", ["_id"]),
        ("set", {"_id": "k"}, "api.assert.body_required", []),
        (
            "set",
            {"_id": "k", "body": {"value": True}},
            "api.assert.invalid_type",
            ["value", "string, number"],
        ),
        (
            "set",
            {"_id": "k", "body": {"value": 1, "nx": True, "xx": True}},
            "api.assert.mutually_exclusive",
            ["nx", "xx"],
        ),
        (
            "set",
            {"_id": "k", "body": {"value": 1, "ex": 1, "px": 1}},
            "api.assert.mutually_exclusive",
            ["ex", "px"],
        ),
        ("scan", {"cursor": 0, "match": 3}, "api.assert.invalid_type", ["match", "<string>"]),
        ("scan", {"cursor": 0, "count": "many"}, "api.assert.invalid_type", ["count", "integer"]),
        (
            "zrangebylex",
            {"_id": "z", "min": "-", "max": "+", "limit": [1]},
            "api.assert.invalid_argument",
            ["limit", "<offset, count>"],
        ),
        ("zadd", {"_id": "z", "body": {}}, "api.assert.missing_argument", ["body.elements"]),
        (
            "zadd",
            {"_id": "z", "body": {"elements": {}}},
            "api.assert.invalid_type",
            ["body.elements", "array"],
        ),
        ("zadd", {"_id": "z", "body": {"elements": []}}, "api.assert.empty_argument", ["elements"]),
        (
            "zadd",
            {"_id": "z", "body": {"elements": [{"score": 1, "member": "a"}] * 2, "incr": True}},
            "api.assert.too_many_arguments",
            ["elements"],
        ),
        (
            "zadd",
            {"_id": "z", "body": {"elements": [{"score": 1}]}},
            "api.assert.missing_argument",
            ["elements[0].member"],
        ),
        (
            "zadd",
            {"_id": "z", "body": {"elements": [{"score": "x", "member": "a"}]}},
            "api.assert.invalid_type",
            ["score", "number"],
        ),
        (
            "zadd",
            {"_id": "z", "body": {"elements": ["a"]}},
            "api.assert.invalid_argument",
            ["elements", "<array of objects>"],
        ),
        ("zinterstore", {"_id": "z", "body": {"keys": []}}, "api.assert.empty_argument", ["keys"]),
        (
            "zunionstore",
            {"_id": "z", "body": {"keys": ["a"], "aggregate": "avg"}},
            "api.assert.invalid_argument",
            ["aggregate", '"SUM", "MIN" or "MAX"'],
        ),
        (
            "zunionstore",
            {"_id": "z", "body": {"keys": ["a"], "weights": 2}},
            "api.assert.invalid_type",
            ["body.weights", "array"],
        ),
        (
            "sort",
            {"_id": "l", "body": {"direction": "up"}},
            "api.assert.invalid_argument",
            ["direction", '"ASC", "DESC"'],
        ),
        (
            "sort",
            {"_id": "l", "body": {"limit": [0, "x"]}},
            "api.assert.invalid_type",
            ["limit.count", "integer"],
        ),
        ("geoadd", {"_id": "g", "body": {"points": []}}, "api.assert.empty_argument", ["points"]),
        (
            "geoadd",
            {"_id": "g", "body": {"points": [{"lon": 1, "lat": 2}]}},
            "api.assert.invalid_argument",
            ["points", "<array of geopoints>"],
        ),
        (
            "geoadd",
            {"_id": "g", "body": {"points": [{"lon": "w", "lat": 2, "name": "n"}]}},
            "api.assert.invalid_type",
            ["lon", "number"],
        ),
        (
            "mset",
            {"body": {"entries": [{"key": "a"}]}},
            "api.assert.invalid_argument",
            ["entries", "<array of objects>"],
        ),
        (
            "hmset",
            {"_id": "h", "body": {"entries": "a"}},
            "api.assert.invalid_type",
            ["body.entries", "array"],
        ),
        ("mexecute", {"body": {}}, "api.assert.missing_argument", ["body.actions"]),
        ("mexecute", {"body": {"actions": [{"args": {}}]}}, "api.assert.missing_argument", ["action"]),
        ("mexecute", {"body": {"actions": [{"action": "get"}]}}, "api.assert.missing_argument", ["args"]),
        (
            "mexecute",
            {"body": {"actions": [{"action": "get", "args": []}]}},
            "api.assert.invalid_type",
            ["args", "object"],
        ),
        (
            "mexecute",
            {"body": {"actions": [{"action": "mexecute", "args": {}}]}},
            "api.assert.forbidden_argument",
            ["mexecute"],
        ),
        (
            "mexecute",
            {"body": {"actions": [{"action": "bgsave", "args": {}}]}},
            "api.assert.forbidden_argument",
            ["bgsave"],
        ),
        (
            "mexecute",
            {"body": {"actions": [{"action": "get", "args": {}}]}},
            "api.assert.missing_argument",
            ["key"],
        ),
    ],
)
async def test_argument_errors(
    ms: Query, action: str, fields: dict[str, Any], error_id: str, props: list[str]
) -> None:
    response = await ms(action, **fields)
    assert response["status"] == 400, response
    assert (response["error"]["id"], response["error"]["props"]) == (error_id, props)


async def test_http_routes(ms_server: DevServer, http: aiohttp.ClientSession) -> None:
    url = f"{ms_server.url}/ms"
    async with http.post(f"{url}/_set/k", json={"value": "v"}) as response:
        assert (await response.json())["result"] == "OK"
    async with http.get(f"{url}/k") as response:  # GET /ms/:_id is "get"
        assert (await response.json())["result"] == "v"
    async with http.get(f"{url}/_mget?keys=k,zz") as response:  # query strings split on commas
        assert (await response.json())["result"] == ["v", None]
    async with http.get(f"{url}/_ping") as response:  # a static segment beats ":_id"
        assert (await response.json())["result"] == "PONG"
    async with http.get(f"{url}/_zrange/z?start=0&stop=-1&options=withscores") as response:
        assert (await response.json())["result"] == []
    async with http.delete(url, json={"keys": ["k"]}) as response:
        body = await response.json()
        assert (body["action"], body["result"]) == ("del", 1)
    async with http.post(f"{url}/_bgsave") as response:  # routed, but no such action in Kuzzle
        assert response.status == 404
        assert (await response.json())["error"]["id"] == "api.process.action_not_found"
    async with http.get(f"{ms_server.url}/_publicApi") as response:
        ms_api = (await response.json())["result"]["ms"]
    assert set(ms_api) == set(ms_controller.COMMANDS)
    assert ms_api["geodist"]["http"] == [
        {
            "path": "/ms/_geodist/:_id/:member1/:member2",
            "url": "/ms/_geodist/:_id/:member1/:member2",
            "verb": "GET",
        }
    ]


async def test_reset_flushes_the_memory_storage(
    ms_server: DevServer, ms: Query, http: aiohttp.ClientSession
) -> None:
    await result(ms, "set", _id="k", body={"value": "v"})
    async with http.post(f"{ms_server.url}/_devserver/reset") as response:
        assert response.status == 200
    assert await result(ms, "dbsize") == 0


async def test_concurrent_commands(ms: Query) -> None:
    answers = await asyncio.gather(*(ms("incr", _id="counter") for _ in range(20)))
    assert sorted(a["result"] for a in answers) == list(range(1, 21))
