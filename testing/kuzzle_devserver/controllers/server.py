"""``server`` controller (kuzzle ``lib/api/controllers/serverController.js``, §6.5)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..context import ActionTable, ServerContext
from ..request import KuzzleRequest

KUZZLE_VERSION = "2.56.0-devserver"

ApiDefinition = Callable[[], dict[str, Any]]


class ServerController:
    def __init__(self, ctx: ServerContext, api_definition: ApiDefinition) -> None:
        self._ctx = ctx
        self._api_definition = api_definition

    def actions(self) -> ActionTable:
        return {
            "server": {
                "now": self.now,
                "info": self.info,
                "healthCheck": self.health_check,
                "getConfig": self.get_config,
                "publicApi": self.public_api,
                "adminExists": self.admin_exists,
            }
        }

    async def now(self, request: KuzzleRequest) -> dict[str, int]:
        return {"now": int(time.time() * 1000)}

    async def info(self, request: KuzzleRequest) -> dict[str, Any]:
        uptime = time.monotonic() - self._ctx.started_at
        return {
            "serverInfo": {
                "kuzzle": {
                    "api": {"routes": self._api_definition()},
                    "application": {},
                    "plugins": {},
                    "uptime": f"{uptime:.3f}s",
                    "version": KUZZLE_VERSION,
                },
                "services": {},
            }
        }

    async def health_check(self, request: KuzzleRequest) -> dict[str, Any]:
        services = {"internalCache": "green", "memoryStorage": "green", "storageEngine": "green"}
        return {"status": "green", "services": services}

    async def get_config(self, request: KuzzleRequest) -> dict[str, Any]:
        """A plausible subset of Kuzzle's configuration, with the values this server uses."""
        config = self._ctx.config
        return {
            "version": KUZZLE_VERSION,
            "http": {
                "accessControlAllowOrigin": config.allowed_origins,
                "cookieAuthentication": True,
            },
            "security": {
                "authToken": {
                    "algorithm": "HS256",
                    "expiresIn": config.token_ttl_ms,
                    "gracePeriod": 1000,
                    "maxTTL": -1,
                }
            },
            "server": {
                "maxRequestSize": config.max_request_size,
                "port": config.port,
                "strictSdkVersion": True,
                "protocols": {
                    "websocket": {
                        "enabled": True,
                        "idleTimeout": int(config.idle_timeout * 1000),
                        "sendPingsAutomatically": False,
                        "rateLimit": 0,
                        "realtimeNotifications": True,
                    }
                },
            },
        }

    async def public_api(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._api_definition()

    async def admin_exists(self, request: KuzzleRequest) -> dict[str, bool]:
        return {"exists": self._ctx.security.admin_exists()}
