"""The wire request built from a caller's request, once per request.

The caller's dict is copied once (never mutated), then completed in place: a
few dict operations, no deep copy (pipelined benchmarks send tens of thousands).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.requests import new_request_id

__all__ = ["attach_token", "build_request"]

logger = logging.getLogger("kuzzle_browser.client")


def attach_token(request: dict[str, Any], token: str | None) -> None:
    """``request["jwt"] = token``, except on ``auth:login`` and ``auth:checkToken``."""
    # Kuzzle rejects a request carrying both the cookie and a jwt
    # (security.token.verification_error): with cookies, token is None.
    if token is not None and not (
        request["controller"] == "auth" and request["action"] in ("login", "checkToken")
    ):
        request["jwt"] = token


def build_request(
    request: Mapping[str, Any],
    api_args: Mapping[str, Any],
    volatile: Mapping[str, Any],
    instance_id: str,
    sdk_name: str,
    token: str | None,
) -> dict[str, Any]:
    """``request`` and ``api_args`` with a ``requestId``, ``volatile`` (``sdkInstanceId``,
    ``sdkName``, no ``sdkVersion``) and ``token``; without SDK options.

    Raises:
        InvalidArgumentError: No ``controller``/``action`` string, or a bad ``volatile``.
    """
    # type() first: an ABC isinstance() check costs as much as the rest together.
    if type(request) is not dict and not isinstance(request, Mapping):
        raise InvalidArgumentError(f"Kuzzle.query: Invalid request: {request!r}")
    wire = {**request, **api_args}
    controller = wire.get("controller")
    action = wire.get("action")
    if not (controller and isinstance(controller, str) and action and isinstance(action, str)):
        key = "action" if controller and isinstance(controller, str) else "controller"
        raise InvalidArgumentError(f'Kuzzle.query: the request needs a "{key}" string', request=wire)
    if "requestId" not in wire:
        wire["requestId"] = new_request_id()
    extra = wire.get("volatile")
    if extra is None:
        merged = {"sdkInstanceId": instance_id, "sdkName": sdk_name, **volatile}
    elif isinstance(extra, Mapping):
        merged = {"sdkInstanceId": instance_id, "sdkName": sdk_name, **volatile, **extra}
    else:
        raise InvalidArgumentError("Kuzzle.query: Invalid volatile argument received")
    if "sdkVersion" in merged and merged.pop("sdkVersion") is not None:
        # Kuzzle 2 rejects any request whose volatile has sdkVersion
        # (api.process.incompatible_sdk_version, docs/protocol.md §4.4).
        logger.warning("volatile.sdkVersion removed: Kuzzle 2 rejects requests that carry it")
    wire["volatile"] = merged
    # Options that steer an SDK, never sent (triggerEvents: Kuzzle's embedded SDK only).
    if "queuable" in wire or "timeout" in wire or "triggerEvents" in wire:
        for key in ("queuable", "timeout", "triggerEvents"):
            wire.pop(key, None)
    if token is not None:
        attach_token(wire, token)
    return wire
