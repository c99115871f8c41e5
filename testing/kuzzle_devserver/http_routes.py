"""HTTP routes of Kuzzle 2.56 (``lib/api/httpRoutes.js``; docs/protocol.md §3.1) for the served actions.

Matching follows Kuzzle's router (``lib/core/network/httpRouter``): the trailing slash is
ignored, a static path segment wins over a ``:placeholder`` at the same position without
backtracking, and placeholders are URL-decoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from . import http_routes_ms_bulk


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

# security and admin controllers, in Kuzzle's order (lib/api/httpRoutes.js).
_SECURITY_TABLE = """
POST /admin/_refreshIndexCache admin refreshIndexCache
POST /admin/_resetCache admin resetCache
POST /admin/_resetSecurity admin resetSecurity
POST /admin/_resetDatabase admin resetDatabase
POST /admin/_resetKuzzleData admin resetKuzzleData
POST /admin/_dump admin dump
POST /admin/_shutdown/ admin shutdown
POST /admin/_loadFixtures admin loadFixtures
POST /admin/_loadMappings admin loadMappings
POST /admin/_loadSecurities admin loadSecurities
GET /profiles/:_id security getProfile
GET /profiles/:_id/_rights security getProfileRights
GET /roles/:_id security getRole
GET /users/:_id security getUser
GET /users/:_id/_strategies security getUserStrategies
GET /users/_mGet security mGetUsers
GET /users/:_id/_rights security getUserRights
GET /profiles/_mapping security getProfileMapping
GET /roles/_mapping security getRoleMapping
GET /users/_mapping security getUserMapping
GET /users/_scroll/:scrollId security scrollUsers
GET /credentials/:strategy/:_id security getCredentials
GET /credentials/:strategy/:_id/_byId security getCredentialsById
GET /credentials/:strategy/:_id/_exists security hasCredentials
GET /credentials/:strategy/_fields security getCredentialFields
GET /credentials/_fields security getAllCredentialFields
GET /profiles/_scroll/:scrollId security scrollProfiles
POST /_security/:collection/_refresh security refresh
POST /_createFirstAdmin/:_id security createFirstAdmin
POST /_createFirstAdmin security createFirstAdmin
POST /_restrictDefaultRights security restrictDefaultRights
POST /credentials/:strategy/:_id/_create security createCredentials
POST /profiles/:_id/_create security createProfile
POST /roles/:_id/_create security createRole
POST /users/_createRestricted security createRestrictedUser
POST /users/:_id/_createRestricted security createRestrictedUser
POST /users/_create security createUser
POST /users/:_id/_create security createUser
POST /profiles/_mDelete security mDeleteProfiles
POST /roles/_mDelete security mDeleteRoles
POST /users/_mDelete security mDeleteUsers
POST /profiles/_mGet security mGetProfiles
POST /users/_mGet security mGetUsers
POST /roles/_mGet security mGetRoles
POST /profiles/_search security searchProfiles
POST /roles/_search security searchRoles
POST /users/_search security searchUsers
POST /credentials/:strategy/users/_search security searchUsersByCredentials
POST /users/:_id/_upsert security upsertUser
POST /credentials/:strategy/:_id/_validate security validateCredentials
POST /_checkRights/:userId security checkRights
POST /users/:userId/api-keys/_create security createApiKey
POST /users/:userId/api-keys/_search security searchApiKeys
DELETE /profiles/:_id security deleteProfile
DELETE /roles/:_id security deleteRole
DELETE /users/:_id security deleteUser
DELETE /credentials/:strategy/:_id security deleteCredentials
DELETE /users/:_id/tokens security revokeTokens
DELETE /users/:userId/api-keys/:_id security deleteApiKey
PUT /profiles/:_id security createOrReplaceProfile
PUT /roles/:_id security createOrReplaceRole
PUT /credentials/:strategy/:_id/_update security updateCredentials
PUT /profiles/:_id/_update security updateProfile
PUT /roles/:_id/_update security updateRole
PUT /users/:_id/_update security updateUser
PUT /users/:_id/_replace security replaceUser
PUT /profiles/_mapping security updateProfileMapping
PUT /roles/_mapping security updateRoleMapping
PUT /users/_mapping security updateUserMapping
"""

ROUTES = [
    Route(*line.split())
    for table in (_TABLE, _SECURITY_TABLE, http_routes_ms_bulk.TABLE)
    for line in table.strip().splitlines()
    if not line.startswith("#")
]


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


_TRIES: dict[tuple[int, int], dict[str, _Node]] = {}


def _trie(routes: Sequence[Route]) -> dict[str, _Node]:
    """The trie of ``routes``, built once per list and length (app controllers append routes)."""
    key = (id(routes), len(routes))
    trie = _TRIES.get(key)
    if trie is None:
        trie = _TRIES[key] = _build_trie(list(routes))
    return trie


def match_route(
    verb: str, path: str, routes: Sequence[Route] = ROUTES
) -> tuple[Route, dict[str, str]] | None:
    """The route for ``verb path`` and its decoded placeholders, or None.

    As Kuzzle's ``getHandlerPart``: empty segments are skipped, each segment is URL-decoded
    and follows a static child when there is one (no backtracking), else the placeholder.
    """
    node = _trie(routes).get(verb)
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


def api_definition(actions: dict[str, dict[str, Any]], routes: Sequence[Route] = ROUTES) -> dict[str, Any]:
    """``_buildApiDefinition``: ``{controller: {action: {action, controller, http?}}}``."""
    definition: dict[str, Any] = {}
    for controller, handlers in actions.items():
        entries: dict[str, Any] = {}
        for action in handlers:
            entry: dict[str, Any] = {"action": action, "controller": controller}
            http = [
                {"path": r.path, "url": r.path, "verb": r.verb}
                for r in routes
                if r.controller == controller and r.action == action
            ]
            if http:
                entry["http"] = http
            entries[action] = entry
        definition[controller] = entries
    return definition
