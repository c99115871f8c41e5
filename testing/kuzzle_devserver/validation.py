"""Validation specifications (kuzzle ``lib/core/validation/validation.js``).

``check_format`` is Kuzzle's ``validateFormat`` (what ``collection:validateSpecifications``
and ``updateSpecifications`` run): the specification's own structure, with Kuzzle's
messages. ``Validator.validate`` is Kuzzle's ``validate``: ``verbose`` (document:validate)
collects ``{errorMessages, valid}``; otherwise the first failure raises
``validation.check.failed_field``/``failed_document`` and the field defaults are applied to
the body. Kuzzle validates ``document:create``, ``createOrReplace``, ``replace`` and
``update`` (the stored document merged under the changes), not the m* actions nor
``upsert``. Field types are in :mod:`validation_types`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import KuzzleError, kerror
from .koncorde import Matcher, compile_filter
from .validation_types import TYPES

_SPEC_KEYS = ["strict", "fields", "validators"]
_FIELD_KEYS = ["mandatory", "type", "defaultValue", "description", "multivalued", "typeOptions"]
_MULTIVALUED_KEYS = ["value", "minCount", "maxCount"]

Problem = str | KuzzleError  # validateFormat's errors: messages, or a thrown error


@dataclass
class FieldSpec:
    type: str
    mandatory: bool
    multivalued: dict[str, Any]
    options: dict[str, Any]
    path: list[str]
    has_default: bool = False
    default: Any = None
    children: dict[str, FieldSpec] | None = None


@dataclass
class CollectionSpec:
    strict: bool = False
    children: dict[str, FieldSpec] | None = None
    validators: Matcher | None = None


@dataclass
class _Errors:
    """Kuzzle's ``manageErrorMessage``: structured (verbose) or raised at once."""

    verbose: bool
    messages: dict[str, Any] = field(default_factory=dict)

    def add(self, context: list[str] | None, message: str) -> None:
        if not self.verbose:
            if context is None:
                raise kerror("validation.check.failed_document", message)
            raise kerror("validation.check.failed_field", ".".join(context), message)
        if context is None:
            self.messages.setdefault("documentScope", []).append(message)
            return
        pointer = self.messages.setdefault("fieldScope", {})
        for part in context:
            pointer = pointer.setdefault("children", {}).setdefault(part, {})
        pointer.setdefault("messages", []).append(message)


class _Strictness(Exception):
    def __init__(self, field_name: str) -> None:
        super().__init__(field_name)
        self.field_name = field_name


def _allowed(value: Any, keys: list[str]) -> bool:
    return isinstance(value, dict) and all(key in keys for key in value)


def _field_format(spec: Any, where: str, errors: list[Problem], verbose: bool) -> bool:
    """``curateFieldSpecificationFormat``; True when the field may be curated further."""
    found: list[KuzzleError] = []
    if not _allowed(spec, _FIELD_KEYS):
        found.append(kerror("validation.assert.unexpected_properties", where, ", ".join(_FIELD_KEYS)))
    spec = spec if isinstance(spec, dict) else {}
    if "type" not in spec:
        found.append(kerror("validation.assert.missing_type", where))
    if spec.get("type") not in TYPES:
        found.append(kerror("validation.assert.unknown_type", where, _js_string(spec.get("type"))))
    if "multivalued" in spec:
        multi = spec["multivalued"]
        if not _allowed(multi, _MULTIVALUED_KEYS):
            found.append(
                kerror(
                    "validation.assert.unexpected_properties",
                    f"{where}.multivalued",
                    ", ".join(_MULTIVALUED_KEYS),
                )
            )
        multi = multi if isinstance(multi, dict) else {}
        if "value" not in multi:
            found.append(kerror("validation.assert.missing_value", f"{where}.multivalued"))
        if not isinstance(multi.get("value"), bool):
            found.append(kerror("validation.assert.invalid_type", f"{where}.multivalued.value", "boolean"))
        for unexpected in ("minCount", "maxCount"):
            if not multi.get("value") and unexpected in multi:
                found.append(kerror("validation.assert.not_multivalued", where, unexpected))
        if "minCount" in multi and "maxCount" in multi and _gt(multi["minCount"], multi["maxCount"]):
            found.append(kerror("validation.assert.invalid_range", where, "minCount", "maxCount"))
    if found and not verbose:
        raise found[0]
    errors.extend(error.message for error in found)
    return not found


def _gt(left: Any, right: Any) -> bool:
    try:
        return bool(left > right)
    except TypeError:
        return False


def _js_string(value: Any) -> str:
    if value is None:
        return "undefined"
    return value if isinstance(value, str) else json.dumps(value)


def _curate_field(raw: Any, where: str, name: str, errors: list[Problem], verbose: bool) -> FieldSpec | None:
    """``curateFieldSpecification``: the field with its defaults, or None (errors stored)."""
    if not _field_format(raw, where, errors, verbose):
        return None
    spec = copy.deepcopy(raw)
    kind = TYPES[spec["type"]]
    options = spec.get("typeOptions", {})
    found: list[str] = []
    if not _allowed(options, kind.allowed_options):
        error = kerror("validation.assert.unexpected_properties", where, ", ".join(kind.allowed_options))
        if not verbose:
            raise error
        found.append(error.message)
    try:
        options = kind.check_options(options if isinstance(options, dict) else {})
    except KuzzleError as error:
        if not verbose:
            raise
        found.append(error.message)
    if found:
        errors.extend(found)
        return None
    multivalued = {"value": False, **(spec.get("multivalued") or {})}
    return FieldSpec(
        type=spec["type"],
        mandatory=bool(spec.get("mandatory", False)),
        multivalued=multivalued,
        options=options,
        path=name.split("/"),
        has_default="defaultValue" in spec,
        default=spec.get("defaultValue"),
    )


def _structure(fields: list[FieldSpec]) -> dict[str, FieldSpec]:
    """``curateStructuredFields``: nest ``a/b`` under ``a``, level by level."""
    root: dict[str, FieldSpec] = {}
    depth = max(len(f.path) for f in fields)
    for level in range(1, depth + 1):
        at_level = [f for f in fields if len(f.path) == level]
        if not at_level:
            raise kerror("validation.assert.missing_nested_spec")
        for spec in at_level:
            children, parent = root, None
            for part in spec.path[:-1]:
                if part not in children:
                    raise kerror("validation.assert.missing_parent", ".".join(spec.path))
                parent = children[part]
                children = parent.children if parent.children is not None else {}
            if parent is not None:
                if not TYPES[parent.type].allow_children:
                    raise kerror("validation.assert.unexpected_children", parent.type)
                if parent.children is None:
                    parent.children = children = {}
            children[spec.path[-1]] = spec
    return root


def curate(
    index: str, collection: str, spec: Any, verbose: bool
) -> tuple[CollectionSpec | None, list[Problem]]:
    """``curateCollectionSpecification``: the usable specification, or its problems.

    Errors raised by the structure checks (nesting, filters) propagate in both modes, as
    in Kuzzle; :func:`check_format` turns them into problems.
    """
    if not _allowed(spec, _SPEC_KEYS):
        error = kerror(
            "validation.assert.unexpected_properties", f"{index}.{collection}", ", ".join(_SPEC_KEYS)
        )
        if verbose:
            return None, [error.message]
        raise error
    processed = CollectionSpec(strict=bool(spec.get("strict")))
    if spec.get("fields"):
        errors: list[Problem] = []
        fields: list[FieldSpec] = []
        raw_fields = spec["fields"] if isinstance(spec["fields"], dict) else {}
        for name, raw in raw_fields.items():
            curated = _curate_field(raw, f"{index}.{collection}.{name}", name, errors, verbose)
            if curated is not None:
                fields.append(curated)
        if errors:
            return None, errors
        if fields:
            processed.children = _structure(fields)
    validators = spec.get("validators")
    if isinstance(validators, list):
        try:
            processed.validators = compile_filter({"bool": {"must": validators}})
        except KuzzleError as error:
            raise kerror("validation.assert.invalid_filters", error.message) from None
    return processed, []


def check_format(index: str, collection: str, spec: Any) -> list[Problem]:
    """``validateFormat(..., verbose=True)``: the problems of a specification (none: valid)."""
    try:
        _, problems = curate(index, collection, copy.deepcopy(spec), verbose=True)
    except KuzzleError as error:
        return [error]
    return problems


def problem_json(problem: Problem) -> Any:
    """A problem as ``validateSpecifications`` serialises it in ``details``."""
    return problem.to_json() if isinstance(problem, KuzzleError) else problem


def problem_text(problem: Problem) -> str:
    """A problem as ``errors.join()`` prints it (``Error.toString`` for raised errors)."""
    if isinstance(problem, KuzzleError):
        return str(problem)
    return problem


def _is_nil(document: Any, name: str) -> bool:
    return not isinstance(document, dict) or document.get(name) is None


def _check_level(document: Any, children: dict[str, FieldSpec], strict: bool, errors: _Errors) -> bool:
    """``recurseFieldValidation``: every field (verbose) or up to the first failure."""
    if strict and isinstance(document, dict):
        for name in document:
            if name not in children:
                raise _Strictness(name)
    valid = True
    for name, spec in children.items():
        valid = _check_field(name, document, spec, strict, errors) and valid
        if not valid and not errors.verbose:
            return False
    return valid


def _check_field(name: str, document: Any, spec: FieldSpec, strict: bool, errors: _Errors) -> bool:
    """``isValidField``."""
    if spec.mandatory and not spec.has_default and _is_nil(document, name):
        errors.add(spec.path, "The field is mandatory.")
        return False
    if _is_nil(document, name):
        return True
    value = document[name]
    multivalued = spec.multivalued
    if multivalued["value"]:
        if not isinstance(value, list):
            errors.add(spec.path, "The field must be multivalued, unary value provided.")
            return False
        if "minCount" in multivalued and len(value) < multivalued["minCount"]:
            errors.add(spec.path, f"Not enough elements. Minimum count is set to {multivalued['minCount']}.")
            return False
        if "maxCount" in multivalued and len(value) > multivalued["maxCount"]:
            errors.add(spec.path, f"Too many elements. Maximum count is set to {multivalued['maxCount']}.")
            return False
        values = value
    else:
        if isinstance(value, list):
            errors.add(spec.path, "The field is not a multivalued field; Multiple values provided.")
            return False
        values = [value]
    kind = TYPES[spec.type]
    nested_strict = kind.strictness(spec.options, strict) if kind.allow_children else False
    result = True
    for item in values:
        messages: list[str] = []
        if not kind.validate(spec.options, item, messages):
            for message in messages or ["An error has occurred during validation."]:
                errors.add(spec.path, message)
            return False
        if kind.allow_children and spec.children:
            try:
                if not _check_level(item, spec.children, nested_strict, errors):
                    result = False
            except _Strictness as strictness:
                errors.add(
                    spec.path,
                    'The field is set to "strict"; cannot add unspecified sub-field '
                    f'"{strictness.field_name}".',
                )
                result = False
    return result


def _apply_defaults(is_update: bool, document: Any, children: dict[str, FieldSpec]) -> Any:
    """``recurseApplyDefault``: truthy ``defaultValue`` for missing (creation) or null fields."""
    if not isinstance(document, dict):
        return document
    for name, spec in children.items():
        value = document.get(name)
        if name in document and TYPES[spec.type].allow_children and spec.children:
            if isinstance(value, list):
                document[name] = [_apply_defaults(is_update, item, spec.children) for item in value]
            else:
                document[name] = _apply_defaults(is_update, value, spec.children)
        elif spec.default and (value is None and (name in document or not is_update)):
            document[name] = copy.deepcopy(spec.default)
    return document


class Validator:
    """The curated specifications, read from storage and cached by their stored text."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, CollectionSpec | None]] = {}

    def spec_for(self, spec_id: str, source: dict[str, Any] | None) -> CollectionSpec | None:
        if source is None:
            self._cache.pop(spec_id, None)
            return None
        raw = json.dumps(source.get("validation"), sort_keys=True)
        cached = self._cache.get(spec_id)
        if cached is not None and cached[0] == raw:
            return cached[1]
        index, collection = str(source.get("index")), str(source.get("collection"))
        try:
            curated, _ = curate(index, collection, source.get("validation"), verbose=False)
        except KuzzleError:  # Kuzzle logs the error and leaves the collection unchecked
            curated = None
        self._cache[spec_id] = (raw, curated)
        return curated

    @staticmethod
    def validate(
        spec: CollectionSpec | None,
        body: dict[str, Any],
        doc_id: str | None,
        *,
        verbose: bool,
        merged: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Check ``merged`` (the document as it will be, ``body`` when None).

        Verbose: ``{errorMessages, valid}``. Otherwise raises the first failure and returns
        ``body`` with the defaults applied.
        """
        errors = _Errors(verbose)
        document = body if merged is None else merged
        valid = True
        if spec is not None and spec.children:
            try:
                valid = _check_level(document, spec.children, spec.strict, errors)
            except _Strictness as strictness:
                valid = False
                errors.add(
                    None,
                    "The document validation is strict. Cannot add unspecified sub-field "
                    f'"{strictness.field_name}"',
                )
        validators = spec.validators if spec is not None else None
        if validators is not None and not validators({**document, "_id": doc_id}):
            valid = False
            errors.add(None, "The document does not match validation filters.")
        if verbose:
            return {"errorMessages": errors.messages, "valid": valid}
        if spec is not None and spec.children:
            return dict(_apply_defaults(merged is not None, copy.deepcopy(body), spec.children))
        return body
