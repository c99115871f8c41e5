"""Subscriptions and notifications: Kuzzle's hotel clerk and notifier (docs/protocol.md §2.5, §2.6).

A room is (index, collection, filters) with a deterministic roomId. Each subscription
joins a channel of the room: ``<roomId>-<users><cluster><scope>`` with users
all→1, in→2, out→3, none→3; cluster always 1; scope all→1, in→2, out→3, none→nothing.
Document notifications reach channels whose scope is ``all`` or the notification's scope;
user notifications reach channels whose users option is ``all`` or the event (in/out).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .connection import ClientConnection
from .errors import kerror
from .koncorde import Matcher, compile_filter, room_id
from .request import NODE_ID, KuzzleRequest

SERVER_CHANNEL = "kuzzle:notification:server"

_SCOPE_DIGIT = {"all": "1", "in": "2", "out": "3", "none": ""}
_USERS_DIGIT = {"all": "1", "in": "2", "out": "3", "none": "3"}
_CLUSTER_DIGIT = "1"  # `propagate` is forced to true for network clients

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channel:
    name: str
    scope: str
    users: str


@dataclass
class Room:
    id: str
    index: str
    collection: str
    filters: dict[str, Any]
    matcher: Matcher
    channels: dict[str, Channel] = field(default_factory=dict)
    # connection id -> channels joined, and the volatile given at subscribe time
    customers: dict[str, set[str]] = field(default_factory=dict)
    volatiles: dict[str, dict[str, Any] | None] = field(default_factory=dict)


def channel_for(room: str, scope: str, users: str) -> Channel:
    suffix = f"{_USERS_DIGIT[users]}{_CLUSTER_DIGIT}{_SCOPE_DIGIT[scope]}"
    return Channel(f"{room}-{suffix}", scope, users)


async def push(connection: ClientConnection, payload: dict[str, Any]) -> None:
    """Send one message; a socket closing meanwhile is not the sender's problem."""
    if connection.push is None:
        return
    try:
        await connection.push(json.dumps(payload))
    except (ConnectionError, RuntimeError) as error:
        log.debug("dropped a notification to %s: %s", connection.id, error)


class HotelClerk:
    """Rooms, channels and the connections subscribed to them (in memory, as in Kuzzle)."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self._connections: dict[str, ClientConnection] = {}

    def reset(self) -> None:
        self.rooms.clear()
        self._connections.clear()

    # Subscribing

    async def subscribe(self, request: KuzzleRequest) -> dict[str, str]:
        index, collection = request.get_index(), request.get_collection()
        filters = request.body if request.body is not None else {}
        matcher = compile_filter(filters)
        rid = room_id(index, collection, filters)
        room = self.rooms.get(rid) or Room(rid, index, collection, filters, matcher)
        return await self._enter(request, room)

    async def join(self, request: KuzzleRequest) -> dict[str, str]:
        rid = request.get_body_field("roomId", str, "string")
        room = self.rooms.get(rid)
        if room is None:
            raise kerror("core.realtime.room_not_found", rid)
        return await self._enter(request, room)

    async def _enter(self, request: KuzzleRequest, room: Room) -> dict[str, str]:
        scope = request.get_string("scope", "all")
        if scope not in _SCOPE_DIGIT:
            raise kerror("core.realtime.invalid_scope")
        users = request.get_string("users", "none")
        if users not in _USERS_DIGIT:
            raise kerror("core.realtime.invalid_users")
        channel = channel_for(room.id, scope, users)
        connection = request.connection
        self.rooms[room.id] = room
        self._connections[connection.id] = connection
        room.channels.setdefault(channel.name, channel)
        is_new_customer = connection.id not in room.customers
        room.customers.setdefault(connection.id, set()).add(channel.name)
        if is_new_customer:
            room.volatiles[connection.id] = request.volatile
            await self._notify_user(room, request, "in", request.volatile)
        return {"roomId": room.id, "channel": channel.name}

    async def unsubscribe(self, request: KuzzleRequest) -> dict[str, str]:
        rid = request.get_body_field("roomId", str, "string")
        room = self.rooms.get(rid)
        if room is None or request.connection.id not in room.customers:
            raise kerror("core.realtime.not_subscribed", request.kuid, rid)
        await self._leave(room, request.connection.id, request, request.volatile)
        return {"roomId": rid}

    async def remove_connection(self, connection_id: str) -> None:
        """Connection closed or its token expired: leave every room (docs/protocol.md §2.9)."""
        for room in [r for r in self.rooms.values() if connection_id in r.customers]:
            await self._leave(room, connection_id, None, room.volatiles.get(connection_id))
        self._connections.pop(connection_id, None)

    async def _leave(
        self,
        room: Room,
        connection_id: str,
        request: KuzzleRequest | None,
        volatile: dict[str, Any] | None,
    ) -> None:
        room.customers.pop(connection_id, None)
        room.volatiles.pop(connection_id, None)
        if not room.customers:
            # A room with nobody left is deleted and nobody hears the "out" (hotelClerk.ts).
            del self.rooms[room.id]
            return
        await self._notify_user(room, request, "out", volatile, action="unsubscribe")

    # Reading

    def count(self, rid: str) -> int:
        room = self.rooms.get(rid)
        if room is None:
            raise kerror("core.realtime.room_not_found", rid)
        return len(room.customers)

    def listing(self) -> dict[str, dict[str, dict[str, int]]]:
        listing: dict[str, dict[str, dict[str, int]]] = {}
        for room in self.rooms.values():
            by_collection = listing.setdefault(room.index, {}).setdefault(room.collection, {})
            by_collection[room.id] = len(room.customers)
        return listing

    def collections_of(self, index: str) -> list[str]:
        return sorted({r.collection for r in self.rooms.values() if r.index == index})

    # Notifying

    def matching_rooms(self, index: str, collection: str, document: dict[str, Any]) -> set[str]:
        return {
            room.id
            for room in self.rooms.values()
            if room.index == index and room.collection == collection and room.matcher(document)
        }

    async def notify_document(
        self,
        room_ids: set[str],
        request: KuzzleRequest,
        scope: str,
        action: str,
        result: dict[str, Any],
    ) -> None:
        event = {"delete": "delete", "publish": "publish"}.get(action, "write")
        notification = {
            "type": "document",
            "status": 200,
            "action": action,
            "scope": scope,
            "result": result,
            "node": NODE_ID,
            "event": event,
            "requestId": request.request_id,
            "timestamp": request.timestamp,
            "volatile": request.volatile,
            "index": request.args.get("index"),
            "collection": request.args.get("collection"),
            "controller": request.controller,
            "protocol": request.connection.protocol,
        }
        for rid in sorted(room_ids):
            room = self.rooms.get(rid)
            if room is not None:
                await self._broadcast(room, notification, lambda c: c.scope in ("all", scope))

    async def _notify_user(
        self,
        room: Room,
        request: KuzzleRequest | None,
        event: str,
        volatile: dict[str, Any] | None,
        action: str = "subscribe",
    ) -> None:
        notification = {
            "type": "user",
            "status": 200,
            "user": event,
            "result": {"count": len(room.customers)},
            "node": NODE_ID,
            "timestamp": request.timestamp if request else int(time.time() * 1000),
            "volatile": volatile,
            "index": room.index,
            "collection": room.collection,
            "controller": "realtime",
            "action": action,
            "protocol": request.connection.protocol if request else "websocket",
        }
        await self._broadcast(room, notification, lambda c: c.users in ("all", event))

    async def _broadcast(
        self, room: Room, notification: dict[str, Any], wanted: Callable[[Channel], bool]
    ) -> None:
        for connection_id, channel_names in list(room.customers.items()):
            connection = self._connections.get(connection_id)
            if connection is None:
                continue
            for name in sorted(channel_names):
                if wanted(room.channels[name]):
                    await push(connection, {**notification, "room": name})
