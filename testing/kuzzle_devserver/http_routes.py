"""HTTP routes of Kuzzle 2.56 (``lib/api/httpRoutes.js``, §4.6, §7.5) for the served actions.

Matching follows Kuzzle's router: the trailing slash is ignored, a static path segment wins
over a ``:placeholder`` at the same position, and placeholders are URL-decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
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


_TABLE = """
POST /_login/:strategy auth login
GET /_login/:strategy auth login
POST /_logout auth logout
POST /_refreshToken auth refreshToken
POST /_checkToken auth checkToken
POST /_checkRights auth checkRights
GET /credentials/:strategy/_me/_exists auth credentialsExist
GET /credentials/:strategy/_me auth getMyCredentials
POST /credentials/:strategy/_me/_create auth createMyCredentials
PUT /credentials/:strategy/_me/_update auth updateMyCredentials
POST /credentials/:strategy/_me/_validate auth validateMyCredentials
DELETE /credentials/:strategy/_me auth deleteMyCredentials
POST /api-keys/_create auth createApiKey
POST /api-keys/_search auth searchApiKeys
DELETE /api-keys/:_id auth deleteApiKey
GET /_me auth getCurrentUser
GET /users/_me auth getCurrentUser
PUT /_me auth updateSelf
PUT /_updateSelf auth updateSelf
GET /_me/_rights auth getMyRights
GET /users/_me/_rights auth getMyRights
GET /strategies auth getStrategies
GET / server info
GET /_serverInfo server info
GET /_now server now
GET /_healthCheck server healthCheck
GET /_getConfig server getConfig
GET /_adminExists server adminExists
GET /_publicApi server publicApi
GET /_list index list
POST /:index/_create index create
DELETE /:index index delete
GET /:index/_exists index exists
DELETE /_mdelete index mDelete
PUT /:index/:collection collection create
POST /:index/:collection collection update
GET /:index/:collection/_exists collection exists
GET /:index/_list collection list
DELETE /:index/:collection collection delete
GET /:index/:collection/_mapping collection getMapping
PUT /:index/:collection/_mapping collection updateMapping
DELETE /:index/:collection/_truncate collection truncate
POST /:index/:collection/_refresh collection refresh
GET /:index/:collection/_search document search
POST /:index/:collection/_search document search
POST /:index/:collection/_count document count
GET /:index/:collection/_count document count
POST /:index/:collection/_validate document validate
POST /:index/:collection/_create document create
POST /:index/:collection/:_id/_create document create
GET /:index/:collection/:_id document get
PUT /:index/:collection/:_id document createOrReplace
DELETE /:index/:collection/:_id document delete
GET /:index/:collection/:_id/_exists document exists
PUT /:index/:collection/:_id/_replace document replace
PATCH /:index/:collection/:_id/_update document update
PUT /:index/:collection/:_id/_update document update
POST /:index/:collection/:_id/_upsert document upsert
PUT /:index/:collection/:_id/_upsert document upsert
GET /_scroll/:scrollId document scroll
POST /:index/:collection/_mCreate document mCreate
PUT /:index/:collection/_mCreateOrReplace document mCreateOrReplace
PUT /:index/:collection/_mReplace document mReplace
PATCH /:index/:collection/_mUpdate document mUpdate
PUT /:index/:collection/_mUpdate document mUpdate
POST /:index/:collection/_mUpsert document mUpsert
GET /:index/:collection/_mGet document mGet
POST /:index/:collection/_mGet document mGet
DELETE /:index/:collection/_mDelete document mDelete
DELETE /:index/:collection/_query document deleteByQuery
PUT /:index/:collection/_query document updateByQuery
PATCH /:index/:collection/_query document updateByQuery
POST /:index/:collection/_publish realtime publish
GET /_listSubscriptions realtime list
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

ROUTES = [Route(*line.split()) for table in (_TABLE, _SECURITY_TABLE) for line in table.strip().splitlines()]


def match_route(verb: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``verb path`` and its decoded placeholders, or None."""
    parts = [p for p in path.split("/") if p]
    best: tuple[tuple[bool, ...], Route, dict[str, str]] | None = None
    for route in ROUTES:
        pattern = route.parts
        if route.verb != verb or len(pattern) != len(parts):
            continue
        params: dict[str, str] = {}
        statics: list[bool] = []
        for expected, actual in zip(pattern, parts, strict=True):
            if expected.startswith(":"):
                params[expected[1:]] = unquote(actual)
                statics.append(False)
            elif expected == actual:
                statics.append(True)
            else:
                break
        else:
            # Prefer the route whose leftmost differing segment is static.
            if best is None or tuple(statics) > best[0]:
                best = (tuple(statics), route, params)
    return (best[1], best[2]) if best else None


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
