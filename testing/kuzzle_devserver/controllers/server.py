"""``server`` controller (kuzzle ``lib/api/controllers/serverController.js``).

``info`` and ``capabilities`` describe this process with Kuzzle's keys; the services are
the ones a Kuzzle 2.56 stack runs (Elasticsearch 7, Redis), since clients only read their
names and versions. ``openapi`` is Kuzzle's generated definition: one operation per HTTP
route (tag, summary ``Action: <action>.``, path parameters, a 200 response).
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..context import ActionTable, ServerContext
from ..errors import kerror
from ..http_routes import ROUTES
from ..request import KuzzleRequest

KUZZLE_VERSION = "2.56.0"
NODE_VERSION = "v20.11.1"  # what Kuzzle 2.56's Docker image runs
ELASTICSEARCH = {"type": "elasticsearch", "version": "7.16.3", "lucene": "8.10.1", "status": "green"}
REDIS = {"type": "redis", "version": "6.2.14", "mode": "standalone"}
_ROUTE_PARAMETER = re.compile(r":([^/]*)")
_DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "kuzzle_config.json"


def kuzzle_defaults() -> dict[str, Any]:
    """A fresh copy of Kuzzle 2.56's default configuration (without ``security``)."""
    config: dict[str, Any] = json.loads(_DEFAULT_CONFIG.read_text())
    return config


ApiDefinition = Callable[[], dict[str, Any]]


def _rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if platform.system() == "Darwin" else peak * 1024


def _memory() -> dict[str, int]:
    pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    available = os.sysconf("SC_AVPHYS_PAGES")
    return {"free": available * size, "total": pages * size}


def _openapi_definition(title: str, description: str, version: str, routes: bool) -> dict[str, Any]:
    """``OpenApiManager``'s definition, with ``generateOpenApi`` run over the routes."""
    definition: dict[str, Any] = {
        "info": {
            "title": title,
            "description": description,
            "contact": {"name": "Kuzzle team", "url": "https://kuzzle.io", "email": "support@kuzzle.io"},
            "license": {"name": "Apache 2", "url": "http://opensource.org/licenses/apache2.0"},
            "version": version,
        },
        "externalDocs": {
            "description": "Kuzzle API Documentation",
            "url": "https://docs.kuzzle.io/core/2/api/",
        },
        "tags": [],
        "schemes": ["https", "http"],
        "paths": {},
    }
    for route in ROUTES if routes else []:
        path = _ROUTE_PARAMETER.sub(r"{\1}", route.path)
        verb = route.verb.lower()
        operations = definition["paths"].setdefault(path, {})
        if verb in operations:
            continue
        if not any(tag["name"] == route.controller for tag in definition["tags"]):
            pascal = "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s]+", route.controller))
            definition["tags"].append({"description": f"{pascal} Controller", "name": route.controller})
        operation: dict[str, Any] = {
            "tags": [route.controller],
            "description": f"Controller: {route.controller}.",
            "summary": f"Action: {route.action}.",
        }
        parameters = [
            {"in": "path", "name": name, "required": True, "type": "string"}
            for name in _ROUTE_PARAMETER.findall(route.path)
        ]
        if parameters:
            operation["parameters"] = parameters
        operation["responses"] = {"200": {"description": "OK"}}
        operations[verb] = operation
    return definition


class ServerController:
    def __init__(self, ctx: ServerContext, api_definition: ApiDefinition) -> None:
        self._ctx = ctx
        self._api_definition = api_definition

    def actions(self) -> ActionTable:
        return {
            "server": {
                "adminExists": self.admin_exists,
                "capabilities": self.capabilities,
                "getAllStats": self.get_all_stats,
                "getConfig": self.get_config,
                "getLastStats": self.get_last_stats,
                "getStats": self.get_stats,
                "healthCheck": self.health_check,
                "info": self.info,
                "metrics": self.metrics,
                "now": self.now,
                "publicApi": self.public_api,
                "openapi": self.openapi,
            }
        }

    async def now(self, request: KuzzleRequest) -> dict[str, int]:
        return {"now": int(time.time() * 1000)}

    def _services(self) -> dict[str, Any]:
        storage = {**ELASTICSEARCH, "nodes": {}, "spaceUsed": f"{self._ctx.storage.stats()['size']}b"}
        cache = {**REDIS, "memoryPeak": "1.00M", "memoryUsed": "1.00M"}
        return {
            "internalCache": cache,
            "internalStorage": storage,
            "memoryStorage": cache,
            "publicStorage": storage,
        }

    async def info(self, request: KuzzleRequest) -> dict[str, Any]:
        uptime = time.monotonic() - self._ctx.started_at
        return {
            "serverInfo": {
                "kuzzle": {
                    "api": {"routes": self._api_definition()},
                    "application": {"commit": None, "name": "kuzzle-devserver", "version": KUZZLE_VERSION},
                    "memoryUsed": _rss_bytes(),
                    "nodeVersion": NODE_VERSION,
                    "plugins": {},
                    "system": {
                        "cpus": [{"model": platform.processor() or platform.machine()}]
                        * (os.cpu_count() or 1),
                        "memory": _memory(),
                    },
                    "uptime": f"{uptime}s",
                    "version": KUZZLE_VERSION,
                },
                "services": self._services(),
            }
        }

    async def capabilities(self, request: KuzzleRequest) -> dict[str, Any]:
        services = {
            "internalCache": {"backend": "redis", "version": REDIS["version"]},
            "memoryStorage": {"backend": "redis", "version": REDIS["version"]},
            "storageEngine": {"backend": "elasticsearch", "version": ELASTICSEARCH["version"]},
        }
        return {
            "limits": kuzzle_defaults()["limits"],
            "plugins": {},
            "routes": self._api_definition(),
            "services": services,
            "version": KUZZLE_VERSION,
        }

    async def health_check(self, request: KuzzleRequest) -> dict[str, Any]:
        """Every service is green; ``services`` (a comma-separated list) restricts the answer."""
        raw = request.args.get("services")
        wanted = None
        if isinstance(raw, str):
            try:
                parsed = json.loads(raw) if request.over_http else None
            except ValueError:
                parsed = None
            wanted = parsed if isinstance(parsed, list) else raw.split(",")
        names = ("internalCache", "memoryStorage", "storageEngine")
        services = {name: "green" for name in names if wanted is None or name in wanted}
        return {"services": services, "status": "green"}

    async def get_config(self, request: KuzzleRequest) -> dict[str, Any]:
        """Kuzzle's configuration without ``security`` and the HTTP routes: Kuzzle 2.56's
        defaults (``kuzzle_config.json``, from ``lib/config/default.config.ts``) with the
        values this server runs with."""
        config = kuzzle_defaults()
        settings = self._ctx.config
        config["http"]["accessControlAllowOrigin"] = ",".join(settings.allowed_origins)
        server = config["server"]
        server["port"] = settings.port
        if settings.max_request_size != 1_048_576:
            server["maxRequestSize"] = settings.max_request_size
        server["protocols"]["websocket"]["idleTimeout"] = int(settings.idle_timeout * 1000)
        return config

    async def public_api(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._api_definition()

    async def admin_exists(self, request: KuzzleRequest) -> dict[str, bool]:
        return {"exists": self._ctx.security.admin_exists()}

    async def get_stats(self, request: KuzzleRequest) -> dict[str, Any]:
        args = request.args
        return self._ctx.statistics.get_stats(
            request.connection.protocol, args.get("startTime"), args.get("stopTime")
        )

    async def get_last_stats(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._ctx.statistics.get_last_stats()

    async def get_all_stats(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._ctx.statistics.get_stats(request.connection.protocol)

    async def metrics(self, request: KuzzleRequest) -> dict[str, Any]:
        hotel = self._ctx.hotel
        subscribers = {cid for room in hotel.rooms.values() for cid in room.customers}
        connections: dict[str, int] = {}
        sockets = self._ctx.statistics.sockets()
        if sockets:
            connections["websocket"] = sockets
        if request.over_http:
            connections["http"] = 1
        return {
            "api": {"concurrentRequests": 1, "pendingRequests": 0},
            "network": {"connections": connections},
            "realtime": {"rooms": len(hotel.rooms), "subscriptions": len(subscribers)},
        }

    async def openapi(self, request: KuzzleRequest) -> None:
        fmt = request.get_string("format", "json")
        scope = request.get_string("scope", "kuzzle")
        if scope == "kuzzle":
            definition = {
                "swagger": "2.0",
                **_openapi_definition(
                    "Kuzzle API", "Kuzzle HTTP API definition", KUZZLE_VERSION, routes=True
                ),
            }
        elif scope == "app":
            definition = {
                "openapi": "3.1.0",
                **_openapi_definition(
                    "kuzzle-devserver API",
                    "kuzzle-devserver HTTP API definition",
                    KUZZLE_VERSION,
                    routes=False,
                ),
            }
        else:
            raise kerror("api.assert.unexpected_argument", scope, "[ 'kuzzle', 'app' ]")
        request.response_headers["Content-Type"] = f"application/{fmt}"
        text = json.dumps(definition) if fmt == "json" else _yaml(definition)
        request.raw_response = text.encode()


def _yaml(value: Any) -> str:
    """Like ``json2yaml``'s output: a ``---`` document, two-space indentation, JSON scalars."""
    return "---\n" + _yaml_lines(value, 1)


def _yaml_lines(value: Any, indent: int) -> str:
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{_yaml_lines(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}\n")
    else:
        for item in value:
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}-\n{_yaml_lines(item, indent + 1)}")
            else:
                lines.append(f"{pad}- {_scalar(item)}\n")
    return "".join(lines)


def _scalar(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    return json.dumps(value)
