"""``collection`` controller (kuzzle ``lib/api/controllers/collectionController.js``).

Validation specifications live in storage as Kuzzle's internal ``validations`` documents
(``_id`` ``index#collection``, ``_source`` ``{collection, index, validation}``), searched
like any collection; their format checks are in :mod:`..validation`.
"""

from __future__ import annotations

from typing import Any

from ..config import parse_duration_ms
from ..context import ActionTable, ServerContext
from ..errors import kerror
from ..es_query import check_body, compile_query, parse_sort, sort_hits
from ..request import KuzzleRequest
from ..validation import check_format, problem_json, problem_text

# Kuzzle's internal index and the collection holding the specifications.
INTERNAL_INDEX = "kuzzle"
SPECIFICATIONS = "validations"
DEFAULT_SCROLL_TTL_MS = 15_000  # services.storageEngine.defaults.scrollTTL
DOCUMENTS_FETCH_COUNT = 10_000
MAX_SCROLL_DURATION_MS = 60_000  # services.storageEngine.maxScrollDuration


class CollectionController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "collection": {
                "create": self.create,
                "delete": self.delete,
                "deleteSpecifications": self.delete_specifications,
                "exists": self.exists,
                "getMapping": self.get_mapping,
                "getSettings": self.get_settings,
                "getSpecifications": self.get_specifications,
                "list": self.list_collections,
                "refresh": self.refresh,
                "scrollSpecifications": self.scroll_specifications,
                "searchSpecifications": self.search_specifications,
                "truncate": self.truncate,
                "update": self.update,
                "updateMapping": self.update_mapping,
                "updateSpecifications": self.update_specifications,
                "validateSpecifications": self.validate_specifications,
            }
        }

    @staticmethod
    def _body(request: KuzzleRequest) -> dict[str, Any]:
        """``getBody({})``."""
        return request.get_body() if request.body is not None else {}

    async def create(self, request: KuzzleRequest) -> dict[str, bool]:
        body = self._body(request)
        index, collection = request.get_index(), request.get_collection()
        if body.get("properties") or body.get("dynamic") or body.get("_meta"):
            mappings: Any = body  # bare mappings: deprecated since 2.1.0, still accepted
            settings: Any = {}
        else:
            mappings, settings = body.get("mappings", {}), body.get("settings", {})
        self._ctx.storage.create_collection(index, collection, mappings, settings)
        return {"acknowledged": True}

    async def update(self, request: KuzzleRequest) -> None:
        body = self._body(request)
        index, collection = request.get_index(), request.get_collection()
        self._ctx.storage.update_collection(
            index, collection, body.get("mappings", {}), body.get("settings", {})
        )

    async def exists(self, request: KuzzleRequest) -> bool:
        index, collection = request.get_index(), request.get_collection()
        return self._ctx.storage.collection_exists(index, collection)

    async def list_collections(self, request: KuzzleRequest) -> dict[str, Any]:
        index = request.get_index()
        start, size = request.get_integer("from", 0), request.get_integer("size", 0)
        kind = request.get_string("type", "all")
        if kind not in ("all", "stored", "realtime"):
            raise kerror("api.assert.invalid_argument", '"all", "stored", "realtime"')
        collections: list[dict[str, str]] = []
        if kind in ("all", "realtime"):
            names = self._ctx.hotel.collections_of(index)
            collections += [{"name": name, "type": "realtime"} for name in names]
        if kind != "realtime":
            names = self._ctx.storage.list_collections(index)
            collections += [{"name": name, "type": "stored"} for name in names]
        collections.sort(key=lambda entry: entry["name"])
        result: dict[str, Any] = {"collections": collections, "type": kind}
        if start or size:
            result["from"] = start
            end = start + size if size else None
            if size:
                result["size"] = size
            result["collections"] = collections[start:end]
        return result

    async def delete(self, request: KuzzleRequest) -> None:
        self._ctx.storage.delete_collection(request.get_index(), request.get_collection())

    async def get_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        meta = request.get_boolean("includeKuzzleMeta")
        return self._ctx.storage.get_mapping(index, collection, include_kuzzle_meta=meta)

    async def get_settings(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._ctx.storage.get_settings(request.get_index(), request.get_collection())

    async def update_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        return self._ctx.storage.update_mapping(index, collection, request.get_body())

    async def truncate(self, request: KuzzleRequest) -> dict[str, bool]:
        self._ctx.storage.truncate(request.get_index(), request.get_collection())
        return {"acknowledged": True}

    async def refresh(self, request: KuzzleRequest) -> None:
        # Writes are visible at once in SQLite; only the existence check remains.
        self._ctx.storage.assert_collection(request.get_index(), request.get_collection())

    # Validation specifications

    async def get_specifications(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        found = self._ctx.storage.find_specification(f"{index}#{collection}")
        if found is None:
            raise kerror("validation.assert.not_found", index, collection)
        return found

    async def update_specifications(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        specifications = request.get_body()
        problems = check_format(index, collection, specifications)
        if problems:
            raise kerror(
                "validation.assert.invalid_specifications", "\n\t- ".join(map(problem_text, problems))
            )
        source = {"collection": collection, "index": index, "validation": specifications}
        self._ctx.storage.save_specification(f"{index}#{collection}", source)
        return specifications

    async def validate_specifications(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        problems = check_format(index, collection, request.get_body())
        if problems:
            return {
                "description": "Some errors with provided specifications.",
                "details": [problem_json(p) for p in problems],
                "valid": False,
            }
        return {"valid": True}

    async def delete_specifications(self, request: KuzzleRequest) -> dict[str, bool]:
        index, collection = request.get_index(), request.get_collection()
        self._ctx.storage.delete_specification(f"{index}#{collection}")
        return {"acknowledged": True}

    async def search_specifications(self, request: KuzzleRequest) -> dict[str, Any]:
        start, size = request.get_integer("from", 0), request.get_integer("size", 10)
        scroll = request.args.get("scroll")
        if scroll and not isinstance(scroll, str):
            raise kerror("api.assert.invalid_type", "scroll", "string")
        body = self._body(request)
        if size - start > DOCUMENTS_FETCH_COUNT:
            raise kerror("services.storage.get_limit_exceeded")
        check_body(body)
        query = body.get("query") or {}
        if not isinstance(query, dict):
            raise kerror("services.storage.invalid_search_query", "query")
        matcher = compile_query(query)
        hits = [h for h in self._ctx.storage.specifications() if matcher(h)]
        if "sort" in body:
            hits = sort_hits(hits, parse_sort(body["sort"]))
        formatted = [
            {
                "_id": h["_id"],
                "_score": 1,
                "_source": h["_source"],
                "collection": SPECIFICATIONS,
                "index": INTERNAL_INDEX,
            }
            for h in hits
        ]
        result: dict[str, Any] = {"hits": formatted[start : start + size], "total": len(hits)}
        if scroll:
            ttl = self._ttl(scroll)
            result["scrollId"] = self._ctx.scrolls.open(formatted, size, start + len(result["hits"]), ttl)
        return result

    async def scroll_specifications(self, request: KuzzleRequest) -> dict[str, Any]:
        ttl = request.get_string("scroll", None)
        scroll_id = request.get_string("scrollId")
        page, _, total = self._ctx.scrolls.next_page(
            scroll_id, self._ttl(ttl) if ttl else DEFAULT_SCROLL_TTL_MS
        )
        return {"hits": page, "scrollId": scroll_id, "total": total}

    @staticmethod
    def _ttl(raw: str) -> int:
        try:
            ttl = parse_duration_ms(raw)
        except ValueError:
            raise kerror("api.assert.invalid_type", "scroll", "duration") from None
        if ttl > MAX_SCROLL_DURATION_MS:
            raise kerror("services.storage.scroll_duration_too_great", raw)
        return ttl
