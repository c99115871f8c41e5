"""``document`` controller (kuzzle ``lib/api/controllers/documentController.js``).

Single-document actions, searches and ``deleteFields``/``export`` here; the m* actions in
``document_multi.py``, what they all share (metadata, validation, notifications) in
``document_base.py``. Kuzzle validates ``create``, ``createOrReplace``, ``replace`` and
``update`` against the collection's specifications before writing.
"""

from __future__ import annotations

import json
from typing import Any

from ..aggregations import aggregate
from ..config import parse_duration_ms
from ..context import ActionTable
from ..errors import KuzzleError, kerror
from ..es_query import check_body, compile_query, filter_source, sort_by_body
from ..export import export_lines
from ..fields import ABSENT, deep_merge, leaf_paths, lookup
from ..koncorde_search import to_es_query
from ..mappings import MappingRejection, indexed_hit
from ..request import KuzzleRequest
from ..storage import Document
from .document_base import content, now_ms, public
from .document_multi import DOCUMENTS_FETCH_COUNT, DOCUMENTS_WRITE_COUNT, MultiDocumentActions

DEFAULT_SEARCH_SIZE = 10
DEFAULT_SCROLL_TTL_MS = 15_000  # services.storageEngine.defaults.scrollTTL
MAX_SCROLL_DURATION_MS = 60_000  # services.storageEngine.maxScrollDuration
EXPORT_SCROLL = "5s"


class DocumentController(MultiDocumentActions):
    def actions(self) -> ActionTable:
        return {
            "document": {
                "create": self.create,
                "createOrReplace": self.create_or_replace,
                "replace": self.replace,
                "update": self.update,
                "upsert": self.upsert,
                "delete": self.delete,
                "deleteFields": self.delete_fields,
                "get": self.get,
                "exists": self.exists,
                "count": self.count,
                "search": self.search,
                "scroll": self.scroll,
                "export": self.export,
                "validate": self.validate,
                "mExists": self.m_exists,
                "mGet": self.m_get,
                "mDelete": self.m_delete,
                "deleteByQuery": self.delete_by_query,
                "updateByQuery": self.update_by_query,
                **self.multi_actions(),
            }
        }

    def _store(self, request: KuzzleRequest, write: Any, *args: Any) -> Document:
        """Run a storage write; a mapping refusal becomes Kuzzle's single-write error."""
        try:
            document: Document = write(*args)
        except MappingRejection as error:
            raise self._mapping_rejection(request, error) from None
        return document

    # Single-document actions

    async def create(self, request: KuzzleRequest) -> Document:
        doc_id = request.args.get("_id") or None
        if doc_id is not None and not isinstance(doc_id, str):
            raise kerror("api.assert.invalid_type", "_id", "string")
        index, collection = self._target(request)
        body = self._validated(request, request.get_body())
        source = {**content(body), "_kuzzle_info": self._created_info(request)}
        document = self._store(request, self._ctx.storage.create, index, collection, doc_id, source)
        await self._notify_write(request, "create", document, None, public(document))
        return document

    async def create_or_replace(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        self._refresh(request)
        index, collection = self._target(request)
        body = self._validated(request, request.get_body())
        storage = self._ctx.storage
        before = storage.find(index, collection, doc_id)
        source = {**content(body), "_kuzzle_info": self._written_info(request)}
        document = self._store(request, storage.write, index, collection, doc_id, source)
        action = "create" if document["created"] else "replace"
        await self._notify_write(request, action, document, before, public(document))
        return document

    async def replace(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        self._refresh(request)
        index, collection = self._target(request)
        body = self._validated(request, request.get_body())
        storage = self._ctx.storage
        before = storage.get(index, collection, doc_id)
        source = {**content(body), "_kuzzle_info": self._written_info(request)}
        document = self._store(request, storage.write, index, collection, doc_id, source)
        await self._notify_write(request, "replace", document, before, public(document))
        return public(document)

    async def update(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        self._refresh(request)
        changes = request.get_body()
        index, collection = self._target(request)
        storage = self._ctx.storage
        before = storage.get(index, collection, doc_id)
        # Kuzzle validates the changes with the stored document filled in under them.
        changes = self._validated(request, changes, merged=deep_merge(before["_source"], changes))
        merged = deep_merge(before["_source"], content(changes))
        merged["_kuzzle_info"] = self._updated_info(request, before["_source"])
        document = self._store(request, storage.write, index, collection, doc_id, merged)
        result = {**public(document), "_updatedFields": leaf_paths(changes)}
        await self._notify_write(request, "update", document, before, result)
        if request.get_boolean("source"):
            return public(document)
        partial = {**content(changes), "_kuzzle_info": document["_source"]["_kuzzle_info"]}
        return {"_id": document["_id"], "_source": partial, "_version": document["_version"]}

    async def upsert(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        self._refresh(request)
        changes = content(request.get_body_field("changes", dict, "object"))
        defaults = request.get_body_field("default", dict, "object", {})
        index, collection = self._target(request)
        storage = self._ctx.storage
        before = storage.find(index, collection, doc_id)
        info = {"updatedAt": now_ms(), "updater": request.kuid}
        if before is None:
            # Elasticsearch's upsert document: {...default, ...changes}, and the changes'
            # _kuzzle_info (updatedAt, updater) replaces the default one (author, createdAt).
            source = {**defaults, **changes, "_kuzzle_info": info}
        else:
            source = deep_merge(before["_source"], {**changes, "_kuzzle_info": info})
        document = self._store(request, storage.write, index, collection, doc_id, source)
        created = before is None
        result = public(document)
        if not created:
            result["_updatedFields"] = leaf_paths(changes)
        await self._notify_write(request, "create" if created else "update", document, before, result)
        if request.get_boolean("source"):
            return {**public(document), "created": created}
        return {"_id": document["_id"], "_version": document["_version"], "created": created}

    async def delete(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        self._refresh(request)
        index, collection = self._target(request)
        document = self._ctx.storage.delete(index, collection, doc_id)
        await self._notify_delete(request, document)
        return document if request.get_boolean("source") else {"_id": document["_id"]}

    async def delete_fields(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        self._refresh(request)
        fields = request.get_body_field("fields", list, "array")
        index, collection = self._target(request)
        storage = self._ctx.storage
        before = storage.get(index, collection, doc_id)
        source = json.loads(json.dumps(before["_source"]))
        for path in fields:
            _unset(source, str(path))
        source["_kuzzle_info"] = {**(source.get("_kuzzle_info") or {}), **self._updated_info(request, {})}
        document = self._store(request, storage.write, index, collection, doc_id, source)
        await self._notify_write(request, "update", document, before, {"_id": doc_id, "_source": source})
        if request.get_boolean("source"):
            return public(document)
        return {"_id": doc_id, "_version": document["_version"]}

    async def get(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        index, collection = self._target(request)
        return public(self._ctx.storage.get(index, collection, doc_id))

    async def exists(self, request: KuzzleRequest) -> bool:
        doc_id = request.get_id()
        index, collection = self._target(request)
        return self._ctx.storage.find(index, collection, doc_id) is not None

    async def validate(self, request: KuzzleRequest) -> dict[str, Any]:
        """``validate(request, true)``: no collection check, ``{errorMessages, valid}``."""
        body = request.get_body()
        request.get_index(), request.get_collection()
        return self._ctx.validator.validate(self._spec(request), body, request.args.get("_id"), verbose=True)

    async def export(self, request: KuzzleRequest) -> None:
        index, collection = request.get_index(), request.get_collection()
        # getSearchParams checks size; Kuzzle pages its scroll with it, the export is the same.
        request.get_integer("size", DEFAULT_SEARCH_SIZE)
        request.get_lang()
        fmt = request.get_string("format", "jsonl")
        separator = request.get_string("separator", ",")
        query = self._object_from_body_or_args(request, "query", {})
        fields = self._object_from_body_or_args(request, "fields", [])
        names = self._object_from_body_or_args(request, "fieldsName", {})
        if not request.over_http:
            raise kerror("api.assert.unsupported_protocol", request.connection.protocol, "document:export")
        try:
            mapping = self._ctx.storage.get_mapping(index, collection, include_kuzzle_meta=False)
            hits = self._matching(request, {"query": query})
            lines = export_lines(index, collection, hits, fmt, fields, names, separator, mapping)
        except KuzzleError as error:
            # Kuzzle streams the export (status 200 sent): the error's text ends the body, after
            # the header line unless the CSV header needed the failing mapping.
            csv_needs_mapping = fmt.lower() == "csv" and not fields
            header = (
                []
                if csv_needs_mapping
                else export_lines(index, collection, [], fmt, fields, names, separator, {})
            )
            lines = [*header, str(error)]
        mime = "text/csv" if fmt.lower() == "csv" else "html/text"
        request.response_headers.update(
            {
                "Content-Disposition": f'attachment; filename="{index}-{collection}.{fmt}"',
                "Content-Type": mime,
            }
        )
        request.raw_response = "".join(lines).encode()

    @staticmethod
    def _object_from_body_or_args(request: KuzzleRequest, name: str, default: Any) -> Any:
        """``getObjectFromBodyOrArgs``/``getArrayFromBodyOrArgs``: JSON text in a GET query."""
        if request.over_http and request.connection.verb == "GET":
            raw = request.args.get(name)
            if raw is None:
                return default
            if not isinstance(raw, str):
                raise kerror("api.assert.invalid_type", name, "string")
            try:
                return json.loads(raw)
            except ValueError:
                raise kerror("api.assert.invalid_type", name, "JSON string") from None
        kind, label = (list, "array") if isinstance(default, list) else (dict, "object")
        if request.body is None:
            return default
        return request.get_body_field(name, kind, label, default)

    # Search

    def _search_body(self, request: KuzzleRequest) -> dict[str, Any]:
        """``getSearchParams``: the body, or the ``searchBody`` argument of ``GET _search``."""
        if isinstance(request.body, dict):
            return request.body
        raw = request.args.get("searchBody")
        if isinstance(raw, str):
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise kerror("api.assert.invalid_type", "searchBody", "object") from None
            if isinstance(parsed, dict):
                return parsed
        return {}

    def _matching(
        self, request: KuzzleRequest, body: dict[str, Any], pairs: list[tuple[str, str]] | None = None
    ) -> list[Document]:
        """The documents of the target collections matching ``body.query``.

        Each keeps its ``index`` and ``collection`` (searches over ``targets`` span several).
        """
        if pairs is None:
            pairs = [self._target(request)]
        storage = self._ctx.storage
        for index, collection in pairs:
            storage.assert_collection(index, collection)
        query = body.get("query") or {}
        if not isinstance(query, dict):
            raise kerror("services.storage.invalid_search_query", "query")
        matches = compile_query(to_es_query(query) if request.get_lang() == "koncorde" else query)
        return [
            {**document, "index": index, "collection": collection}
            for index, collection in pairs
            for document in storage.matching(index, collection, matches)
        ]

    def _indexed(self, hits: list[Document]) -> list[Document]:
        """The hits as aggregations see them: only what the mapping indexes."""
        mappings: dict[tuple[str, str], dict[str, Any]] = {}
        for hit in hits:
            pair = (hit["index"], hit["collection"])
            if pair not in mappings:
                mappings[pair] = self._ctx.storage.get_mapping(*pair)
        return [
            indexed_hit(mappings[hit["index"], hit["collection"]], hit) for hit in hits
        ]

    @staticmethod
    def _hit(document: Document) -> dict[str, Any]:
        return {
            "_id": document["_id"],
            "_score": 1,
            "_source": document["_source"],
            "collection": document["collection"],
            "index": document["index"],
        }

    @staticmethod
    def _search_targets(request: KuzzleRequest) -> list[tuple[str, str]] | None:
        """``index``/``collection`` or ``targets`` (``[{index, collections}]``), checked as Kuzzle."""
        index, collection = request.args.get("index"), request.args.get("collection")
        targets = request.get_array("targets") if request.args.get("targets") is not None else []
        if not index and not collection and not targets:
            raise kerror("api.assert.missing_argument", "index, collection or targets")
        if index and collection and (_multi_target(str(index)) or _multi_target(str(collection))):
            raise kerror("services.storage.invalid_multi_index_collection_usage")
        if not targets:
            return None
        pairs: list[tuple[str, str]] = []
        for i, target in enumerate(targets):
            target = target if isinstance(target, dict) else {}
            name = target.get("index")
            if not name:
                raise kerror("api.assert.missing_argument", f"targets[{i}].index")
            if _multi_target(str(name)):
                raise kerror("services.storage.invalid_target_format", f"targets[{i}].index", name)
            collections = target.get("collections")
            if collections is None:
                raise kerror("api.assert.missing_argument", f"targets[{i}].collections")
            if not isinstance(collections, list):
                raise kerror("api.assert.invalid_type", f"targets[{i}].collections", "array")
            if not collections:
                raise kerror("api.assert.empty_argument", f"targets[{i}].collections")
            for j, each in enumerate(collections):
                if not isinstance(each, str):
                    raise kerror("api.assert.invalid_type", f"targets[{i}].collections[{j}]", "string")
                if _multi_target(each):
                    raise kerror(
                        "services.storage.invalid_target_format", f"targets[{i}].collections[{j}]", each
                    )
                if (str(name), each) not in pairs:
                    pairs.append((str(name), each))
        return pairs

    async def search(self, request: KuzzleRequest) -> dict[str, Any]:
        start, size = request.get_integer("from", 0), request.get_integer("size", DEFAULT_SEARCH_SIZE)
        self._scroll_arg(request)
        body = self._search_body(request)
        pairs = self._search_targets(request)
        request.get_lang()
        if size - start > DOCUMENTS_FETCH_COUNT:
            raise kerror("services.storage.get_limit_exceeded")
        check_body(body)
        if start > 0 and request.args.get("scroll"):
            raise kerror(
                "services.storage.unexpected_bad_request",
                "Validation Failed: 1: using [from] is not allowed in a scroll context;",
            )
        hits = self._matching(request, body, pairs)
        aggregations = body.get("aggregations", body.get("aggs"))
        computed = aggregate(aggregations, self._indexed(hits)) if aggregations is not None else None
        if isinstance(body.get("post_filter"), dict):  # filters the hits, not the aggregations
            hits = [hit for hit in hits if compile_query(body["post_filter"])(hit)]
        result = self._sorted_page(request, body, hits, start, pairs or [self._target(request)])
        if computed is not None:
            result["aggregations"] = computed
        if body.get("_source", True) is not True or "_source_includes" in body or "_source_excludes" in body:
            for hit in result["hits"]:
                shown = filter_source(body, hit["_source"])
                if shown is None:
                    del hit["_source"]
                else:
                    hit["_source"] = shown
        return result

    def _sorted_page(
        self,
        request: KuzzleRequest,
        body: dict[str, Any],
        hits: list[Document],
        start: int,
        pairs: list[tuple[str, str]],
    ) -> dict[str, Any]:
        mappings = [self._ctx.storage.get_mapping(*pair) for pair in pairs] if "sort" in body else []
        ordered = sort_by_body(body, hits, mappings)
        if ordered is None:
            return self._page(request, hits, len(hits), start)
        if "search_after" in body:  # the page starts after the given values, from is ignored
            return self._page(request, ordered, len(hits), 0)
        return self._page(request, ordered, len(ordered), start)

    def _page(self, request: KuzzleRequest, hits: list[Document], total: int, start: int) -> dict[str, Any]:
        size = request.get_integer("size", DEFAULT_SEARCH_SIZE)
        page = [self._hit(d) for d in hits[start : start + size]]
        result: dict[str, Any] = {"hits": page, "total": total}
        scroll = request.args.get("scroll")
        if scroll is not None:
            ttl = self._scroll_ttl(scroll)
            fetched = start + len(page)
            rest = [self._hit(d) for d in hits]
            result["scrollId"] = self._ctx.scrolls.open(rest, size, fetched, ttl)
            result["remaining"] = max(len(hits) - fetched, 0)
        return result

    @staticmethod
    def _scroll_arg(request: KuzzleRequest) -> str | None:
        """``getScrollTTLParam``: a string, or nothing."""
        raw = request.args.get("scroll")
        if raw and not isinstance(raw, str):
            raise kerror("api.assert.invalid_type", "scroll", "string")
        return raw or None

    @staticmethod
    def _scroll_ttl(raw: Any) -> int:
        try:
            ttl = parse_duration_ms(raw) if isinstance(raw, str | int) else DEFAULT_SCROLL_TTL_MS
        except ValueError:
            raise kerror("api.assert.invalid_type", "scroll", "duration") from None
        if ttl > MAX_SCROLL_DURATION_MS:
            raise kerror("services.storage.scroll_duration_too_great", raw)
        return ttl

    async def scroll(self, request: KuzzleRequest) -> dict[str, Any]:
        raw_ttl = self._scroll_arg(request)
        scroll_id = request.get_string("scrollId")
        ttl = self._scroll_ttl(raw_ttl) if raw_ttl is not None else DEFAULT_SCROLL_TTL_MS
        page, remaining, total = self._ctx.scrolls.next_page(scroll_id, ttl)
        return {"hits": page, "remaining": remaining, "scrollId": scroll_id, "total": total}

    async def count(self, request: KuzzleRequest) -> dict[str, int]:
        request.get_integer("from", 0), request.get_integer("size", DEFAULT_SEARCH_SIZE)
        self._scroll_arg(request)
        body = self._search_body(request)
        self._target(request)
        check_body(body)
        for key in body:  # Elasticsearch's count API takes a query only
            if key != "query":
                raise kerror("services.storage.unexpected_bad_request", f"request does not support [{key}]")
        return {"count": len(self._matching(request, body))}

    async def delete_by_query(self, request: KuzzleRequest) -> dict[str, Any]:
        query = request.get_body_field("query", dict, "object", {}) if request.body is not None else {}
        index, collection = self._target(request)
        matching = self._matching(request, {"query": query})
        if len(matching) > DOCUMENTS_WRITE_COUNT:
            raise kerror("services.storage.write_limit_exceeded")
        documents = [{"_id": d["_id"], "_source": d["_source"]} for d in matching]
        for document in documents:
            self._ctx.storage.delete(index, collection, document["_id"])
            await self._notify_delete(request, document)
        if not request.get_boolean("source"):
            documents = [{"_id": d["_id"]} for d in documents]
        return {"documents": documents, "ids": [d["_id"] for d in matching]}

    async def update_by_query(self, request: KuzzleRequest) -> dict[str, Any]:
        """``mUpdate`` over the matching documents (``_kuzzle_info`` left out of the changes)."""
        query = request.get_body_field("query", dict, "object")
        changes = content(request.get_body_field("changes", dict, "object"))
        self._target(request)
        matching = self._matching(request, {"query": query})
        if len(matching) > DOCUMENTS_WRITE_COUNT:
            raise kerror("services.storage.write_limit_exceeded")
        batch = self._updates(request, [(d["_id"], changes) for d in matching])
        result = await self._answer(request, None, batch)
        if not request.get_boolean("source"):
            result["successes"] = [
                {k: v for k, v in s.items() if k != "_source"} for s in result["successes"]
            ]
        return result


def _multi_target(name: str) -> bool:
    """``hasMultiTargets``: a name Elasticsearch would expand to several indexes."""
    return any(char in name for char in ",*+") or name == "_all"


def _unset(source: dict[str, Any], path: str) -> None:
    """``_.set(source, path, undefined)`` where the path exists: the key disappears."""
    parts = path.split(".")
    holder: Any = source
    for part in parts[:-1]:
        holder = holder.get(part) if isinstance(holder, dict) else None
    if isinstance(holder, dict) and parts[-1] in holder and lookup(source, path) is not ABSENT:
        del holder[parts[-1]]
