"""The one exception tree of kuzzle_browser.

Every error the SDK raises is a :class:`KuzzleError` with ``id``, ``code``,
``status`` and ``message``, so one ``except KuzzleError`` catches them all::

    KuzzleError(Exception)                     id, code, status, message, props, request
    ├── ApiError                               an error object sent by Kuzzle (kuzzle_stack, errors, count)
    │   ├── BadRequestError (400)      ├── UnauthorizedError (401)   ├── ForbiddenError (403)
    │   ├── NotFoundError (404)        ├── PreconditionError (412)   ├── SizeLimitError (413)
    │   ├── TooManyRequestsError (429) ├── InternalError (500)       ├── ServiceUnavailableError (503)
    │   ├── GatewayTimeoutError (504)  └── PartialError (206)
    ├── InvalidArgumentError(ValueError, TypeError)   bad option or argument, raised before sending
    ├── InvalidStateError(RuntimeError)               API misuse, e.g. authenticate() with no authenticator
    │   └── RealtimeUnavailableError                  subscribe over the Http protocol
    ├── ProtocolError                                 the server sent a frame we cannot decode
    │   └── BadResponseError                          an HTTP answer that is not Kuzzle JSON (proxy 502)
    ├── KuzzleConnectionError(ConnectionError)        the link to Kuzzle failed
    │   ├── NotConnectedError                         query while offline (and not queued)
    │   ├── NetworkError                              socket/fetch failure
    │   │   └── OutcomeUnknownError                   sent, but the answer was lost with the link
    │   └── KeepaliveTimeout(TimeoutError)            the server stopped answering pings
    ├── RequestTimeoutError(TimeoutError)             no answer within the request timeout
    └── RequestDiscardedError                         dropped from the offline queue
        ├── QueueTTLExpiredError
        └── QueueOverflowError

``error.outcome_unknown`` is True when the request may or may not have taken
effect (:class:`OutcomeUnknownError`, :class:`RequestTimeoutError`): Kuzzle got
it, but its answer never came back. Read the data again before retrying a write
that is not idempotent (a live query does it by itself after a reconnection).

Errors that Kuzzle sends keep Kuzzle's ids (``security.token.invalid``...).
Errors the SDK itself raises use ids under ``sdk.``, code ``0`` and the HTTP-like
status that best describes them, so code that switches on ``error.id`` or
``error.status`` handles both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "ApiError",
    "BadRequestError",
    "BadResponseError",
    "ForbiddenError",
    "GatewayTimeoutError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidStateError",
    "KeepaliveTimeout",
    "KuzzleConnectionError",
    "KuzzleError",
    "NetworkError",
    "NotConnectedError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PartialError",
    "PreconditionError",
    "ProtocolError",
    "QueueOverflowError",
    "QueueTTLExpiredError",
    "RealtimeUnavailableError",
    "RequestDiscardedError",
    "RequestTimeoutError",
    "ServiceUnavailableError",
    "SizeLimitError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "api_error_from_payload",
]


class KuzzleError(Exception):
    """Base of every kuzzle_browser error.

    Attributes:
        id: Dotted error id, Kuzzle's (``api.process.action_not_found``) or
            the SDK's (``sdk.network.no_response``).
        code: Kuzzle's numeric error code; ``0`` for SDK-side errors.
        status: HTTP-like status (``400``, ``401``, ``503``...).
        message: Human-readable message.
        props: Values substituted into Kuzzle's message template.
        request: The request this error answers, when there is one.
        outcome_unknown: True when the request may have been carried out although
            it failed (sent, then the answer was lost or came too late).
    """

    default_id = "sdk.error"
    default_status = 500
    outcome_unknown = False

    def __init__(
        self,
        message: str,
        *,
        id: str | None = None,
        code: int = 0,
        status: int | None = None,
        props: list[Any] | None = None,
        request: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.id = id or self.default_id
        self.code = code
        self.status = status if status is not None else self.default_status
        self.props = props or []
        self.request = dict(request) if request is not None else None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, status={self.status}, message={self.message!r})"


class ApiError(KuzzleError):
    """An error object sent by Kuzzle in a response (``response.error``).

    Attributes:
        kuzzle_stack: The server's stack trace (only when Kuzzle runs in development mode).
        errors: Per-item errors of a :class:`PartialError`.
        count: Number of failed items of a :class:`PartialError`.
    """

    default_id = "api.error"

    def __init__(
        self,
        message: str,
        *,
        kuzzle_stack: str | None = None,
        errors: list[Any] | None = None,
        count: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.kuzzle_stack = kuzzle_stack
        self.errors = errors or []
        self.count = count


class BadRequestError(ApiError):
    """Kuzzle answered 400."""

    default_status = 400


class UnauthorizedError(ApiError):
    """Kuzzle answered 401 (missing, invalid or expired token)."""

    default_status = 401


class ForbiddenError(ApiError):
    """Kuzzle answered 403 (the user lacks the right)."""

    default_status = 403


class NotFoundError(ApiError):
    """Kuzzle answered 404."""

    default_status = 404


class PreconditionError(ApiError):
    """Kuzzle answered 412 (unknown index or collection, not subscribed...)."""

    default_status = 412


class SizeLimitError(ApiError):
    """Kuzzle answered 413."""

    default_status = 413


class TooManyRequestsError(ApiError):
    """Kuzzle answered 429 (rate limit)."""

    default_status = 429


class InternalError(ApiError):
    """Kuzzle answered 500."""

    default_status = 500


class ServiceUnavailableError(ApiError):
    """Kuzzle answered 503 (overloaded or shutting down)."""

    default_status = 503


class GatewayTimeoutError(ApiError):
    """Kuzzle answered 504."""

    default_status = 504


class PartialError(ApiError):
    """Kuzzle answered 206: some items of a multi-document action failed."""

    default_status = 206


# Kuzzle's ids for "this index or collection does not exist": none of its documents
# exist any more (after a data reset), which is what live queries and observers show.
GONE_IDS = frozenset({"services.storage.unknown_index", "services.storage.unknown_collection"})

_API_ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    cls.default_status: cls
    for cls in (
        BadRequestError,
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        PreconditionError,
        SizeLimitError,
        TooManyRequestsError,
        InternalError,
        ServiceUnavailableError,
        GatewayTimeoutError,
        PartialError,
    )
}


def api_error_from_payload(error: Mapping[str, Any], request: Mapping[str, Any] | None = None) -> ApiError:
    """Build the typed error for Kuzzle's error object ``{id, code, message, status, ...}``.

    Kuzzle's error JSON has no class name, so the subclass is chosen by ``status``
    (kuzzle ``lib/kerror/errors/*.ts``: one class per status).
    """
    raw_status = error.get("status")
    status = raw_status if isinstance(raw_status, int) else 500
    cls = _API_ERRORS_BY_STATUS.get(status, ApiError)
    raw_code = error.get("code")
    raw_props = error.get("props")
    raw_errors = error.get("errors")
    raw_count = error.get("count")
    raw_stack = error.get("stack")
    return cls(
        str(error.get("message") or "Unknown Kuzzle error"),
        id=str(error.get("id") or "api.error"),
        code=raw_code if isinstance(raw_code, int) else 0,
        status=status,
        props=raw_props if isinstance(raw_props, list) else None,
        kuzzle_stack=raw_stack if isinstance(raw_stack, str) else None,
        errors=raw_errors if isinstance(raw_errors, list) else None,
        count=raw_count if isinstance(raw_count, int) else None,
        request=request,
    )


class InvalidArgumentError(KuzzleError, ValueError, TypeError):
    """An option or argument is wrong; nothing was sent. Fix the call."""

    default_id = "sdk.argument.invalid"
    default_status = 400


class InvalidStateError(KuzzleError, RuntimeError):
    """The call does not fit the SDK's state: ``authenticate()`` with no ``authenticator`` set,
    or a move the connection core's state table does not allow (a bug: please report it).

    Set what the message names, then call again.
    """

    default_id = "sdk.state.invalid"
    default_status = 400


class RealtimeUnavailableError(InvalidStateError):
    """A realtime subscription action was sent over a protocol that cannot receive notifications (Http)."""

    default_id = "sdk.protocol.realtime_unavailable"


class ProtocolError(KuzzleError):
    """The server sent a frame that is not a Kuzzle message (not JSON, binary, wrong shape)."""

    default_id = "sdk.protocol.malformed_frame"
    default_status = 502


class BadResponseError(ProtocolError):
    """An HTTP answer whose body is not Kuzzle JSON: a proxy's HTML error page, an empty body.

    Attributes:
        http_status: The HTTP status of that answer.
    """

    default_id = "sdk.http.bad_response"

    def __init__(self, message: str, *, http_status: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.http_status = http_status


class KuzzleConnectionError(KuzzleError, ConnectionError):
    """The link to Kuzzle failed; catch ``ConnectionError`` to handle it generically."""

    default_id = "sdk.network.error"
    default_status = 503


class NotConnectedError(KuzzleConnectionError):
    """A request was made while offline and was not queued (see ``auto_queue``)."""

    default_id = "sdk.network.not_connected"


class NetworkError(KuzzleConnectionError):
    """The socket or an HTTP call failed, or an answer was lost with the link."""


class OutcomeUnknownError(NetworkError):
    """The request was sent but the link dropped before its answer: Kuzzle may have
    carried it out. ``outcome_unknown`` is True; read the data again before retrying."""

    default_id = "sdk.network.no_response"
    outcome_unknown = True


class KeepaliveTimeout(KuzzleConnectionError, TimeoutError):
    """The server did not answer the application ping ``{"p":1}`` within one interval."""

    default_id = "sdk.network.keepalive_timeout"


class RequestTimeoutError(KuzzleError, TimeoutError):
    """No answer arrived within the request's timeout.

    Attributes:
        delay: The timeout that expired, in seconds.
    """

    default_id = "sdk.request.timeout"
    default_status = 504
    outcome_unknown = True  # the answer may still be on its way

    def __init__(self, delay: float, *, request: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"Request timed out after {delay:g} s", request=request)
        self.delay = delay


class RequestDiscardedError(KuzzleError):
    """A queued request was dropped before it could be sent."""

    default_id = "sdk.request.discarded"
    default_status = 503


class QueueTTLExpiredError(RequestDiscardedError):
    """The request stayed in the offline queue longer than ``queue_ttl``."""

    default_id = "sdk.queue.ttl_expired"


class QueueOverflowError(RequestDiscardedError):
    """The offline queue held more than ``queue_max_size`` requests; the oldest went."""

    default_id = "sdk.queue.overflow"
