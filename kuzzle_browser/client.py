"""The ``Kuzzle`` client: options, events, controllers, the offline queue and the protocol's events.

Theory of operation
-------------------
``Kuzzle`` wraps a protocol (a :class:`~kuzzle_browser.network_protocol.NetworkProtocol`)
and owns everything above the wire; its :class:`~kuzzle_browser.session.Session` holds
the authentication state:

- :meth:`Kuzzle.query` builds the wire request
  (:func:`~kuzzle_browser.protocol.request_builder.build_request`), then either
  sends it or, while queuing, parks it in the offline queue;
- queuing starts on ``connect()`` and on network errors when ``auto_queue`` is
  on, and stops on (re)connection; ``auto_replay`` replays the queue then;
- after a reconnection, a logged-in client checks its token (and calls the
  ``authenticator`` hook if it is no longer valid), restores its subscriptions,
  replays the queue, then emits ``reconnected``;
- when that re-authentication fails (or the token expires, or a reloaded page
  restored requests made while logged in and has no session), the client stays
  connected but *waits for a login*: ``login_required`` is True,
  ``loginRequired`` ``{"error", "waiting": N}`` is emitted, queued requests are
  kept (new ones queue too with ``auto_queue``; ``queuable=False`` ones, such
  as ``auth.login``, go out), and the next successful login restores the
  subscriptions and replays the queue with the new credentials. JS SDK 7.17.1
  disconnects instead and its queue never replays;
- ``tokenExpired`` fires on ``security.token.invalid`` and
  ``security.token.expired`` errors and on Kuzzle's ``TokenExpired`` push
  (JS SDK 7.17.1 ignores ``security.token.expired``).
"""

from __future__ import annotations

import asyncio
import keyword
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from kuzzle_browser import __version__
from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.errors import InvalidArgumentError, InvalidStateError, KuzzleError, NotConnectedError
from kuzzle_browser.events import EventEmitter, EventStream
from kuzzle_browser.network_protocol import NetworkProtocol, missing_members
from kuzzle_browser.offline import OfflineRequests
from kuzzle_browser.options import DEFAULT, Timeout, check_flag, check_optional_duration
from kuzzle_browser.protocol.request_builder import build_request
from kuzzle_browser.session import Session

if TYPE_CHECKING:
    from kuzzle_browser.controllers.admin import CollectionController, IndexController, ServerController
    from kuzzle_browser.controllers.auth import AuthController
    from kuzzle_browser.controllers.bulk import BulkController
    from kuzzle_browser.controllers.document import DocumentController
    from kuzzle_browser.controllers.ms import MemoryStorageController
    from kuzzle_browser.controllers.realtime import RealtimeController
    from kuzzle_browser.controllers.security import SecurityController

__all__ = ["KUZZLE_EVENTS", "SDK_NAME", "Kuzzle"]

logger = logging.getLogger("kuzzle_browser.client")

# Kuzzle checks volatile.sdkName "name@version" only for names in its
# compatibility table (js, csharp, cpp, java, android, go, php); ours is not
# one of them, so no version rule applies (docs/protocol.md §4.4).
SDK_NAME: Final = f"python-browser@{__version__}"

KUZZLE_EVENTS: Final = frozenset(
    {
        "connected",
        "reconnected",
        "disconnected",
        "networkError",
        "reconnectionError",
        "loginRequired",
        "tokenExpired",
        "reAuthenticated",
        "queryError",
        "discarded",
        "offlineQueuePush",
        "offlineQueuePop",
        "beforeLogin",
        "loginAttempt",
        "afterLogin",
        "beforeLogout",
        "logoutAttempt",
        "afterLogout",
        "callbackError",
    }
)


ControllerT = TypeVar("ControllerT", bound=BaseController)
QueueFilter = Callable[[dict[str, Any]], bool]
QueueLoader = Callable[[], Iterable[Mapping[str, Any]] | Awaitable[Iterable[Mapping[str, Any]]]]
Authenticator = Callable[[], Awaitable[None]]


class Kuzzle(EventEmitter):
    """The Kuzzle SDK entry point: ``kuzzle = Kuzzle(WebSocket("127.0.0.1"))``, then
    ``await kuzzle.connect()``, ``await kuzzle.auth.login(...)``, ``kuzzle.document``...

    Args:
        protocol: :class:`~kuzzle_browser.WebSocket`, or :class:`~kuzzle_browser.Http`
            (no realtime subscriptions), or any :class:`~kuzzle_browser.network_protocol.NetworkProtocol`.
        auto_queue: Queue requests while offline.
        auto_replay: Replay the queue when the connection comes back.
        auto_resubscribe: Default for each subscription's ``auto_resubscribe``.
        offline_mode: ``"auto"``: ``auto_queue`` and ``auto_replay``; ``"manual"``: neither.
        queue_ttl: Seconds a request may wait in the queue; ``0``/``None``: no limit.
        queue_max_size: Most requests in the queue; ``0``/``None``: no limit.
        queue_filter: ``filter(request) -> bool``; False: fail now, do not queue.
        offline_queue_loader: ``() -> [{"request": ...}, ...]`` (sync or async): put in
            front of the queue before a replay.
        replay_interval: Seconds between two replayed requests.
        request_timeout: Seconds to wait for an answer; ``None``: until the link drops.
        token_expired_interval: Least seconds between two ``tokenExpired``.
        volatile: Merged into every request's ``volatile``.
        cookie_auth: Authenticate with Kuzzle's HttpOnly cookie: Python never sees the
            token; login/logout/refreshToken go over HTTP and the socket is renewed.
        offline_queue_storage: A ``localStorage`` key to keep the queue in, so it
            survives a page reload.
        deprecation_warning: Log the deprecations Kuzzle reports.
        sdk_name: Sent as ``volatile.sdkName``.

    Raises:
        InvalidArgumentError: An option has the wrong type or value.
    """

    def __init__(
        self,
        protocol: NetworkProtocol,
        *,
        auto_queue: bool = False,
        auto_replay: bool = False,
        auto_resubscribe: bool = True,
        offline_mode: Literal["auto", "manual"] | None = None,
        queue_ttl: float | None = 120.0,
        queue_max_size: int | None = 500,
        queue_filter: QueueFilter | None = None,
        offline_queue_loader: QueueLoader | None = None,
        replay_interval: float = 0.01,
        request_timeout: float | None = None,
        token_expired_interval: float = 1.0,
        volatile: Mapping[str, Any] | None = None,
        cookie_auth: bool = False,
        offline_queue_storage: str | None = None,
        deprecation_warning: bool = True,
        sdk_name: str = SDK_NAME,
    ) -> None:
        super().__init__(KUZZLE_EVENTS)
        if missing := missing_members(protocol):
            raise InvalidArgumentError(f"The protocol lacks {', '.join(missing)} (see NetworkProtocol)")
        if offline_mode not in (None, "auto", "manual"):
            raise InvalidArgumentError(f'offline_mode must be "auto", "manual" or None, got {offline_mode!r}')
        self.protocol = protocol
        """The protocol instance."""
        self.auto_queue = check_flag("auto_queue", auto_queue) or offline_mode == "auto"
        self.auto_replay = check_flag("auto_replay", auto_replay) or offline_mode == "auto"
        self.auto_resubscribe = check_flag("auto_resubscribe", auto_resubscribe)
        if offline_queue_storage is not None and (
            not isinstance(offline_queue_storage, str) or not offline_queue_storage
        ):
            raise InvalidArgumentError("offline_queue_storage must be a non-empty string (a storage key)")
        self._offline = OfflineRequests(
            self,
            self._send,
            ttl=check_optional_duration("queue_ttl", queue_ttl),
            max_size=None,
            storage_key=offline_queue_storage,
        )
        self.queue_max_size = queue_max_size
        for name, hook in (("queue_filter", queue_filter), ("offline_queue_loader", offline_queue_loader)):
            if hook is not None and not callable(hook):
                raise InvalidArgumentError(f"{name} must be callable or None")
        self.queue_filter = queue_filter
        self.offline_queue_loader = offline_queue_loader
        self.replay_interval = check_optional_duration("replay_interval", replay_interval) or 0.0
        self.request_timeout = check_optional_duration("request_timeout", request_timeout)
        self.token_expired_interval = (
            check_optional_duration("token_expired_interval", token_expired_interval) or 0.0
        )
        if volatile is not None and not isinstance(volatile, Mapping):
            raise InvalidArgumentError("volatile must be a dict")
        self.volatile: dict[str, Any] = dict(volatile or {})
        """Merged into every request's ``volatile``."""
        self.cookie_auth = check_flag("cookie_auth", cookie_auth)
        self.deprecation_warning = check_flag("deprecation_warning", deprecation_warning)
        if not isinstance(sdk_name, str) or not sdk_name:
            raise InvalidArgumentError("sdk_name must be a non-empty string")
        self.sdk_name = sdk_name
        """Sent as ``volatile.sdkName``."""
        self.sdk_version = __version__
        """This package's version (never sent: Kuzzle 2 rejects ``sdkVersion``)."""
        self.authenticator: Authenticator | None = None
        """``async () -> None`` that logs in again, run when the session is lost."""
        self.session = Session(self.cookie_auth, self._after_login)
        if self.cookie_auth:
            protocol.enable_cookie_support()

        self._wire_protocol()

    # -- controllers: each made (and its module imported) on first use -------------------
    # A page pays for what it imports before it can connect, and compiling Python is
    # slow in Pyodide (about 0.7 ms per kB of source).

    @cached_property
    def auth(self) -> AuthController:
        from kuzzle_browser.controllers.auth import AuthController

        return AuthController(self)

    @cached_property
    def bulk(self) -> BulkController:
        from kuzzle_browser.controllers.bulk import BulkController

        return BulkController(self)

    @cached_property
    def collection(self) -> CollectionController:
        from kuzzle_browser.controllers.admin import CollectionController

        return CollectionController(self)

    @cached_property
    def document(self) -> DocumentController:
        from kuzzle_browser.controllers.document import DocumentController

        return DocumentController(self)

    @cached_property
    def index(self) -> IndexController:
        from kuzzle_browser.controllers.admin import IndexController

        return IndexController(self)

    @cached_property
    def realtime(self) -> RealtimeController:
        from kuzzle_browser.controllers.realtime import RealtimeController

        return RealtimeController(self)

    @cached_property
    def server(self) -> ServerController:
        from kuzzle_browser.controllers.admin import ServerController

        return ServerController(self)

    @cached_property
    def security(self) -> SecurityController:
        """``kuzzle.security``: users, profiles, roles, imported on first use."""
        from kuzzle_browser.controllers.security import SecurityController

        return SecurityController(self)

    @cached_property
    def ms(self) -> MemoryStorageController:
        """``kuzzle.ms``: memory storage (Redis commands), imported on first use."""
        from kuzzle_browser.controllers.ms import MemoryStorageController

        return MemoryStorageController(self)

    @property
    def connected(self) -> bool:
        """True while the protocol is connected."""
        return bool(self.protocol.connected)

    @property
    def jwt(self) -> str | None:
        """The authentication token; ``None`` with ``cookie_auth`` (it stays in the cookie)."""
        return self.session.token

    @jwt.setter
    def jwt(self, value: str | None) -> None:
        self.session.use_token(value)

    def set_api_key(self, api_key: str) -> None:
        """Authenticate with an API key (``kapikey-...``)."""
        if not isinstance(api_key, str) or not api_key.startswith("kapikey-"):
            raise InvalidArgumentError("Invalid API key. Missing the `kapikey-` prefix.")
        self.jwt = api_key

    @property
    def authenticated(self) -> bool:
        """True when logged in: a non-expired token, or a valid cookie session."""
        return self.session.authenticated(time.time())

    @property
    def cookie_authentication(self) -> bool:
        """``cookie_auth``."""
        return self.cookie_auth

    @property
    def auto_reconnect(self) -> bool:
        """The protocol's ``auto_reconnect`` (False for :class:`~kuzzle_browser.Http`)."""
        return bool(getattr(self.protocol, "auto_reconnect", False))

    @property
    def reconnection_delay(self) -> float | None:
        """The protocol's ``reconnection_delay`` (``None`` for :class:`~kuzzle_browser.Http`)."""
        delay = getattr(self.protocol, "reconnection_delay", None)
        return float(delay) if delay is not None else None

    async def is_authenticated(self) -> bool:
        """Ask Kuzzle whether this client's session (token or cookie) is valid and not anonymous."""
        try:
            result = await self.auth.check_token(queuable=False)
        except KuzzleError:
            return False
        return bool(result.get("valid")) and result.get("kuid") != "-1"

    async def try_reauthenticate(self) -> bool:
        """Check the session, run :attr:`authenticator` if it is gone; True if logged in.

        Called after each reconnection; a failure emits ``reconnectionError``.
        """
        return await self._try_reauthenticate() is None

    @property
    def login_required(self) -> bool:
        """True while the session is gone and queued requests wait for a login.

        Call :meth:`AuthController.login <kuzzle_browser.controllers.auth.AuthController.login>`:
        the queue then replays with the new credentials (event ``loginRequired``).
        """
        return self.session.login_required

    @property
    def queue_max_size(self) -> int | None:
        """Most requests the offline queue holds; the oldest go first."""
        return self._offline.queue.max_size

    @queue_max_size.setter
    def queue_max_size(self, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InvalidArgumentError(f"queue_max_size must be an int >= 0 or None, got {value!r}")
        self._offline.queue.max_size = value

    @property
    def queue_ttl(self) -> float | None:
        """Seconds a request may wait in the offline queue."""
        return self._offline.queue.ttl

    @queue_ttl.setter
    def queue_ttl(self, value: float | None) -> None:
        self._offline.queue.ttl = check_optional_duration("queue_ttl", value)

    @property
    def offline_queue(self) -> list[dict[str, Any]]:
        """The queued requests, oldest first (copies)."""
        return self._offline.requests

    @property
    def host(self) -> str:
        """Kuzzle server host."""
        return self.protocol.host

    @property
    def port(self) -> int:
        """Kuzzle server port."""
        return self.protocol.port

    @property
    def ssl(self) -> bool:
        """True when ``wss://``/``https://`` are used."""
        return self.protocol.ssl

    # -- connection ----------------------------------------------------------------------

    def _wire_protocol(self) -> None:
        protocol = self.protocol
        for name in ("queryError", "discarded"):
            protocol.on(name, partial(self.emit, name))
        protocol.on("tokenExpired", lambda: self._spawn(self.token_expired()))
        protocol.on("connect", self._protocol_connected)
        protocol.on("reconnect", lambda: self._spawn(self._reconnected()))
        protocol.on("networkError", self._protocol_network_error)
        protocol.on("disconnect", lambda payload: self.emit("disconnected", payload))
        protocol.on("websocketRenewalDone", self._resubscribe_all)

    async def _resubscribe_all(self) -> None:
        # No realtime controller yet means no subscription to restore.
        if "realtime" in self.__dict__:
            await self.realtime._resubscribe_all()

    def _protocol_connected(self) -> None:
        if self.auto_queue:
            self.stop_queuing()
        self.emit("connected")
        self._spawn(self._first_connection(self.jwt))

    async def _first_connection(self, jwt_at_connect: str | None) -> None:
        # Like the JS SDK: after the first connection, ask Kuzzle whether the
        # token (or the cookie) is still valid. Requests restored from the page's
        # storage that were made while logged in wait for a login, never go anonymous.
        # A token set once connect() returned is the caller's: it stands as set, as
        # checking it would spend a single-use one (Kuzzle's checkToken verifies, and
        # verifying forgets those: kuzzle lib/core/security/tokenRepository.ts).
        session = self.session
        if session.token == jwt_at_connect:
            session.active = await self.is_authenticated()
        if session.active:
            session.login_required = False
        elif session.login_required or self._offline.queue.needs_login():
            self._hold_for_login(KuzzleError("Requests saved before the page reloaded wait for a login"))
            return
        await self._restore_then_replay()

    async def _restore_then_replay(self) -> None:
        # Subscriptions set aside by an earlier disconnect() come back before the
        # queue replays, so this client hears about its own replayed changes.
        await self._resubscribe_all()
        if self.auto_replay:
            self.play_queue()

    def _hold_for_login(self, error: KuzzleError) -> None:
        # The session is gone: keep the queue (and queue new requests) until a login.
        self.session.logged_out()  # Kuzzle no longer accepts the token
        self.session.login_required = True
        if self.auto_queue:
            self.start_queuing()
        self.emit("loginRequired", {"error": error, "waiting": len(self._offline.queue)})

    def _after_login(self, held: bool) -> None:
        # auth.login succeeded: subscriptions come back; a queue held for a login replays.
        if not held:
            if "realtime" in self.__dict__:
                self.realtime._resume_suspended()
            return
        if self.protocol.is_ready():
            if self.auto_queue:
                self.stop_queuing()
            self._spawn(self._restore_then_replay())

    def _protocol_network_error(self, error: KuzzleError) -> None:
        if self.auto_queue:
            self.start_queuing()
        self.emit("networkError", error)

    async def connect(self) -> None:
        """Connect to Kuzzle; emits ``connected`` (first time) or ``reconnected``.

        With ``auto_queue``, requests made while this is pending are queued.

        Raises:
            NetworkError: The server cannot be reached (reconnection goes on in the
                background when the protocol's ``auto_reconnect`` is on).
        """
        if self.protocol.is_ready():
            return
        self._offline.restore()
        if self.auto_queue:
            self.start_queuing()
        await self.protocol.connect()

    async def disconnect(self) -> None:
        """Close the connection and stop reconnecting; ``connect()`` opens it again."""
        self.session.active = False
        self.protocol.close()

    async def __aenter__(self) -> Kuzzle:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.disconnect()

    async def _reconnected(self) -> None:
        if self.session.reauthenticating:
            return
        if self.session.login_required:
            # Still signed out from before the drop: keep waiting for a login.
            waiting = len(self._offline.queue)
            self.emit("loginRequired", {"error": KuzzleError("Log in again"), "waiting": waiting})
            return
        if self.auto_queue:
            self.stop_queuing()
        if self.session.active and (error := await self._try_reauthenticate()) is not None:
            self._hold_for_login(error)
            return
        # Resubscribe before replaying: the replayed writes must find this
        # client (and its room) subscribed again, or their notifications are lost
        # (JS SDK 7.17.1 replays first, then resubscribes on "reconnected").
        await self._resubscribe_all()
        if self.auto_replay:
            self.play_queue()
        self.emit("reconnected")

    async def _try_reauthenticate(self) -> KuzzleError | None:
        # Check the session, run the authenticator if it is gone; the error, or None when logged in.
        self.session.reauthenticating = True
        error: KuzzleError
        try:
            if await self.is_authenticated():
                return None
            if self.authenticator is None:
                error = InvalidStateError('Could not re-authenticate: "authenticator" property is not set.')
            else:
                await self.authenticate()
                return None
        except Exception as exc:
            error = KuzzleError(f"Failed to authenticate the SDK after reconnection: {exc}")
        finally:
            self.session.reauthenticating = False
        self.emit("reconnectionError", {"error": error})
        return error

    async def authenticate(self) -> None:
        """Run :attr:`authenticator`, then check that the SDK is logged in.

        Raises:
            InvalidStateError: No authenticator is set; set :attr:`authenticator` first.
            KuzzleError: The authenticator did not log in.
        """
        if self.authenticator is None:
            raise InvalidStateError('The "authenticator" property is not set.')
        await self.authenticator()
        if not await self.is_authenticated():
            raise KuzzleError('The "authenticator" function failed to authenticate the SDK.')
        self.session.active = True

    async def token_expired(self) -> None:
        """Handle an expired token: re-authenticate with :attr:`authenticator`, else emit ``tokenExpired``."""
        session = self.session
        if session.reauthenticating:
            return
        if session.active and self.authenticator is not None and await self._try_reauthenticate() is None:
            self.emit("reAuthenticated")
            return
        if not session.token_expired(asyncio.get_running_loop().time(), self.token_expired_interval):
            return
        if session.active:
            self._hold_for_login(KuzzleError("The session expired", id="security.token.expired", status=401))
        self.emit("tokenExpired")

    # -- the request pipeline -----------------------------------------------------------------

    async def query(
        self,
        request: Mapping[str, Any],
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
        **api_args: Any,
    ) -> dict[str, Any]:
        """Send a raw API request (controllers call this) and return Kuzzle's whole response.

        Args:
            request: ``{"controller", "action", ...}`` as in Kuzzle's API docs.
            queuable: False: never put this request in the offline queue.
            timeout: Seconds to wait for the answer (default: ``request_timeout``).
            **api_args: Extra API arguments (``refresh="wait_for"``, ``silent=True``...),
                added to the request.

        Raises:
            InvalidArgumentError: The request is malformed; nothing was sent.
            ApiError: Kuzzle answered with an error.
            NotConnectedError: Offline and not queued.
            RequestTimeoutError: No answer in time.
            NetworkError: The link dropped before the answer.
        """
        wire = build_request(
            request, api_args, self.volatile, self.protocol.id, self.sdk_name, self.session.token
        )
        delay = self.request_timeout if timeout is DEFAULT else check_optional_duration("timeout", timeout)
        if self._offline.queuing:
            if queuable and (self.queue_filter is None or self.queue_filter(wire)):
                return await self._offline.enqueue(wire, delay)
            if self.session.login_required and self.protocol.is_ready():
                return await self._send(wire, delay)  # auth.login while the queue waits for it
            self.emit("discarded", {"request": wire})
            raise NotConnectedError(
                "Unable to execute request: not connected to a Kuzzle server.", request=wire
            )
        response = await self.protocol.query(wire, timeout=delay)  # _send() inlined: the hot path
        if self.deprecation_warning and response.get("deprecations"):
            self._warn_deprecations(wire, response["deprecations"])
        return response

    # -- the offline queue -------------------------------------------------------------------

    def start_queuing(self) -> None:
        """Queue requests instead of sending them (until :meth:`stop_queuing`)."""
        self._offline.queuing = True

    def stop_queuing(self) -> None:
        """Send requests again instead of queuing them; the queue is kept."""
        self._offline.queuing = False

    def flush_queue(self) -> None:
        """Empty the offline queue; the dropped requests fail with :class:`RequestDiscardedError`."""
        self._offline.flush()

    def play_queue(self) -> None:
        """Replay the offline queue now, in order (only when connected and not waiting for a login)."""
        if self.protocol.is_ready() and not self.session.login_required:
            self._spawn(self._offline.replay())

    async def _send(self, request: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        response = await self.protocol.query(request, timeout=timeout)
        if self.deprecation_warning and response.get("deprecations"):
            self._warn_deprecations(request, response["deprecations"])
        return response

    @staticmethod
    def _warn_deprecations(request: dict[str, Any], deprecations: list[dict[str, Any]]) -> None:
        for deprecation in deprecations:
            logger.warning(
                "Kuzzle: %s:%s is deprecated since %s: %s",
                request.get("controller"),
                request.get("action"),
                deprecation.get("version"),
                deprecation.get("message"),
            )

    # -- app controllers ---------------------------------------------------------------------

    def use_controller(self, controller_class: type[ControllerT], accessor: str) -> ControllerT:
        """Add an app's controller: ``controller_class(self)`` becomes ``kuzzle.<accessor>``
        and is returned, so type checkers know its methods.

        Args:
            controller_class: A :class:`~kuzzle_browser.controllers.base.BaseController` subclass.
            accessor: The attribute name: an identifier, not starting with ``_``.

        Raises:
            InvalidArgumentError: A bad or taken accessor, a nameless controller, or one
                not bound to this SDK.
        """
        if (
            not isinstance(accessor, str)
            or not accessor.isidentifier()
            or keyword.iskeyword(accessor)
            or accessor.startswith("_")
        ):
            raise InvalidArgumentError(
                f"You must provide a valid accessor (an identifier not starting with _), got {accessor!r}."
            )
        if hasattr(self, accessor):
            raise InvalidArgumentError(
                f"There is already a controller with the accessor '{accessor}'. Please use another one."
            )
        if not (isinstance(controller_class, type) and issubclass(controller_class, BaseController)):
            raise InvalidArgumentError(f"{controller_class!r} is not a BaseController subclass")
        controller = controller_class(self)
        if not (isinstance(controller.name, str) and controller.name):
            raise InvalidArgumentError("Controllers must have a name.")
        if controller.kuzzle is not self:
            raise InvalidArgumentError("You must pass the Kuzzle SDK instance to the parent constructor.")
        setattr(self, accessor, controller)
        return controller

    # -- events ----------------------------------------------------------------------------

    def iter_events(self, *names: str) -> EventStream:
        """Events (all when no name is given) as an async iterator of ``(name, payload)``;
        listening starts at this call (``async with kuzzle.iter_events(...) as events``)."""
        return EventStream(self, names or sorted(self.events))

    def __repr__(self) -> str:
        return f"<Kuzzle {self.protocol!r} authenticated={self.authenticated}>"
