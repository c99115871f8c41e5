"""In Chromium, against the dev server: every ``kuzzle.ms`` method, over WebSocket and over Http."""

from __future__ import annotations

from typing import Any

from inpage_protocols import Over, client
from inpage_support import raises, within

from kuzzle_browser import BadRequestError, InternalError, Kuzzle
from kuzzle_browser.protocol.ms_commands import COMMANDS, python_name


class Calls:
    """Call ``kuzzle.ms`` methods by name and remember which ones ran."""

    def __init__(self, kuzzle: Kuzzle) -> None:
        self.kuzzle = kuzzle
        self.done: set[str] = set()

    async def __call__(self, method: str, *args: Any, **options: Any) -> Any:
        self.done.add(method)
        return await within(getattr(self.kuzzle.ms, method)(*args, **options))


async def test_every_ms_method() -> None:
    await every_ms_method("websocket")


async def test_every_ms_method_over_http() -> None:
    await every_ms_method("http")


async def every_ms_method(over: Over) -> None:
    kuzzle = client(over)
    await within(kuzzle.connect())
    ms = Calls(kuzzle)
    try:
        assert await ms("flushdb") is None
        # strings and keys
        assert await ms("set", "s", "hello") is None
        assert await ms("get", "s") == "hello"
        assert await ms("append", "s", " world") == 11
        assert await ms("strlen", "s") == 11
        assert await ms("getrange", "s", 0, 4) == "hello"
        assert await ms("getset", "s", 5) == "hello world"
        assert await ms("incr", "s") == 6
        assert await ms("incrby", "s", 4) == 10
        assert await ms("decr", "s") == 9
        assert await ms("decrby", "s", 2) == 7
        assert await ms("incrbyfloat", "f", 1.5) == 1.5
        assert await ms("setnx", "s", "x") is False
        assert await ms("mset", [{"key": "a", "value": 1}, {"key": "b", "value": 2}]) is None
        assert await ms("msetnx", [{"key": "a", "value": 3}]) is False
        assert await ms("mget", ["a", "b", "zz"]) == ["1", "2", None]
        assert await ms("exists", ["a", "b", "zz"]) == 2
        assert await ms("type", "a") == "string"
        assert await ms("object", "a", "encoding") == "int"
        assert sorted(await ms("keys", "?")) == ["a", "b", "f", "s"]
        if over == "http":
            # Kuzzle's router takes a "*" URL segment for its placeholder node, not a value
            with raises(BadRequestError, match='Missing argument "pattern"'):
                await ms("keys", "*")
        assert await ms("dbsize") == 4
        assert await ms("randomkey") in {"a", "b", "f", "s"}
        assert await ms("rename", "a", "a2") is None
        assert await ms("renamenx", "a2", "b") is False
        assert await ms("touch", ["a2", "b"]) == 2
        assert await ms("delete", ["a2"]) == 1
        assert await ms("setex", "t", "v", 100) is None
        assert 0 < await ms("ttl", "t") <= 100
        assert await ms("psetex", "t", "v", 100_000) is None
        assert 0 < await ms("pttl", "t") <= 100_000
        assert await ms("persist", "t") is True
        assert await ms("expire", "t", 50) is True
        assert await ms("pexpire", "t", 50_000) is True
        assert await ms("expireat", "t", 4_000_000_000) is True
        assert await ms("pexpireat", "t", 4_000_000_000_000) is True
        assert await ms("ping") == "PONG"
        seconds, micros = await ms("time")
        assert seconds > 1_600_000_000 and isinstance(micros, int)
        page = await ms("scan", 0, match="*", count=100)
        assert page["cursor"] == "0" and sorted(page["values"]) == ["b", "f", "s", "t"]
        # bits and HyperLogLog
        await ms("set", "bits", "a")
        assert await ms("bitcount", "bits", start=0, end=0) == 3
        assert await ms("bitpos", "bits", 1) == 1
        assert await ms("getbit", "bits", 1) == 1
        assert await ms("bitop", "bits2", "NOT", ["bits"]) == 1
        assert await ms("pfadd", "h1", ["x", "y"]) is True
        assert await ms("pfmerge", "h2", ["h1"]) is None
        assert await ms("pfcount", ["h2"]) == 2
        # hashes
        assert await ms("hset", "h", "a", "1") is True
        assert await ms("hsetnx", "h", "a", "2") is False
        assert await ms("hmset", "h", [{"field": "b", "value": 2}]) is None
        assert await ms("hgetall", "h") == {"a": "1", "b": "2"}
        assert await ms("hget", "h", "a") == "1"
        assert await ms("hmget", "h", ["a", "zz"]) == ["1", None]
        assert await ms("hexists", "h", "b") is True
        assert await ms("hincrby", "h", "a", 5) == 6
        assert await ms("hincrbyfloat", "h", "b", 0.5) == 2.5
        assert sorted(await ms("hkeys", "h")) == ["a", "b"]
        assert sorted(await ms("hvals", "h")) == ["2.5", "6"]
        assert await ms("hlen", "h") == 2
        assert await ms("hstrlen", "h", "b") == 3
        assert (await ms("hscan", "h", 0))["cursor"] == "0"
        assert await ms("hdel", "h", ["a"]) == 1
        # lists
        assert await ms("rpush", "l", ["b", "c"]) == 2
        assert await ms("lpush", "l", ["a"]) == 3
        assert await ms("rpushx", "l", "d") == 4
        assert await ms("lpushx", "l", "z") == 5
        assert await ms("lrange", "l", 0, -1) == ["z", "a", "b", "c", "d"]
        assert await ms("lindex", "l", 1) == "a"
        assert await ms("linsert", "l", "before", "c", "x") == 6
        assert await ms("lset", "l", 0, "y") is None
        assert await ms("lrem", "l", 0, "x") == 1
        assert await ms("llen", "l") == 5
        assert await ms("ltrim", "l", 0, 3) is None
        assert await ms("lpop", "l") == "y"
        assert await ms("rpop", "l") == "c"
        assert await ms("rpoplpush", "l", "l2") == "b"
        # sets
        assert await ms("sadd", "s1", ["a", "b", "c"]) == 3
        assert await ms("sadd", "s2", ["b", "c", "d"]) == 3
        assert await ms("scard", "s1") == 3
        assert await ms("sismember", "s1", "a") is True
        assert sorted(await ms("smembers", "s1")) == ["a", "b", "c"]
        assert await ms("sdiff", "s1", ["s2"]) == ["a"]
        assert sorted(await ms("sinter", ["s1", "s2"])) == ["b", "c"]
        assert sorted(await ms("sunion", ["s1", "s2"])) == ["a", "b", "c", "d"]
        assert await ms("sdiffstore", "s1", ["s2"], "d1") == 1
        assert await ms("sinterstore", "d2", ["s1", "s2"]) == 2
        assert await ms("sunionstore", "d3", ["s1", "s2"]) == 4
        assert await ms("smove", "s1", "s2", "a") is True
        assert await ms("srem", "s2", ["a"]) == 1
        assert await ms("srandmember", "s1") in (["b"], ["c"])  # always a list
        assert await ms("spop", "d1") == ["a"]
        assert (await ms("sscan", "d3", 0, count=10))["cursor"] == "0"
        assert await ms("sort", "d3", alpha=True, direction="desc", limit=[0, 2]) == ["d", "c"]
        # sorted sets
        elements = [{"score": 1, "member": "a"}, {"score": 2.5, "member": "b"}, {"score": 3, "member": "c"}]
        assert await ms("zadd", "z", elements) == 3
        assert await ms("zadd", "z", [{"score": 1, "member": "a"}], incr=True) == "2"
        assert await ms("zcard", "z") == 3
        assert await ms("zcount", "z", 2, 3) == 3
        assert await ms("zincrby", "z", "c", 1) == "4"
        assert await ms("zscore", "z", "b") == 2.5
        assert await ms("zscore", "z", "nope") is None
        assert await ms("zrank", "z", "c") == 2
        assert await ms("zrevrank", "z", "c") == 0
        assert await ms("zrange", "z", 0, 0) == [{"member": "a", "score": 2.0}]
        assert await ms("zrevrange", "z", 0, 0) == [{"member": "c", "score": 4.0}]
        assert await ms("zrangebyscore", "z", 2, "+inf", limit=[1, 1]) == [{"member": "b", "score": 2.5}]
        assert await ms("zrevrangebyscore", "z", "-inf", 3) == [
            {"member": "b", "score": 2.5},
            {"member": "a", "score": 2.0},
        ]
        assert (await ms("zscan", "z", 0))["cursor"] == "0"
        assert await ms("zunionstore", "u", ["z", "z"], weights=[1, 2], aggregate="max") == 3
        assert await ms("zinterstore", "i", ["z", "u"]) == 3
        assert await ms("zrem", "z", ["c"]) == 1
        assert await ms("zremrangebyscore", "i", 0, 6) == 1
        assert await ms("zremrangebyrank", "i", 0, 0) == 1
        await ms("zadd", "lex", [{"score": 0, "member": m} for m in "abcd"])
        assert await ms("zlexcount", "lex", "[b", "[c") == 2
        assert await ms("zrangebylex", "lex", "-", "+", limit=[1, 2]) == ["b", "c"]
        assert await ms("zrevrangebylex", "lex", "-", "[b") == ["b", "a"]
        assert await ms("zremrangebylex", "lex", "[a", "[b") == 2
        # geo
        points = [
            {"lon": 13.361389, "lat": 38.115556, "name": "Palermo"},
            {"lon": 15.087269, "lat": 37.502669, "name": "Catania"},
        ]
        assert await ms("geoadd", "g", points) == 2
        assert abs(await ms("geodist", "g", "Palermo", "Catania", unit="km") - 166.27) < 0.1
        assert len(await ms("geohash", "g", ["Palermo"])) == 1
        (lon, lat), missing = await ms("geopos", "g", ["Palermo", "nope"])
        assert abs(lon - 13.3614) < 1e-3 and abs(lat - 38.1156) < 1e-3 and missing is None
        assert await ms("georadius", "g", 15, 37, 100, "km") == [{"name": "Catania"}]
        near = await ms("georadiusbymember", "g", "Palermo", 200, "km", withdist=True, sort="asc")
        assert [p["name"] for p in near] == ["Palermo", "Catania"] and near[0]["distance"] == 0.0
        # a transaction
        actions = [
            {"action": "set", "args": {"_id": "x", "body": {"value": 1}}},
            {"action": "incr", "args": {"_id": "x"}},
        ]
        assert await ms("mexecute", actions) == [[None, "OK"], [None, 2]]
        # errors: Kuzzle's argument checks and Redis's own
        with raises(BadRequestError, match="mutually exclusive"):
            await ms("set", "k", "v", nx=True, xx=True)
        with raises(InternalError, match="WRONGTYPE"):
            await ms("lpush", "s", ["x"])
        assert ms.done == {python_name(c) for c in COMMANDS}
    finally:
        await kuzzle.disconnect()
