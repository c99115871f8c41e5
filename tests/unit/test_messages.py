"""Level 1: frame decoding and request encoding (pure, no event loop)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.messages import (
    PING_FRAME,
    Malformed,
    Pong,
    RoomMessage,
    TokenExpiredNotice,
    Unroutable,
    decode_frame,
    encode_request,
)


def test_ping_frame_is_kuzzles_application_ping() -> None:
    """The browser ping is exactly the text {"p":1}."""
    assert json.loads(PING_FRAME) == {"p": 1}


@pytest.mark.parametrize("text", ['{"p":2}', '{ "p" : 2 }'])
def test_pong_is_recognised(text: str) -> None:
    """{"p":2} alone is the pong, however it is spaced."""
    assert decode_frame(text) == Pong()


def test_p2_with_other_keys_is_not_a_pong() -> None:
    """A pong has exactly one key (kuzzle-sdk onmessage)."""
    assert isinstance(decode_frame('{"p":2,"room":"r"}'), RoomMessage)


def test_token_expired_is_checked_before_room() -> None:
    """TokenExpired carries room kuzzle:notification:server but is routed as an expiry."""
    frame = decode_frame('{"type":"TokenExpired","room":"kuzzle:notification:server","status":200}')
    assert isinstance(frame, TokenExpiredNotice)


def test_room_message_keeps_payload() -> None:
    """A message with a room is routed by that room."""
    frame = decode_frame('{"room":"abc","result":{"now":1},"status":200}')
    assert frame == RoomMessage("abc", {"room": "abc", "result": {"now": 1}, "status": 200})


def test_error_without_room_keeps_request_id() -> None:
    """Kuzzle's invalid-request errors echo requestId without room (docs/protocol.md §2.8)."""
    frame = decode_frame('{"requestId":"r1","status":400,"error":{"id":"api.assert.invalid_type"}}')
    assert isinstance(frame, Unroutable)
    assert frame.request_id == "r1"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("not json", "not JSON"),
        ("[1,2]", "not a JSON object"),
        ("42", "not a JSON object"),
        (b"\x00\x01", "binary frame of 2 bytes"),
    ],
)
def test_bad_frames_become_typed_errors(data: str | bytes, fragment: str) -> None:
    """Bad input never raises: it becomes a Malformed frame with a ProtocolError."""
    frame = decode_frame(data)
    assert isinstance(frame, Malformed)
    assert fragment in str(frame.error)
    assert frame.error.id == "sdk.protocol.malformed_frame"


@given(st.one_of(st.text(), st.binary()))
def test_decode_never_raises(data: str | bytes) -> None:
    """Whatever the server sends, decoding returns a frame."""
    decode_frame(data)


def test_encode_is_compact_json() -> None:
    """Requests go out as compact JSON, non-ASCII kept as is."""
    assert encode_request({"controller": "server", "action": "now", "x": "é"}) == (
        '{"controller":"server","action":"now","x":"é"}'
    )


@pytest.mark.parametrize("value", [{1, 2}, b"x", float("nan")])
def test_encode_rejects_what_json_cannot_carry(value: object) -> None:
    """Unserializable requests fail before anything is sent, with a typed error."""
    with pytest.raises(InvalidArgumentError, match="cannot be sent as JSON"):
        encode_request({"controller": "c", "action": "a", "body": {"v": value}})
