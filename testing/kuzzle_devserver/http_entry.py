"""HTTP entry point (kuzzle ``httpwsProtocol.js``, ``lib/core/network/httpRouter``; docs/protocol.md §3).

- Errors raised before routing (size, content type, body parse) answer the **bare error
  object**, with ``Access-Control-Allow-Origin: *`` (or the echoed origin when ``*`` is not
  allowed) and no ``Access-Control-Allow-Credentials``.
- Routed responses are the API envelope without ``room``, and echo ``Origin`` in
  ``Access-Control-Allow-Origin`` with ``Vary: Origin``, whatever the allow-list: the
  allow-list itself is enforced by the funnel as ``api.process.unauthorized_origin``.
- Query-string keys become arguments; a boolean argument is true when merely present.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .config import ServerConfig
from .connection import ClientConnection
from .errors import KuzzleError, kerror
from .funnel import Funnel
from .http_routes import match_route
from .request import KuzzleRequest, envelope

ALLOW_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS,HEAD"
ALLOW_HEADERS = (
    "Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With, "
    "Content-Encoding, Content-Length, X-Kuzzle-Volatile"
)
_ROUTED_VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}
_CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")

RequestLogger = Callable[[dict[str, Any]], None]


def routed_headers(request: web.Request, request_id: str) -> dict[str, str]:
    """The router's default headers plus the echoed origin (``applyACAOHeader``)."""
    headers = {
        "Content-Type": "application/json",
        "X-Kuzzle-Request-Id": request_id,
        "Accept-Encoding": "identity",
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Credentials": "true",
    }
    origin = request.headers.get("Origin")
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Vary"] = "Origin"
    return headers


def json_response(
    status: int, payload: Any, headers: dict[str, str], extra: dict[str, str] | None = None
) -> web.Response:
    response = web.Response(
        status=status,
        body=json.dumps(payload, separators=(",", ":")).encode(),
        headers={**headers, **(extra or {})},
    )
    response.headers["Connection"] = "close"  # Kuzzle never keeps HTTP connections alive
    response.force_close()
    return response


def raw_response(body: bytes, headers: dict[str, str], extra: dict[str, str]) -> web.Response:
    """A ``format: "raw"`` answer (document:export, server:openapi): the body as is."""
    response = web.Response(status=200, body=body, headers={**headers, **extra})
    response.headers["Connection"] = "close"
    response.force_close()
    return response


class HttpEntryPoint:
    def __init__(self, config: ServerConfig, funnel: Funnel, log_request: RequestLogger) -> None:
        self._config = config
        self._funnel = funnel
        self._log_request = log_request

    def _pre_routing_error(self, request: web.Request, error: KuzzleError) -> web.Response:
        """``httpSendError``: the bare error object, config CORS headers, no credentials."""
        origin = request.headers.get("Origin")
        allow_origin = "*" if "*" in self._config.allowed_origins else (origin or "")
        headers = {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": allow_origin,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Allow-Methods": ALLOW_METHODS,
        }
        return json_response(error.status, error.to_json(), headers)

    async def _read_body(self, request: web.Request) -> bytes:
        limit = self._config.max_request_size
        if (request.content_length or 0) > limit:
            raise kerror("network.http.request_too_large")
        body = bytearray()
        async for chunk in request.content.iter_chunked(65536):
            body += chunk
            if len(body) > limit:  # chunked bodies have no content-length to check first
                raise kerror("network.http.request_too_large")
        return bytes(body)

    def _parse_body(self, request: web.Request, raw: bytes) -> Any:
        content_type = request.headers.get("Content-Type")
        if content_type is not None and not content_type.lower().startswith(_CONTENT_TYPES):
            raise kerror("network.http.unsupported_content", content_type)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise kerror("network.http.body_parse_failed", str(error)) from None

    async def handle(self, request: web.Request) -> web.Response:
        try:
            raw = await self._read_body(request)
            body = self._parse_body(request, raw)
        except KuzzleError as error:
            self._log(request, raw=None)
            return self._pre_routing_error(request, error)
        self._log(request, raw=body)
        request_id = request.headers.get("X-Kuzzle-Request-Id") or str(uuid.uuid4())
        headers = routed_headers(request, request_id)
        method, path = request.method, request.path
        if method == "OPTIONS":
            return json_response(200, envelope(request_id=request_id, status=200, result={}), headers)
        if method not in _ROUTED_VERBS:
            unsupported = kerror("network.http.unsupported_verb", method)
            return self._error_envelope(request_id, unsupported, headers)
        if method == "GET" and path.rstrip("/") in ("/_healthcheck", "/_ready"):
            # Orchestrators' probes, answered without the funnel: an empty 200 envelope.
            return json_response(200, envelope(request_id=request_id, status=200), headers)
        if method == "HEAD" and path.rstrip("/") == "":
            return json_response(200, envelope(request_id=request_id, status=200, result={}), headers)
        try:
            kuzzle_request = self._build_request(request, request_id, body)
        except KuzzleError as error:
            return self._error_envelope(request_id, error, headers)
        content = await self._funnel.execute(kuzzle_request)
        if kuzzle_request.raw_response is not None and content["error"] is None:
            return raw_response(kuzzle_request.raw_response, headers, kuzzle_request.response_headers)
        return json_response(content["status"], content, headers, kuzzle_request.response_headers)

    def _error_envelope(self, request_id: str, error: KuzzleError, headers: dict[str, str]) -> web.Response:
        return json_response(
            error.status, envelope(request_id=request_id, status=error.status, error=error), headers
        )

    def _build_request(self, request: web.Request, request_id: str, body: Any) -> KuzzleRequest:
        connection = ClientConnection(
            protocol="http", headers={k.lower(): v for k, v in request.headers.items()}, verb=request.method
        )
        jwt = _bearer_token(request.headers.get("Authorization"))
        if request.method == "POST" and request.path.rstrip("/") == "/_query":
            # Generic endpoint: the body is a whole WebSocket-style request (docs/protocol.md §3.2).
            if isinstance(body, dict) and "requestId" not in body:
                body = {**body, "requestId": request_id}
            kuzzle_request = KuzzleRequest.from_payload(body, connection)
            kuzzle_request.jwt = kuzzle_request.jwt or jwt
            return kuzzle_request
        matched = match_route(request.method, request.rel_url.raw_path)
        if matched is None:
            raise kerror("network.http.url_not_found", request.path)
        route, params = matched
        args: dict[str, Any] = dict(request.query.items())
        args.update(params)
        return KuzzleRequest(
            controller=route.controller,
            action=route.action,
            request_id=request_id,
            args=args,
            body=body,
            jwt=jwt,
            volatile=_volatile_header(request.headers.get("X-Kuzzle-Volatile")),
            connection=connection,
        )

    def _log(self, request: web.Request, raw: Any) -> None:
        self._log_request(
            {
                "transport": "http",
                "method": request.method,
                "path": request.path,
                "query": dict(request.query.items()),
                "headers": dict(request.headers.items()),
                "body": raw,
            }
        )


def _bearer_token(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _volatile_header(header: str | None) -> dict[str, Any] | None:
    if header is None:
        return None
    try:
        volatile = json.loads(header)
    except ValueError as error:
        raise kerror("network.http.volatile_parse_failed", str(error)) from None
    if not isinstance(volatile, dict):
        raise kerror("network.http.volatile_parse_failed", "not an object")
    return volatile
