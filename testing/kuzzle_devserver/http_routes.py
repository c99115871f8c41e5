"""HTTP routes of Kuzzle 2.56 (``lib/api/httpRoutes.js``; docs/protocol.md §3.1) for the served actions.

Matching follows Kuzzle's router (``lib/core/network/httpRouter``): the trailing slash is
ignored, a static path segment wins over a ``:placeholder`` at the same position without
backtracking, and placeholders are URL-decoded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class Route:
    verb: str
    path: str
    controller: str
    action: str

    @property
    def parts(self) -> list[str]:
        return [p for p in self.path.split("/") if p]


# Kuzzle's table, one block per controller, each in Kuzzle's order (which is the order of
# an action's "http" entries in server:publicApi). Lines starting with "#" are comments.
_TABLE = """
# auth
GET /_me auth getCurrentUser
GET /_me/_rights auth getMyRights
GET /_me/credentials/:strategy auth getMyCredentials
GET /_me/credentials/:strategy/_exists auth credentialsExist
GET /strategies auth getStrategies
GET /users/_me auth getCurrentUser
GET /users/_me/_rights auth getMyRights
GET /credentials/:strategy/_me auth getMyCredentials
GET /credentials/:strategy/_me/_exists auth credentialsExist
GET /_login/:strategy auth login
POST /_login/:strategy auth login
POST /_logout auth logout
POST /_checkToken auth checkToken
POST /_createToken auth createToken
POST /_refreshToken auth refreshToken
POST /_me/credentials/:strategy/_create auth createMyCredentials
POST /_me/credentials/:strategy/_validate auth validateMyCredentials
POST /credentials/:strategy/_me/_create auth createMyCredentials
POST /credentials/:strategy/_me/_validate auth validateMyCredentials
POST /_checkRights auth checkRights
POST /api-keys/_create auth createApiKey
POST /api-keys/_search auth searchApiKeys
DELETE /_me/credentials/:strategy auth deleteMyCredentials
DELETE /credentials/:strategy/_me auth deleteMyCredentials
DELETE /api-keys/:_id auth deleteApiKey
PUT /_me auth updateSelf
PUT /_me/credentials/:strategy/_update auth updateMyCredentials
PUT /_updateSelf auth updateSelf
PUT /credentials/:strategy/_me/_update auth updateMyCredentials
# collection
GET /:index/:collection/_exists collection exists
GET /:index/:collection/_mapping collection getMapping
GET /:index/:collection/_settings collection getSettings
GET /:index/:collection/_specifications collection getSpecifications
GET /validations/_scroll/:scrollId collection scrollSpecifications
GET /:index/_list collection list
POST /:index/:collection/_validateSpecifications collection validateSpecifications
POST /validations/_search collection searchSpecifications
POST /:index/:collection/_refresh collection refresh
DELETE /:index/:collection/_specifications collection deleteSpecifications
DELETE /:index/:collection/_truncate collection truncate
DELETE /:index/:collection collection delete
PUT /:index/:collection collection create
POST /:index/:collection collection update
PUT /:index/:collection/_mapping collection updateMapping
PUT /:index/:collection/_specifications collection updateSpecifications
# document
GET /:index/:collection/_export document export
GET /:index/:collection/_search document search
GET /:index/:collection/:_id document get
GET /:index/:collection/_mGet document mGet
GET /:index/:collection/:_id/_exists document exists
POST /:index/:collection/_mExists document mExists
GET /_scroll/:scrollId document scroll
POST /:index/:collection/_count document count
POST /:index/:collection/_create document create
POST /:index/:collection/:_id/_create document create
POST /:index/:collection/_export document export
POST /:index/:collection/_search document search
POST /:index/:collection/_mGet document mGet
POST /:index/:collection/_mCreate document mCreate
POST /:index/:collection/_mUpsert document mUpsert
POST /:index/:collection/:_id/_upsert document upsert
POST /:index/:collection/_validate document validate
DELETE /:index/:collection/:_id document delete
DELETE /:index/:collection/:_id/_fields document deleteFields
DELETE /:index/:collection/_query document deleteByQuery
DELETE /:index/:collection/_mDelete document mDelete
PUT /:index/:collection/:_id document createOrReplace
PUT /:index/:collection/_mCreateOrReplace document mCreateOrReplace
PUT /:index/:collection/:_id/_replace document replace
PUT /:index/:collection/_mReplace document mReplace
PUT /:index/:collection/_mUpdate document mUpdate
PUT /:index/:collection/:_id/_update document update
PUT /:index/:collection/:_id/_upsert document upsert
PUT /:index/:collection/_query document updateByQuery
PATCH /:index/:collection/_mUpdate document mUpdate
PATCH /:index/:collection/:_id/_update document update
# index
GET /:index/_exists index exists
GET /:index/_autoRefresh index getAutoRefresh
GET /_list index list
GET /_storageStats index stats
POST /:index/_create index create
DELETE /:index index delete
DELETE /_mDelete index mDelete
DELETE /_mdelete index mDelete
# realtime
GET /_listSubscriptions realtime list
POST /:index/:collection/_publish realtime publish
# server
GET /_adminExists server adminExists
GET /_getAllStats server getAllStats
GET /_getConfig server getConfig
GET /_capabilities server capabilities
GET /_getLastStats server getLastStats
GET /_getStats server getStats
GET / server info
GET /_healthCheck server healthCheck
GET /_serverInfo server info
GET /_now server now
GET /_publicApi server publicApi
GET /_openapi server openapi
GET /_metrics server metrics
"""

ROUTES = [Route(*line.split()) for line in _TABLE.strip().splitlines() if not line.startswith("#")]


@dataclass
class _Node:
    """A ``RoutePart``: static children, one ``*`` child for placeholders, a route."""

    children: dict[str, _Node] = field(default_factory=dict)
    route: Route | None = None


def _build_trie(routes: list[Route]) -> dict[str, _Node]:
    roots: dict[str, _Node] = {}
    for route in routes:
        node = roots.setdefault(route.verb, _Node())
        for part in route.parts or [""]:
            node = node.children.setdefault("*" if part.startswith(":") else part, _Node())
        node.route = node.route or route
    return roots


_TRIE = _build_trie(ROUTES)


def match_route(verb: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``verb path`` and its decoded placeholders, or None.

    As Kuzzle's ``getHandlerPart``: empty segments are skipped, each segment is URL-decoded
    and follows a static child when there is one (no backtracking), else the placeholder.
    """
    node = _TRIE.get(verb)
    if node is None:
        return None
    parts = [unquote(p) for p in path.split("/") if p] or [""]
    values: list[str] = []
    for part in parts:
        if part in node.children:
            node = node.children[part]
        elif "*" in node.children:
            node = node.children["*"]
            values.append(part)
        else:
            return None
    route = node.route
    if route is None:
        return None
    names = [p[1:] for p in route.parts if p.startswith(":")]
    return route, dict(zip(names, values, strict=False))


def api_definition(actions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``_buildApiDefinition``: ``{controller: {action: {action, controller, http?}}}``."""
    definition: dict[str, Any] = {}
    for controller, handlers in actions.items():
        entries: dict[str, Any] = {}
        for action in handlers:
            entry: dict[str, Any] = {"action": action, "controller": controller}
            http = [
                {"path": r.path, "url": r.path, "verb": r.verb}
                for r in ROUTES
                if r.controller == controller and r.action == action
            ]
            if http:
                entry["http"] = http
            entries[action] = entry
        definition[controller] = entries
    return definition
