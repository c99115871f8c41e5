"""Kuzzle's memory storage: the Redis behind the ``ms`` controller, on redis-py's asyncio client.

Kuzzle runs ``ms:*`` commands with ioredis (``lib/service/cache/redis.js``: ``exec`` and
``mExecute``, a ``MULTI``/``EXEC`` transaction). This module reproduces what ioredis puts on
the wire and gives back, so that the controller above it is a table of argument
extraction only:

- arguments: the list is flattened one level and every value becomes a string the way
  JavaScript's ``String()`` does it (``null`` → ``""``, ``true`` → ``"true"``,
  ``1.0`` → ``"1"``, an object → ``"[object Object]"``);
- replies: RESP2, raw (strings, integers, ``null``, arrays), except ``hgetall``, which
  ioredis turns into an object; a transaction answers ``[[error, reply], ...]``;
- a Redis error reply becomes what Kuzzle makes of a non-Kuzzle error:
  ``{"message", "status": 500}`` with neither id nor code (``InternalError``).

The engine is a real Redis (``--redis-url``) or, by default, fakeredis in-process; both
speak through the same redis-py client, with its reply callbacks removed (RESP2, no
decoding into Python types), so the answers are Redis's own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import fakeredis
import redis.asyncio as redis
from redis.exceptions import RedisError, ResponseError

from .errors import KuzzleError

__all__ = ["MemoryStorage", "RedisCommandError", "js_string"]


class RedisCommandError(KuzzleError):
    """A Redis error reply, as Kuzzle answers it: an ``InternalError`` without id or code."""

    def __init__(self, message: str) -> None:
        super().__init__(id="", code=0, status=500, message=message, props=[])

    def to_json(self) -> dict[str, Any]:
        # KuzzleError.toJSON() of `new InternalError(error)`: id, code, props are undefined.
        return {"message": self.message, "status": self.status}


def js_string(value: Any) -> str:
    """``String(value)`` in JavaScript, as ioredis's ``toArg`` sends a non-string argument."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value).replace("inf", "Infinity").replace("e-0", "e-")
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return "[object Object]"


def _command_args(args: Sequence[Any]) -> list[str]:
    flat: list[Any] = []
    for arg in args:  # ioredis flattens its arguments one level
        if isinstance(arg, list):
            flat.extend(arg)
        else:
            flat.append(arg)
    return [js_string(arg) for arg in flat]


def _reply(command: str, reply: Any) -> Any:
    if command == "hgetall" and isinstance(reply, list):
        return dict(zip(reply[::2], reply[1::2], strict=True))
    return reply


async def _call(client: redis.Redis, *args: str) -> Any:
    return await client.execute_command(*args)  # type: ignore[no-untyped-call]


# fakeredis lacks TOUCH and OBJECT: TOUCH answers like EXISTS (fakeredis keeps no access
# times); OBJECT ENCODING follows Redis 7.0's rules for small values, REFCOUNT is 1 and
# IDLETIME 0.


async def _touch(client: redis.Redis, keys: list[str]) -> Any:
    return await _call(client, "EXISTS", *keys)


async def _object(client: redis.Redis, args: list[str]) -> Any:
    subcommand, key = [*args, "", ""][:2]
    subcommand = subcommand.upper()
    if subcommand not in ("ENCODING", "REFCOUNT", "IDLETIME") or len(args) != 2:
        raise ResponseError(f"unknown subcommand or wrong number of arguments for '{subcommand}'")
    kind = await _call(client, "TYPE", key)
    if kind == "none":
        return None
    if subcommand != "ENCODING":
        return 1 if subcommand == "REFCOUNT" else 0
    if kind == "string":
        value = await _call(client, "GET", key)
        if len(value) <= 20 and value.lstrip("-").isdigit() and str(int(value)) == value:
            return "int"
        return "embstr" if len(value) <= 44 else "raw"
    if kind == "set":
        members = await _call(client, "SMEMBERS", key)
        small = len(members) <= 512 and all(m.lstrip("-").isdigit() for m in members)
        return "intset" if small else "hashtable"
    return {"list": "quicklist", "hash": "listpack", "zset": "listpack"}.get(kind, kind)


_FAKEREDIS_MISSING = {"touch": _touch, "object": _object}


class MemoryStorage:
    """One Redis database: ``execute`` a command, run a ``transaction``, ``flush`` it."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.redis_url = redis_url
        """The real Redis in use, or None for the in-process fakeredis."""
        client: redis.Redis
        if redis_url is None:
            # An explicit FakeServer: fakeredis would share one between clients of a process.
            server = fakeredis.FakeServer()
            client = fakeredis.FakeAsyncRedis(server=server, decode_responses=True, protocol=2)
        else:
            client = redis.Redis.from_url(redis_url, decode_responses=True, protocol=2)
        client.response_callbacks.clear()  # raw RESP2 replies, as ioredis sees them
        self._client = client

    async def execute(self, command: str, args: Sequence[Any]) -> Any:
        """Run ``command`` (Kuzzle's lower-case name) and return its reply."""
        strings = _command_args(args)
        try:
            if self.redis_url is None and command in _FAKEREDIS_MISSING:
                return await _FAKEREDIS_MISSING[command](self._client, strings)
            reply = await _call(self._client, command.upper(), *strings)
        except RedisError as error:
            raise RedisCommandError(str(error)) from None
        return _reply(command, reply)

    async def transaction(self, commands: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """``MULTI``/``EXEC`` over ``[[command, *args], ...]``: ``[[error or None, reply], ...]``."""
        if not commands:
            return []
        pipeline = self._client.pipeline(transaction=True)
        for command, *args in commands:
            pipeline.execute_command(str(command).upper(), *_command_args(args))
        try:
            replies = await pipeline.execute(raise_on_error=False)
        except RedisError as error:  # EXECABORT: a command was refused while queued
            raise RedisCommandError(str(error)) from None
        return [
            [{"message": str(reply)}, None]
            if isinstance(reply, ResponseError)
            else [None, _reply(name, reply)]
            for (name, *_), reply in zip(commands, replies, strict=True)
        ]

    async def flush(self) -> None:
        """Empty the database (the dev server's reset)."""
        await self._client.flushdb()

    async def close(self) -> None:
        await self._client.aclose()
