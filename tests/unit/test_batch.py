"""Level 1: the batch writer's buffers and how each call gets its own result."""

from __future__ import annotations

from typing import Any

from kuzzle_browser.protocol.batch import Batch, BatchBuffers, BatchKey, Outcome, m_request_body, settle


def batch(action: str, *items: dict[str, Any]) -> Batch[int]:
    return Batch(BatchKey(action, "i", "c", ()), list(items), list(range(len(items))))


def test_calls_group_by_action_target_and_options() -> None:
    """Same action, index, collection and options share a batch; anything else splits."""
    buffers: BatchBuffers[str] = BatchBuffers(max_write=10, max_read=10)
    buffers.add("create", "i", "c", {"body": {}}, {}, "a")
    buffers.add("create", "i", "c", {"body": {}}, {}, "b")
    buffers.add("create", "i", "c", {"body": {}}, {"refresh": "wait_for"}, "c")
    buffers.add("create", "i", "d", {"body": {}}, {}, "d")
    buffers.add("update", "i", "c", {"_id": "x", "body": {}}, {}, "e")
    assert len(buffers) == 5
    taken = buffers.take_all()
    assert [b.waiters for b in taken] == [["a", "b"], ["c"], ["d"], ["e"]]
    assert taken[1].key.options == (("refresh", "wait_for"),)
    assert len(buffers) == 0 and buffers.take_all() == []


def test_a_full_buffer_is_handed_back_at_once() -> None:
    """Writes count documents, reads count distinct ids."""
    buffers: BatchBuffers[int] = BatchBuffers(max_write=2, max_read=2)
    assert buffers.add("create", "i", "c", {"body": {}}, {}, 1) is None
    full = buffers.add("create", "i", "c", {"body": {}}, {}, 2)
    assert full is not None and full.waiters == [1, 2] and len(buffers) == 0
    assert buffers.add("get", "i", "c", {"_id": "a"}, {}, 3) is None
    assert buffers.add("get", "i", "c", {"_id": "a"}, {}, 4) is None  # the same id again
    assert buffers.add("get", "i", "c", {"_id": "b"}, {}, 5) is not None


def test_m_request_bodies() -> None:
    """documents for writes, ids for mDelete, deduplicated ids for mGet."""
    assert m_request_body(batch("create", {"body": {"n": 1}}, {"_id": "x", "body": {}})) == {
        "documents": [{"body": {"n": 1}}, {"_id": "x", "body": {}}]
    }
    assert m_request_body(batch("delete", {"_id": "a"}, {"_id": "b"})) == {"ids": ["a", "b"]}
    assert m_request_body(batch("get", {"_id": "a"}, {"_id": "b"}, {"_id": "a"})) == {"ids": ["a", "b"]}


def test_each_call_gets_its_own_result_after_an_earlier_failure() -> None:
    """The JS SDK takes successes[i]; here a failed second document does not shift the third's result."""
    result = {
        "successes": [{"_id": "a", "_source": {"n": 1}}, {"_id": "c", "_source": {"n": 3}}],
        "errors": [
            {"document": {"_id": "b", "body": {"n": 2}}, "reason": "document not found", "status": 404}
        ],
    }
    outcomes = settle(batch("replace", *({"_id": i, "body": {}} for i in "abc")), result)
    assert outcomes[0] == Outcome({"_id": "a", "_source": {"n": 1}})
    assert outcomes[1].error == {
        "id": "sdk.batch.document_failed",
        "status": 404,
        "message": "document not found",
    }
    assert outcomes[2].value["_id"] == "c"


def test_creates_without_id_match_errors_by_content() -> None:
    """Kuzzle picks the ids: failures are told apart by their body (without _kuzzle_info)."""
    result = {
        "successes": [{"_id": "gen1", "_source": {"n": 1}}, {"_id": "gen3", "_source": {"n": 3}}],
        "errors": [
            {"document": {"body": {"n": 2, "_kuzzle_info": None}}, "reason": "bad", "status": 400},
        ],
    }
    outcomes = settle(batch("create", {"body": {"n": 1}}, {"body": {"n": 2}}, {"body": {"n": 3}}), result)
    assert [o.value["_id"] if o.value else o.error["status"] for o in outcomes] == ["gen1", 400, "gen3"]


def test_the_first_of_two_creates_with_one_id_wins() -> None:
    """Same id twice: the success goes to the first call, the error to the second."""
    result = {
        "successes": [{"_id": "x"}],
        "errors": [
            {"document": {"_id": "x", "body": {}}, "reason": "document already exists", "status": 400}
        ],
    }
    outcomes = settle(batch("create", {"_id": "x", "body": {}}, {"_id": "x", "body": {}}), result)
    assert outcomes[0].value == {"_id": "x"} and outcomes[1].error is not None


def test_deletes_reads_and_missing_results() -> None:
    """mDelete: ids, errors with _id; mGet: found documents, the rest not found; no result: an error."""
    deleted = settle(
        batch("delete", {"_id": "a"}, {"_id": "b"}),
        {"successes": ["a"], "errors": [{"_id": "b", "reason": "document not found", "status": 404}]},
    )
    assert deleted[0].value == "a" and deleted[1].error is not None and deleted[1].error["status"] == 404
    found = {"successes": [{"_id": "a", "_source": {}}], "errors": ["b"]}
    got = settle(batch("get", {"_id": "a"}, {"_id": "b"}, {"_id": "a"}), found)
    assert got[0].value == got[2].value == {"_id": "a", "_source": {}}
    assert got[1].error == {
        "id": "services.storage.not_found",
        "status": 404,
        "message": 'Document "i":"c":"b" not found',
    }
    assert [o.value for o in settle(batch("exists", {"_id": "a"}, {"_id": "b"}), found)] == [True, False]
    lost = settle(batch("update", {"_id": "a", "body": {}}), {"successes": [], "errors": []})
    assert lost[0].error is not None and lost[0].error["id"] == "sdk.batch.no_result"
