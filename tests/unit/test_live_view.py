"""The live query's view (kuzzle_browser.protocol.live): order, window, positions, filters."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.live import Change, LiveView, koncorde_to_es, parse_sort


def doc(_id: str, **source: Any) -> dict[str, Any]:
    return {"_id": _id, "_source": source}


def note(event: str, _id: str, scope: str = "in", action: str = "create", **source: Any) -> dict[str, Any]:
    return {
        "type": "document",
        "event": event,
        "scope": scope,
        "action": action,
        "result": {"_id": _id, "_source": source},
    }


def replay(rows: list[str], changes: list[Change]) -> list[str]:
    """What a page that applies the changes to a plain list ends with."""
    rows = list(rows)
    for change in changes:
        if change.kind == "removed":
            assert rows[change.index] == change.id
            del rows[change.index]
        elif change.kind == "added":
            rows.insert(change.index, change.id)
        else:
            assert change.old_index is not None and rows[change.old_index] == change.id
            del rows[change.old_index]
            rows.insert(change.index, change.id)
    return rows


def test_load_sorts_with_missing_last_then_id() -> None:
    """Descending n, documents without n last; ties by _id."""
    view = LiveView(sort=[{"n": "desc"}])
    changes = view.load([doc("b", n=1), doc("a", n=1), doc("z"), doc("c", n=5)])
    assert view.ids == ["c", "a", "b", "z"]
    assert [(c.kind, c.index) for c in changes] == [("added", 0), ("added", 1), ("added", 2), ("added", 3)]


def test_reload_emits_only_the_differences() -> None:
    """A second snapshot: removed, added and moved documents, nothing for unchanged ones."""
    view = LiveView(sort="n")
    view.load([doc("a", n=1), doc("b", n=2), doc("c", n=3)])
    changes = view.load([doc("a", n=1), doc("c", n=0), doc("d", n=4)])
    assert {(c.kind, c.id) for c in changes} == {("removed", "b"), ("changed", "c"), ("added", "d")}
    assert replay(["a", "b", "c"], changes) == view.ids == ["c", "a", "d"]


def test_notifications_move_documents_and_scope_out_removes() -> None:
    """An update moves a document to its new place; scope out and delete take it out."""
    view = LiveView(sort="n")
    view.load([doc("a", n=1), doc("b", n=2)])
    [moved] = view.apply(note("write", "a", action="update", n=3))
    assert (moved.kind, moved.old_index, moved.index) == ("changed", 0, 1)
    assert view.get("a") == doc("a", n=3)
    assert [c.kind for c in view.apply(note("write", "b", scope="out", n=9))] == ["removed"]
    assert [c.kind for c in view.apply(note("delete", "a"))] == ["removed"] and view.ids == []
    assert view.apply({"type": "user", "result": {"_id": "x"}}) == []
    assert view.apply(note("publish", "m")) == []


def test_partial_update_keeps_other_fields_and_late_notifications_are_ignored() -> None:
    view = LiveView()
    view.load([{"_id": "a", "_source": {"t": "x", "done": False, "_kuzzle_info": {"updatedAt": 5}}}])
    view.apply(note("write", "a", action="update", done=True, _kuzzle_info={"updatedAt": 6}))
    assert view.get("a") == {
        "_id": "a",
        "_source": {"t": "x", "done": True, "_kuzzle_info": {"updatedAt": 6}},
    }
    assert view.apply(note("write", "a", action="replace", t="old", _kuzzle_info={"updatedAt": 4})) == []


def test_window_pushes_the_last_out_and_asks_for_a_refill() -> None:
    """size=2: an entering document pushes the last out; one after the window stays out; a leaving
    one makes a gap the view cannot fill by itself."""
    view = LiveView(sort="n", size=2)
    view.load([doc("a", n=1), doc("b", n=2), doc("c", n=3)])
    assert view.ids == ["a", "b"]
    assert view.apply(note("write", "z", n=9)) == []
    changes = view.apply(note("write", "y", n=0))
    assert [(c.kind, c.id) for c in changes] == [("added", "y"), ("removed", "b")]
    assert not view.needs_refill
    view.apply(note("delete", "y"))
    assert view.needs_refill and view.ids == ["a"]
    view.load([doc("a", n=1), doc("b", n=2)])
    assert not view.needs_refill and view.ids == ["a", "b"]


def test_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError):
        LiveView(size=0)
    with pytest.raises(InvalidArgumentError):
        parse_sort([{"n": "up"}])
    assert [k.descending for k in parse_sort(["a", {"b": {"order": "desc"}}])] == [False, True]


def test_koncorde_filters_become_the_search_query() -> None:
    filters = {"and": [{"equals": {"list": "x"}}, {"not": {"exists": "done"}}, {"range": {"n": {"gt": 1}}}]}
    assert koncorde_to_es(filters) == {
        "bool": {
            "filter": [
                {"term": {"list": "x"}},
                {"bool": {"must_not": [{"exists": {"field": "done"}}]}},
                {"range": {"n": {"gt": 1}}},
            ]
        }
    }
    assert koncorde_to_es(None) == {"match_all": {}}
    assert koncorde_to_es({"or": [{"ids": {"values": ["a"]}}]})["bool"]["minimum_should_match"] == 1
    with pytest.raises(InvalidArgumentError, match="query="):
        koncorde_to_es({"geoDistance": {}})


# -- properties: the view agrees with the model "sort everything, keep the first size" -----

ops = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.one_of(st.none(), st.integers(0, 5))), max_size=40)


@settings(max_examples=300, deadline=None)
@given(initial=ops, updates=ops, size=st.one_of(st.none(), st.integers(1, 4)), desc=st.booleans())
def test_view_matches_the_model_and_changes_replay(
    initial: list[tuple[str, int | None]], updates: list[tuple[str, int | None]], size: int | None, desc: bool
) -> None:
    """Whatever the writes and deletes: after a refill when asked, the view is the model's first
    ``size`` documents in the server's order, and replaying the emitted changes gives the same list."""
    sort = [{"n": "desc" if desc else "asc"}]
    server: dict[str, int] = {}
    for _id, n in initial:
        if n is not None:
            server[_id] = n

    def snapshot() -> list[dict[str, Any]]:
        return [doc(_id, n=n) for _id, n in server.items()]

    def model() -> list[str]:
        ordered = sorted(server.items(), key=lambda kv: ((-kv[1] if desc else kv[1]), kv[0]))
        return [_id for _id, _ in ordered][:size]

    view = LiveView(sort=sort, size=size)
    rows = replay([], view.load(snapshot()))
    for _id, n in updates:
        if n is None:
            if _id not in server:
                continue
            del server[_id]
            changes = view.apply(note("delete", _id))
        else:
            server[_id] = n
            changes = view.apply(note("write", _id, action="replace", n=n))
        rows = replay(rows, changes)
        if view.needs_refill:
            rows = replay(rows, view.load(snapshot()))
        assert rows == view.ids == model()
