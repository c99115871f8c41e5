"""The ``realtime`` controller: subscribe to changes and messages, publish, count.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/realtime/

Subscriptions survive the link: when it drops they are set aside, and after
``reconnected`` (and after a cookie renewal, and after a fresh login that
follows a token expiry) they are sent again with the same filters, keeping
their room ids. JS SDK 7.17.1 does not restore them after a cookie renewal and
drops them for good on token expiry.

Restoring is coalesced: when a reconnection, a renewal and a login ask for it
at once, one pass runs (and one more if a request came in during it), so no
subscription is sent twice or gets its listener twice. After each restore a
subscription calls its ``on_restored`` callbacks: a live query re-reads there,
after its notifications flow again, so nothing falls in between.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.errors import InvalidArgumentError, KuzzleError
from kuzzle_browser.subscription import NotificationCallback, Subscription

__all__ = ["RealtimeController"]

logger = logging.getLogger("kuzzle_browser.realtime")

Scope = Literal["all", "in", "out", "none"]
Users = Literal["all", "in", "out", "none"]
_SCOPES = ("all", "in", "out", "none")


class RealtimeController(BaseController):
    """``kuzzle.realtime``."""

    name = "realtime"

    def __init__(self, kuzzle: Any) -> None:
        super().__init__(kuzzle)
        self._subscriptions: list[Subscription] = []
        self._restoring: asyncio.Future[None] | None = None
        self._restore_again = False
        kuzzle.on("disconnected", lambda payload: self._detach_all())
        kuzzle.on("networkError", lambda error: self._detach_all())
        # Kuzzle itself resubscribes after (re)connections, before replaying its queue.
        kuzzle.on("reAuthenticated", self._resubscribe_all)
        # On TokenExpired Kuzzle drops this connection's subscriptions; keep them
        # set aside until the next successful login (AuthController.login).
        kuzzle.on("tokenExpired", self._detach_all)

    @property
    def subscriptions(self) -> list[Subscription]:
        """The active subscriptions."""
        return list(self._subscriptions)

    async def subscribe(
        self,
        index: str,
        collection: str,
        filters: dict[str, Any] | None = None,
        callback: NotificationCallback | None = None,
        *,
        scope: Scope = "all",
        users: Users = "none",
        volatile: dict[str, Any] | None = None,
        subscribe_to_self: bool = True,
        auto_resubscribe: bool | None = None,
    ) -> Subscription:
        """Subscribe to documents and messages of a collection that match ``filters`` (Koncorde).

        Args:
            filters: Koncorde filters, e.g. ``{"equals": {"status": "open"}}``; ``{}`` matches all.
            callback: Called with each notification (sync or async); without it,
                iterate the returned subscription.
            scope: Document notifications to get: entering (``in``), leaving (``out``), ``all``, ``none``.
            users: User join/leave notifications: ``all``, ``in``, ``out``, ``none``.
            volatile: Sent with the user notifications this subscription causes.
            subscribe_to_self: False drops notifications caused by this SDK instance.
            auto_resubscribe: Restore after a reconnection (default: the client's ``auto_resubscribe``).

        Returns:
            The :class:`~kuzzle_browser.Subscription`; ``subscription.room_id`` is Kuzzle's room id.
        """
        if scope not in _SCOPES:
            raise InvalidArgumentError(f"scope must be one of {_SCOPES}, got {scope!r}")
        if users not in _SCOPES:
            raise InvalidArgumentError(f"users must be one of {_SCOPES}, got {users!r}")
        if callback is not None and not callable(callback):
            raise InvalidArgumentError("callback must be callable")
        request: dict[str, Any] = {
            "controller": self.name,
            "action": "subscribe",
            "index": index,
            "collection": collection,
            "body": filters or {},
            "scope": scope,
            "users": users,
        }
        if volatile is not None:
            request["volatile"] = volatile
        subscription = Subscription(
            self,
            request,
            callback,
            subscribe_to_self=subscribe_to_self,
            auto_resubscribe=self.kuzzle.auto_resubscribe if auto_resubscribe is None else auto_resubscribe,
        )
        await self._attach(subscription)
        subscription.active = True
        self._subscriptions.append(subscription)
        return subscription

    async def _attach(self, subscription: Subscription) -> None:
        response = await self.kuzzle.query(dict(subscription.request), queuable=False)
        result = response.get("result") or {}
        subscription.room_id = str(result.get("roomId"))
        subscription.channel = str(result.get("channel"))
        if not getattr(subscription, "_attached", False):
            self.kuzzle.protocol.add_channel_listener(subscription.channel, subscription._deliver)
            subscription._attached = True  # type: ignore[attr-defined]

    def _detach(self, subscription: Subscription) -> None:
        if getattr(subscription, "_attached", False):
            self.kuzzle.protocol.remove_channel_listener(subscription.channel, subscription._deliver)
            subscription._attached = False  # type: ignore[attr-defined]

    def _detach_all(self) -> None:
        for subscription in self._subscriptions:
            self._detach(subscription)

    async def _resubscribe_all(self) -> None:
        """Send every set-aside subscription again (after reconnection, renewal or re-login)."""
        if self._restoring is not None:
            self._restore_again = True
            await asyncio.shield(self._restoring)
            return
        self._restoring = done = asyncio.get_running_loop().create_future()
        try:
            self._restore_again = True
            while self._restore_again:
                self._restore_again = False
                await self._resubscribe_once()
        finally:
            self._restoring = None
            done.set_result(None)

    async def _resubscribe_once(self) -> None:
        for subscription in list(self._subscriptions):
            self._detach(subscription)
            if not subscription.auto_resubscribe:
                self._forget(subscription)
                continue
            try:
                await self._attach(subscription)
            except KuzzleError as exc:
                logger.warning("Resubscription to %s failed: %s", subscription.room_id, exc)
                self.kuzzle.emit("discarded", {"request": subscription.request})
            else:
                subscription._restored()

    def save_subscriptions(self) -> None:
        """Set every subscription aside until :meth:`resubscribe` (the client does it on a
        connection loss and on ``tokenExpired``)."""
        self._detach_all()

    async def resubscribe(self) -> None:
        """Subscribe again to what :meth:`save_subscriptions` set aside (the client does it
        after each reconnection, cookie renewal and login); those without
        ``auto_resubscribe`` are dropped."""
        await self._resubscribe_all()

    def remove_subscriptions(self) -> None:
        """Forget every subscription without telling Kuzzle (for a connection it already
        dropped); their ``async for`` loops end."""
        for subscription in list(self._subscriptions):
            self._forget(subscription)

    def _resume_suspended(self) -> None:
        if any(not getattr(s, "_attached", False) for s in self._subscriptions):
            self.kuzzle._spawn(self._resubscribe_all())

    def _forget(self, subscription: Subscription) -> None:
        self._detach(subscription)
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
        subscription._end()

    async def _unsubscribe(self, subscription: Subscription) -> None:
        if subscription not in self._subscriptions:
            return
        self._forget(subscription)
        # Kuzzle removes the whole room from the connection, so keep it while
        # another local subscription still uses it (JS SDK 7 removes them all).
        if any(other.room_id == subscription.room_id for other in self._subscriptions):
            return
        if self.kuzzle.connected:
            await self._send("unsubscribe", {"body": {"roomId": subscription.room_id}}, queuable=False)

    async def unsubscribe(self, room: str | Subscription) -> None:
        """Unsubscribe a :class:`Subscription`, or every local subscription of a room id.

        Raises:
            PreconditionError: ``core.realtime.not_subscribed`` for an unknown room id.
        """
        if isinstance(room, Subscription):
            await self._unsubscribe(room)
            return
        matching = [s for s in self._subscriptions if s.room_id == room]
        for subscription in matching:
            self._forget(subscription)
        await self._send("unsubscribe", {"body": {"roomId": room}}, queuable=False)

    async def publish(
        self, index: str, collection: str, message: dict[str, Any], *, _id: str | None = None
    ) -> bool:
        """Send ``message`` to the collection's subscribers without storing it."""
        result = await self._result(
            "publish", {"index": index, "collection": collection, "body": message, "_id": _id}
        )
        return bool(result.get("published"))

    async def count(self, room_id: str) -> int:
        """How many connections are subscribed to ``room_id``."""
        result = await self._result("count", {"body": {"roomId": room_id}})
        return int(result["count"])
