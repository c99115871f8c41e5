"""``security`` controller: every action of Kuzzle 2.56's
``lib/api/controllers/securityController.ts``, over the security store (``security.py``).

Answers are Kuzzle's: objects as ``{_id, _source}`` (``formatProcessing``), deletions
as ``{_id}``, ``m*Delete`` as the list of deleted ids (a partial failure answers 206
with ``services.storage.incomplete_delete`` and still the ids), rights as
``{hits, total}``. Only the ``local`` strategy exists.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from ..config import parse_duration_ms
from ..context import ActionTable, ServerContext
from ..errors import KuzzleError, kerror
from ..es_query import check_body, compile_query, sort_by_body
from ..fields import deep_merge
from ..koncorde_search import to_es_query
from ..mappings import indexed_hit
from ..profiles import serialize as serialize_profile
from ..request import KuzzleRequest
from ..security import RESTRICTED_PROFILE_IDS
from ..users import ANONYMOUS_KUID, User
from .auth import api_key_ttl_ms, requested_action_allowed

SECURITY_COLLECTIONS = ["users", "profiles", "roles"]
DOCUMENTS_FETCH_COUNT = 10_000  # limits.documentsFetchCount
DOCUMENTS_WRITE_COUNT = 200  # limits.documentsWriteCount
DEFAULT_SCROLL_TTL_MS = 30_000
# The internal index's mappings (default.config services.storageEngine.internalIndex).
INITIAL_MAPPINGS: dict[str, dict[str, Any]] = {
    "users": {"dynamic": "false", "properties": {"profileIds": {"type": "keyword"}}},
    "profiles": {
        "dynamic": "false",
        "properties": {
            "tags": {"type": "keyword"},
            "policies": {
                "properties": {
                    "roleId": {"type": "keyword"},
                    "restrictedTo": {
                        "type": "nested",
                        "properties": {"index": {"type": "keyword"}, "collections": {"type": "keyword"}},
                    },
                }
            },
        },
    },
    "roles": {
        "dynamic": "false",
        "properties": {"tags": {"type": "keyword"}, "controllers": {"dynamic": "false", "properties": {}}},
    },
}


def serialize_role(role_id: str, source: dict[str, Any]) -> dict[str, Any]:
    return {"_id": role_id, "_source": source}


def body_or_empty(request: KuzzleRequest) -> dict[str, Any]:
    """``request.getBody({})``."""
    if request.body is None:
        return {}
    return request.get_body()


class SecurityController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx
        self._security = ctx.security

    def actions(self) -> ActionTable:
        names = [
            "checkRights", "createApiKey", "createCredentials", "createFirstAdmin",
            "restrictDefaultRights", "createOrReplaceProfile", "createOrReplaceRole",
            "createProfile", "createRestrictedUser", "createRole", "createUser", "deleteApiKey",
            "deleteCredentials", "deleteProfile", "deleteRole", "deleteUser",
            "getAllCredentialFields", "getCredentialFields", "getCredentials", "getCredentialsById",
            "getProfile", "getProfileMapping", "getProfileRights", "getRole", "getRoleMapping",
            "getUser", "getUserMapping", "getUserRights", "getUserStrategies", "hasCredentials",
            "mDeleteProfiles", "mDeleteRoles", "mDeleteUsers", "mGetProfiles", "mGetRoles",
            "mGetUsers", "refresh", "replaceUser", "revokeTokens", "scrollProfiles", "scrollUsers",
            "searchApiKeys", "searchProfiles", "searchRoles", "searchUsers",
            "searchUsersByCredentials", "updateCredentials", "updateProfile",
            "updateProfileMapping", "updateRole", "updateRoleMapping", "updateUser",
            "updateUserMapping", "upsertUser", "validateCredentials",
        ]  # fmt: skip
        return {"security": {name: getattr(self, _snake(name)) for name in names}}

    # -- rights -----------------------------------------------------------------------------

    async def check_rights(self, request: KuzzleRequest) -> dict[str, bool]:
        user_id = request.get_string("userId")
        payload = request.get_body()
        for name in ("controller", "action"):
            if not isinstance(payload.get(name), str):
                raise kerror("api.assert.missing_argument", f"body.{name}")
        user = self._security.user(user_id)
        return {"allowed": requested_action_allowed(self._ctx, user, payload)}

    async def get_user_rights(self, request: KuzzleRequest) -> dict[str, Any]:
        hits = self._security.rights(self._security.user(request.get_id()).profile_ids)
        return {"hits": hits, "total": len(hits)}

    async def get_profile_rights(self, request: KuzzleRequest) -> dict[str, Any]:
        profile_id = request.get_id()
        self._security.profile(profile_id)
        hits = self._security.rights([profile_id])
        return {"hits": hits, "total": len(hits)}

    # -- roles ------------------------------------------------------------------------------

    async def get_role(self, request: KuzzleRequest) -> dict[str, Any]:
        role_id = request.get_id()
        return serialize_role(role_id, self._security.role(role_id))

    async def m_get_roles(self, request: KuzzleRequest) -> dict[str, Any]:
        ids = self._ids(request)
        return {"hits": [serialize_role(i, self._security.role(i)) for i in ids]}

    async def search_roles(self, request: KuzzleRequest) -> dict[str, Any]:
        offset = request.get_integer("from", 0)
        size = self._page_size(request)
        body = body_or_empty(request)
        if body.get("controllers") and body.get("query"):
            raise kerror(
                "api.assert.mutually_exclusive", "controllers", "query",
                message='You cannot specifify both "controllers" and "query". '
                'Prefer the usage of "query" property with a search query.',
            )  # fmt: skip
        hits = [serialize_role(i, s) for i, s in self._security.roles.all()]
        controllers = body.get("controllers")
        if controllers is not None:
            if not isinstance(controllers, list):
                raise kerror("api.assert.invalid_type", "body.controllers", "array")
            if controllers:
                hits = [
                    h for h in hits
                    if any(k == "*" or k in controllers for k in h["_source"].get("controllers", {}))
                ]  # fmt: skip
        else:
            hits = self._searched(request, hits, body, "roles")
        return {"hits": hits[offset : offset + size], "total": len(hits)}

    async def create_role(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._save_role(request, "create")

    async def create_or_replace_role(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._save_role(request, "createOrReplace")

    async def update_role(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._save_role(request, "replace")

    def _save_role(self, request: KuzzleRequest, method: str) -> dict[str, Any]:
        role_id, body = request.get_id(), request.get_body()
        force = request.get_boolean("force")
        source = self._security.save_role(role_id, body, method=method, force=force, author=request.kuid)
        return serialize_role(role_id, source)

    async def delete_role(self, request: KuzzleRequest) -> dict[str, str]:
        role_id = request.get_id()
        self._security.delete_role(role_id)
        return {"_id": role_id}

    async def m_delete_roles(self, request: KuzzleRequest) -> list[str]:
        return self._m_delete(request, self._security.delete_role)

    # -- profiles ---------------------------------------------------------------------------

    async def get_profile(self, request: KuzzleRequest) -> dict[str, Any]:
        profile_id = request.get_id()
        return serialize_profile(profile_id, self._security.profile(profile_id))

    async def m_get_profiles(self, request: KuzzleRequest) -> dict[str, Any]:
        ids = self._ids(request)
        if not all(isinstance(i, str) for i in ids):
            raise kerror("api.assert.invalid_type", "profileIds", "string[]")
        return {"hits": [serialize_profile(i, self._security.profile(i)) for i in ids]}

    async def search_profiles(self, request: KuzzleRequest) -> dict[str, Any]:
        size = self._page_size(request)
        body = body_or_empty(request)
        if body.get("roles") and body.get("query"):
            raise kerror(
                "api.assert.mutually_exclusive", "roles", "query",
                message='You cannot specifify both "roles" and "query". '
                'Prefer the usage of "query" property with a search query.',
            )  # fmt: skip
        hits = [serialize_profile(i, s) for i, s in self._security.profiles.all()]
        wanted = body.get("roles")
        if wanted is not None:  # deprecated: profiles using one of these roles
            if not isinstance(wanted, list):
                raise kerror("api.assert.invalid_type", "body.roles", "array")
            if wanted:
                hits = [h for h in hits if any(p["roleId"] in wanted for p in h["_source"]["policies"])]
        else:
            hits = self._searched(request, hits, body, "profiles")
        return self._search_page(request, hits, size)

    async def scroll_profiles(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._scroll(request)

    async def create_profile(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._save_profile(request, "create")

    async def create_or_replace_profile(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._save_profile(request, "createOrReplace")

    async def update_profile(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._save_profile(request, "update")

    def _save_profile(self, request: KuzzleRequest, method: str) -> dict[str, Any]:
        profile_id, body = request.get_id(), request.get_body()
        if method != "update":
            request.get_body_field("policies", list, "array")
        source = self._security.save_profile(
            profile_id, body, method=method, author=request.kuid, strict=request.get_boolean("strict")
        )
        return serialize_profile(profile_id, source)

    async def delete_profile(self, request: KuzzleRequest) -> dict[str, str]:
        profile_id = request.get_id()
        on_assigned = request.get_string("onAssignedUsers", "fail")
        self._security.delete_profile(profile_id, on_assigned_users=on_assigned, author=request.kuid)
        return {"_id": profile_id}

    async def m_delete_profiles(self, request: KuzzleRequest) -> list[str]:
        def delete(profile_id: str) -> None:
            self._security.delete_profile(profile_id, on_assigned_users="fail", author=request.kuid)

        return self._m_delete(request, delete)

    # -- users ------------------------------------------------------------------------------

    async def get_user(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._security.user(request.get_id()).serialize()

    async def m_get_users(self, request: KuzzleRequest) -> dict[str, Any]:
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("ids"):
            ids = request.get_body_field("ids", list, "array")
        else:  # getArrayLegacy: a comma-separated string is accepted too
            raw = request.args.get("ids")
            if raw is None:
                raise kerror("api.assert.missing_argument", "ids")
            ids = raw.split(",") if isinstance(raw, str) else raw
            if not isinstance(ids, list):
                raise kerror("api.assert.invalid_type", "ids", "array")
        users = [self._security.users.get(i) for i in ids if isinstance(i, str) and i != ANONYMOUS_KUID]
        return {"hits": [u.serialize() for u in users if u is not None]}

    async def search_users(self, request: KuzzleRequest) -> dict[str, Any]:
        size = self._page_size(request)
        users = [u.serialize() for u in self._security.users.all()]
        found = self._searched(request, users, body_or_empty(request), "users")
        return self._search_page(request, found, size)

    async def scroll_users(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._scroll(request)

    async def create_user(self, request: KuzzleRequest) -> dict[str, Any]:
        content = request.get_body_field("content", dict, "object")
        profile_ids = _body_array(content, "content.profileIds")
        return self._persist_user(request, profile_ids, content)

    async def create_restricted_user(self, request: KuzzleRequest) -> dict[str, Any]:
        content = request.get_body_field("content", dict, "object", {})
        if "profileIds" in content:
            raise kerror("api.assert.forbidden_argument", "body.content.profileIds")
        return self._persist_user(request, RESTRICTED_PROFILE_IDS, content)

    async def create_first_admin(self, request: KuzzleRequest) -> dict[str, Any]:
        if self._security.admin_exists():
            raise kerror("api.process.admin_exists")
        content = request.get_body_field("content", dict, "object", {})
        reset = request.get_boolean("reset")
        if "profileIds" in content:
            raise kerror("api.assert.forbidden_argument", "body.content.profileIds")
        with self._ctx.internal.transaction():
            user = self._persist_user(request, ["admin"], content)
            if reset:
                self._security.restrict_default_rights(request.kuid)
        return user

    async def restrict_default_rights(self, request: KuzzleRequest) -> None:
        with self._ctx.internal.transaction():
            self._security.restrict_default_rights(request.kuid)

    def _persist_user(
        self, request: KuzzleRequest, profile_ids: Any, content: dict[str, Any]
    ) -> dict[str, Any]:
        credentials = request.get_body_field("credentials", dict, "object", {})
        kuid = request.args.get("_id")
        if kuid is None:
            uuid_ids = request.get_string("kuid", "human") == "uuid"
            kuid = f"kuid-{uuid.uuid4()}" if uuid_ids else f"kuid-{secrets.token_hex(6)}"
        elif not isinstance(kuid, str):
            raise kerror("api.assert.invalid_type", "_id", "string")
        user = self._security.persist_user(kuid, profile_ids, content, credentials, request.kuid)
        return user.serialize()

    async def update_user(self, request: KuzzleRequest) -> dict[str, Any]:
        kuid, content = request.get_id(), request.get_body()
        profile_ids = None if content.get("profileIds") is None else _body_array(content, "profileIds")
        return self._security.update_user(kuid, profile_ids, content, request.kuid).serialize()

    async def upsert_user(self, request: KuzzleRequest) -> dict[str, Any]:
        kuid = request.get_id()
        content = request.get_body_field("content", dict, "object")
        profile_ids = _body_array(content, "content.profileIds")
        defaults = request.get_body_field("default", dict, "object", {})
        if self._security.users.exists(kuid):
            return self._security.update_user(kuid, profile_ids, content, request.kuid).serialize()
        return self._persist_user(request, profile_ids, {**defaults, **content})

    async def replace_user(self, request: KuzzleRequest) -> dict[str, Any]:
        kuid, content = request.get_id(), request.get_body()
        profile_ids = _body_array(content, "profileIds")
        return self._security.replace_user(kuid, profile_ids, content, request.kuid).serialize()

    async def delete_user(self, request: KuzzleRequest) -> dict[str, str]:
        kuid = request.get_id()
        self._security.delete_user(kuid)
        return {"_id": kuid}

    async def m_delete_users(self, request: KuzzleRequest) -> list[str]:
        return self._m_delete(request, self._security.delete_user)

    async def get_user_strategies(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._security.user(request.get_id())
        local = self._ctx.local
        strategies = [local.name] if user.kuid != ANONYMOUS_KUID and local.exists(user.kuid) else []
        return {"strategies": strategies, "total": len(strategies)}

    async def revoke_tokens(self, request: KuzzleRequest) -> None:
        self._ctx.tokens.revoke_all_of(request.get_id())

    # -- credentials (local strategy) --------------------------------------------------------

    def _strategy(self, request: KuzzleRequest) -> None:
        strategy = request.get_string("strategy")
        if strategy != self._ctx.local.name:
            raise kerror("security.credentials.unknown_strategy", strategy)

    def _existing_user(self, request: KuzzleRequest) -> User:
        self._strategy(request)
        return self._security.user(request.get_id())

    async def create_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._existing_user(request)
        return self._ctx.local.create(user.kuid, request.get_body())

    async def update_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._existing_user(request)
        return self._ctx.local.update(user.kuid, request.get_body())

    async def has_credentials(self, request: KuzzleRequest) -> bool:
        self._strategy(request)
        return self._ctx.local.exists(request.get_id())

    async def validate_credentials(self, request: KuzzleRequest) -> bool:
        self._strategy(request)
        kuid = request.get_string("_id", "")
        self._ctx.local.validate(kuid, request.get_body(), partial=False)
        return True

    async def delete_credentials(self, request: KuzzleRequest) -> dict[str, bool]:
        self._strategy(request)
        self._ctx.local.delete(request.get_id())
        return {"acknowledged": True}

    async def get_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        self._strategy(request)
        kuid = request.get_id()
        info = self._ctx.local.info(kuid)
        if info is None:
            raise kerror("services.storage.not_found", kuid, "local", "credentials")
        return info

    async def get_credentials_by_id(self, request: KuzzleRequest) -> dict[str, Any]:
        self._strategy(request)
        username = request.get_id()
        kuid = self._ctx.local.kuid_of(username)
        if kuid is None:
            raise kerror("services.storage.not_found", username, "local", "credentials")
        return {"username": username, "kuid": kuid}

    async def get_credential_fields(self, request: KuzzleRequest) -> list[str]:
        self._strategy(request)
        return list(self._ctx.local.fields)

    async def get_all_credential_fields(self, request: KuzzleRequest) -> dict[str, list[str]]:
        return {self._ctx.local.name: list(self._ctx.local.fields)}

    async def search_users_by_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        self._strategy(request)
        offset, size = request.get_integer("from", 0), request.get_integer("size", DOCUMENTS_FETCH_COUNT)
        hits = []
        for user in self._security.users.all():
            info = self._ctx.local.info(user.kuid)
            if info is not None:
                hits.append({"_id": user.kuid, "_source": info})
        found = [hit["_source"] for hit in _matching(hits, body_or_empty(request))]
        return {"hits": found[offset : offset + size], "total": len(found)}

    # -- API keys of any user ----------------------------------------------------------------

    async def create_api_key(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._security.user(request.get_string("userId"))
        description = request.get_body_field("description", str, "string")
        key_id = request.get_string("_id", None) or str(uuid.uuid4())
        return self._ctx.api_keys.create(user.kuid, api_key_ttl_ms(self._ctx, request), description, key_id)

    async def search_api_keys(self, request: KuzzleRequest) -> dict[str, Any]:
        user_id = request.get_string("userId")
        return self._ctx.api_keys.search(
            user_id, request.get_integer("from", 0), request.get_integer("size", DOCUMENTS_FETCH_COUNT)
        )

    async def delete_api_key(self, request: KuzzleRequest) -> dict[str, str]:
        user_id, key_id = request.get_string("userId"), request.get_id()
        self._ctx.api_keys.delete(user_id, key_id)
        return {"_id": key_id}

    def _searched(
        self, request: KuzzleRequest, hits: list[dict[str, Any]], body: dict[str, Any], collection: str
    ) -> list[dict[str, Any]]:
        """``core:security:*:search``: an Elasticsearch search of the internal collection:
        the query (Koncorde with ``lang=koncorde``) reads what its mapping indexes, then
        ``sort`` and ``search_after`` as in ``document:search``; the total counts the matches."""
        check_body(body)
        query = body.get("query") or {}
        if not isinstance(query, dict):
            raise kerror("services.storage.invalid_search_query", "query")
        matches = compile_query(to_es_query(query) if request.get_lang() == "koncorde" else query)
        mapping = self._mapping(collection)
        found = [hit for hit in hits if matches(indexed_hit(mapping, hit))]
        ordered = sort_by_body(body, found, [mapping])
        return found if ordered is None else ordered

    # -- mappings and refresh ----------------------------------------------------------------

    def _mapping(self, collection: str) -> dict[str, Any]:
        stored = self._ctx.internal.get_config(f"mapping:{collection}")
        return json.loads(stored) if stored is not None else INITIAL_MAPPINGS[collection]

    def _update_mapping(self, request: KuzzleRequest, collection: str) -> dict[str, Any]:
        merged = deep_merge(self._mapping(collection), request.get_body())
        self._ctx.internal.set_config(f"mapping:{collection}", json.dumps(merged))
        return {
            "dynamic": merged.get("dynamic"),
            "_meta": merged.get("_meta", {}),
            "properties": merged["properties"],
        }

    async def get_user_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        return {"mapping": self._mapping("users")["properties"]}

    async def get_profile_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        return {"mapping": self._mapping("profiles")["properties"]}

    async def get_role_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        return {"mapping": self._mapping("roles")["properties"]}

    async def update_user_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._update_mapping(request, "users")

    async def update_profile_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._update_mapping(request, "profiles")

    async def update_role_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._update_mapping(request, "roles")

    async def refresh(self, request: KuzzleRequest) -> None:
        collection = request.get_collection()
        if collection not in SECURITY_COLLECTIONS:
            raise kerror("api.assert.unexpected_argument", collection, SECURITY_COLLECTIONS)

    # -- shared ------------------------------------------------------------------------------

    @staticmethod
    def _ids(request: KuzzleRequest) -> list[Any]:
        ids: list[Any] = request.get_body_field("ids", list, "array")
        return ids

    @staticmethod
    def _page_size(request: KuzzleRequest) -> int:
        size = request.get_integer("size", DOCUMENTS_FETCH_COUNT)
        if size > DOCUMENTS_FETCH_COUNT:
            raise kerror("services.storage.get_limit_exceeded")
        return size

    def _search_page(self, request: KuzzleRequest, hits: list[dict[str, Any]], size: int) -> dict[str, Any]:
        offset = request.get_integer("from", 0)
        page = hits[offset : offset + size]
        result: dict[str, Any] = {"hits": page, "total": len(hits)}
        scroll = request.args.get("scroll")
        if scroll is not None:
            ttl = _duration_ms(scroll)
            result["scrollId"] = self._ctx.scrolls.open(hits, size, offset + len(page), ttl)
        return result

    def _scroll(self, request: KuzzleRequest) -> dict[str, Any]:
        scroll_id = request.get_string("scrollId")
        raw = request.args.get("scroll")
        page, _, total = self._ctx.scrolls.next_page(scroll_id, None if raw is None else _duration_ms(raw))
        return {"hits": page, "scrollId": scroll_id, "total": total}

    def _m_delete(self, request: KuzzleRequest, delete: Any) -> list[str]:
        ids = self._ids(request)
        if len(ids) > DOCUMENTS_WRITE_COUNT:
            raise kerror("services.storage.write_limit_exceeded")
        successes: list[str] = []
        errors: list[KuzzleError] = []
        for object_id in ids:
            try:
                delete(object_id)
            except KuzzleError as error:
                errors.append(error)
            else:
                successes.append(object_id)
        if errors:
            request.partial_error = kerror("services.storage.incomplete_delete", errors=errors)
        return successes


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _body_array(content: dict[str, Any], name: str) -> list[Any]:
    """``getBodyArray(name)`` on an already extracted object."""
    value = content.get(name.rpartition(".")[2])
    if value is None:
        raise kerror("api.assert.missing_argument", f"body.{name}")
    if not isinstance(value, list):
        raise kerror("api.assert.invalid_type", f"body.{name}", "array")
    return value


def _matching(hits: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    """Hits matching the body's Elasticsearch ``query`` (the dev server's subset)."""
    query = body.get("query") or {}
    if not isinstance(query, dict):
        raise kerror("services.storage.invalid_search_query", "query")
    matcher = compile_query(query)
    return [hit for hit in hits if matcher(hit)]


def _duration_ms(raw: Any) -> int:
    try:
        return parse_duration_ms(raw) if isinstance(raw, str | int) else DEFAULT_SCROLL_TTL_MS
    except ValueError:
        raise kerror("api.assert.invalid_type", "scroll", "duration") from None
