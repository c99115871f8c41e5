"""What Kuzzle 2.56 sends, as the dev server's tests check it (docs/protocol.md §2.3)."""

# The response envelope: RequestResponse.toJSON().content, plus "headers" and "node".
ENVELOPE_KEYS = {
    "requestId",
    "status",
    "error",
    "controller",
    "action",
    "volatile",
    "headers",
    "node",
    "result",
}
# Only when the request had them: Kuzzle reads them from request.input.args, undefined
# otherwise, and JSON.stringify drops undefined keys.
RESOURCE_KEYS = {"index", "collection"}
