"""``admin`` controller (kuzzle ``lib/api/controllers/adminController.ts``).

Kuzzle 2.56 has ``dump``, ``loadFixtures``, ``loadMappings``, ``loadSecurities``,
``refreshIndexCache``, ``resetCache``, ``resetDatabase``, ``resetSecurity`` and
``shutdown``; most answer ``{acknowledge: true}`` (sic). ``resetKuzzleData`` has an HTTP
route but no action any more, so it answers ``api.process.action_not_found`` as Kuzzle.
Fixtures are ``{index: {collection: [bulk lines]}}`` (``{"create"|"index": {"_id"?}}`` then
the document, ``{"update": {"_id"}}`` then ``{"doc": ...}``, ``{"delete": {"_id"}}``);
mappings are ``{index: {collection: mappings}}``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..context import ActionTable, ServerContext
from ..errors import KuzzleError, kerror
from ..fields import deep_merge
from ..request import KuzzleRequest
from ..security import load_securities
from ..storage import new_document_id

ACKNOWLEDGE = {"acknowledge": True}


class AdminController:
    def __init__(
        self, ctx: ServerContext, data_dir: Callable[[], Path], shutdown: Callable[[], None]
    ) -> None:
        self._ctx = ctx
        self._data_dir = data_dir
        self._shutdown = shutdown
        self._shutting_down = False

    def actions(self) -> ActionTable:
        return {
            "admin": {
                "dump": self.dump,
                "loadFixtures": self.load_fixtures,
                "loadMappings": self.load_mappings,
                "loadSecurities": self.load_securities,
                "refreshIndexCache": self.refresh_index_cache,
                "resetCache": self.reset_cache,
                "resetDatabase": self.reset_database,
                "resetSecurity": self.reset_security,
                "shutdown": self.shutdown,
            }
        }

    async def refresh_index_cache(self, request: KuzzleRequest) -> None:
        return None  # the dev server reads its indexes from SQLite: no cache to refresh

    async def reset_cache(self, request: KuzzleRequest) -> dict[str, bool]:
        database = request.get_string("database")
        if database == "internalCache":  # Redis' internal cache holds the tokens
            self._ctx.tokens.clear()
        elif database != "memoryStorage":  # no memory storage here: nothing to flush
            raise kerror("services.cache.database_not_found", database)
        return {"acknowledge": True}

    async def reset_security(self, request: KuzzleRequest) -> dict[str, int]:
        return self._ctx.security.reset()

    async def reset_database(self, request: KuzzleRequest) -> dict[str, bool]:
        storage = self._ctx.storage
        for index in storage.list_indexes():
            storage.delete_index(index)
        self._ctx.scrolls.clear()
        return dict(ACKNOWLEDGE)

    async def dump(self, request: KuzzleRequest) -> dict[str, bool]:
        """A directory ``dump/<date>-<suffix>/`` in the data directory with what the dev
        server can tell about itself (Kuzzle adds core dumps and Elasticsearch stats)."""
        suffix = request.get_string("suffix", "manual-api-action")
        base = self._data_dir() / "dump"
        target = (base / (time.strftime("%Y%m%d-%H%M%S") + f"-{suffix}")[:200]).resolve()
        if not str(target).startswith(str(base.resolve())):
            raise kerror(
                "api.assert.invalid_argument", "suffix", "a name inside the dump directory",
                message=f"Dump path '{target}' is outside of designated dump directory '{base}'",
            )  # fmt: skip
        target.mkdir(parents=True, exist_ok=True)
        config = self._ctx.config
        facts = {
            "config": {"host": config.host, "port": config.port, "tokenTtlMs": config.token_ttl_ms},
            "indexes": {i: self._ctx.storage.list_collections(i) for i in self._ctx.storage.list_indexes()},
        }
        (target / "kuzzle.json").write_text(json.dumps(facts, indent=2), encoding="utf-8")
        return dict(ACKNOWLEDGE)

    async def shutdown(self, request: KuzzleRequest) -> dict[str, bool]:
        if self._shutting_down:
            raise kerror("api.process.action_locked", "Kuzzle is already shutting down.")
        self._shutting_down = True
        self._shutdown()
        return dict(ACKNOWLEDGE)

    async def load_fixtures(self, request: KuzzleRequest) -> dict[str, bool]:
        fixtures = request.get_body()
        storage = self._ctx.storage
        for index, collections in fixtures.items():
            if not isinstance(collections, dict):
                raise kerror("api.assert.invalid_argument", collections, "object")
            for collection, lines in collections.items():
                storage.assert_collection(index, collection)
                if not isinstance(lines, list):
                    raise kerror("api.assert.invalid_type", f"{index}.{collection}", "array")
                errors = self._import(request, index, collection, lines)
                if errors:
                    raise kerror("services.storage.import_failed", errors=errors)
        return dict(ACKNOWLEDGE)

    def _import(
        self, request: KuzzleRequest, index: str, collection: str, lines: list[Any]
    ) -> list[KuzzleError]:
        """ES bulk import: what succeeds stays, failures are returned (Kuzzle then throws)."""
        storage, errors = self._ctx.storage, []
        now = int(time.time() * 1000)
        info = {"author": request.kuid, "createdAt": now, "updatedAt": None, "updater": None}
        position = 0
        while position < len(lines):
            action_line = lines[position]
            if not isinstance(action_line, dict) or len(action_line) != 1:
                raise kerror(
                    "api.assert.invalid_argument", f"{index}.{collection}[{position}]", "a bulk action"
                )
            ((action, meta),) = action_line.items()
            meta = meta if isinstance(meta, dict) else {}
            doc_id = meta.get("_id")
            document = (
                None if action == "delete" else (lines[position + 1] if position + 1 < len(lines) else None)
            )
            position += 1 if action == "delete" else 2
            try:
                if action == "delete":
                    storage.delete(index, collection, str(doc_id))
                elif not isinstance(document, dict):
                    raise kerror("api.assert.invalid_type", "document", "object")
                elif action == "create":
                    storage.create(index, collection, doc_id, {**document, "_kuzzle_info": info})
                elif action == "index":
                    storage.write(index, collection, str(doc_id) if doc_id else new_document_id(), {
                        **document, "_kuzzle_info": info,
                    })  # fmt: skip
                elif action == "update":
                    before = storage.get(index, collection, str(doc_id))
                    merged = deep_merge(before["_source"], document.get("doc", {}))
                    storage.write(index, collection, str(doc_id), merged)
                else:
                    raise kerror(
                        "api.assert.invalid_argument", action, '"create", "index", "update", "delete"'
                    )
            except KuzzleError as error:
                errors.append(error)
        return errors

    async def load_mappings(self, request: KuzzleRequest) -> dict[str, bool]:
        definitions = request.get_body()
        storage = self._ctx.storage
        for index, collections in definitions.items():
            if not isinstance(collections, dict):
                raise kerror("api.assert.invalid_argument", collections, "object")
            for collection, mappings in collections.items():
                if not isinstance(mappings, dict):
                    raise kerror("api.assert.invalid_type", f"{index}.{collection}", "object")
                storage.create_collection(index, collection, mappings, {})
        return dict(ACKNOWLEDGE)

    async def load_securities(self, request: KuzzleRequest) -> dict[str, bool]:
        load_securities(
            self._ctx.security,
            request.get_body(),
            on_existing_users=request.args.get("onExistingUsers", "fail"),
            force=request.get_boolean("force"),
            author=request.kuid,
        )
        return dict(ACKNOWLEDGE)
