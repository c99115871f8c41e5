"""Profiles: policies (a role, optionally restricted to indexes and collections) and the
checks Kuzzle makes on their definition (kuzzle ``lib/model/security/profile.ts``).

A policy applies to a request when its role allows the action and, if it has
``restrictedTo``, the request names no index, or an index listed there and a collection
among that entry's ``collections`` (no collections: any collection of the index).
"""

from __future__ import annotations

from typing import Any

from .errors import kerror

Restrictions = dict[str, list[str]]  # index -> sorted collections ([] = all of them)


def validate(profile_id: str, profile: dict[str, Any]) -> None:
    """``Profile.validateDefinition`` (without ``strict``, see ``check_strict``)."""
    rate_limit = profile.get("rateLimit")
    if rate_limit is not None:
        if not isinstance(rate_limit, int) or isinstance(rate_limit, bool):
            raise kerror("api.assert.invalid_type", "rateLimit", "integer")
        if rate_limit < 0:
            raise kerror("api.assert.invalid_argument", "rateLimit", "positive integer, or zero")
    policies = profile.get("policies")
    if not policies and policies != []:
        raise kerror("api.assert.missing_argument", f"{profile_id}.policies")
    if not isinstance(policies, list):
        raise kerror("api.assert.invalid_type", f"{profile_id}.policies", "object[]")
    if not policies:
        raise kerror("api.assert.empty_argument", f"{profile_id}.policies")
    for i, policy in enumerate(policies):
        _validate_policy(f"{profile_id}.policies[{i}]", policy)


def _validate_policy(path: str, policy: Any) -> None:
    if not isinstance(policy, dict):
        raise kerror("api.assert.invalid_type", path, "object")
    if not policy.get("roleId"):
        raise kerror("api.assert.missing_argument", f"{path}.roleId")
    if not isinstance(policy["roleId"], str):
        raise kerror("api.assert.invalid_type", f"{path}.roleId", "string")
    for member in policy:
        if member not in ("roleId", "restrictedTo"):
            raise kerror("api.assert.unexpected_argument", f"{path}.{member}", '"roleId", "restrictedTo"')
    restricted = policy.get("restrictedTo")
    if not restricted:
        return
    if not isinstance(restricted, list):
        raise kerror("api.assert.invalid_type", f"{path}.restrictedTo", "object[]")
    for j, restriction in enumerate(restricted):
        where = f"{path}.restrictedTo[{j}]"
        if not isinstance(restriction, dict):
            raise kerror("api.assert.invalid_type", where, "object")
        if restriction.get("index") is None:
            raise kerror("api.assert.missing_argument", f"{where}.index")
        collections = restriction.get("collections")
        if collections is not None and (
            not isinstance(collections, list) or not all(isinstance(c, str) for c in collections)
        ):
            raise kerror("api.assert.invalid_type", f"{where}.collections", "string[]")
        for member in restriction:
            if member not in ("index", "collections"):
                raise kerror("api.assert.unexpected_argument", f"{where}.{member}", '"index", "collections"')


def restrictions(policy: dict[str, Any]) -> Restrictions | None:
    """``optimizePolicy``: ``restrictedTo`` as index -> sorted unique collections, or None."""
    entries = policy.get("restrictedTo")
    if not entries:
        return None
    merged: dict[str, set[str]] = {}
    for entry in entries:
        index = entry.get("index")
        if index:
            merged.setdefault(index, set()).update(entry.get("collections") or [])
    return {index: sorted(collections) for index, collections in merged.items()}


def within(index: Any, collection: Any, restricted: Restrictions | None) -> bool:
    """``Role.checkRestrictions``."""
    if not restricted or not index:
        return True
    if index not in restricted:
        return False
    collections = restricted[index]
    return not collections or collection in collections


def serialize(profile_id: str, source: dict[str, Any]) -> dict[str, Any]:
    """``serializeProfile``: the stored source plus what the Profile object adds,
    ``rateLimit`` (0 by default) and ``optimizedPolicies`` (their ``restrictedTo`` is a
    JavaScript Map, which JSON serialises as ``{}``)."""
    optimized = [
        {"roleId": p["roleId"], **({"restrictedTo": {}} if p.get("restrictedTo") is not None else {})}
        for p in source.get("policies", [])
    ]
    return {"_id": profile_id, "_source": {"rateLimit": 0, **source, "optimizedPolicies": optimized}}
