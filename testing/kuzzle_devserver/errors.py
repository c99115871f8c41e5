"""Kuzzle errors: ids, numeric codes, statuses and messages.

Kuzzle serialises an error as ``{id, code, message, status, props}``
(docs/protocol.md §2.4). ``code`` is ``(domain << 24) | (subdomain << 16) | n``
and ``status`` follows the error class; the values below come from
``lib/kerror/codes/*.json`` of Kuzzle 2.56 (docs/protocol.md §2.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# HTTP-like status of each Kuzzle error class (lib/kerror/errors/*.ts).
_STATUS_BY_CLASS = {
    "BadRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "NotFound": 404,
    "Precondition": 412,
    "SizeLimit": 413,
    "TooManyRequests": 429,
    "Internal": 500,
    "MultipleErrors": 400,
    "PluginImplementation": 500,
    "Partial": 206,
    "ServiceUnavailable": 503,
}

_CLASS_NAMES = {status: f"{name}Error" for name, status in _STATUS_BY_CLASS.items()} | {
    400: "BadRequestError",
    500: "InternalError",
}

# id -> (domain, subdomain, error number, class, message template)
_CATALOG: dict[str, tuple[int, int, int, str, str]] = {
    "core.realtime.room_not_found": (0, 1, 1, "NotFound", 'The room "%s" doesn\'t exist'),
    "core.realtime.invalid_scope": (
        0,
        1,
        4,
        "BadRequest",
        'Invalid value for the "scope" parameter (allowed: "all", "in", "out", "none").',
    ),
    "core.realtime.invalid_users": (
        0,
        1,
        5,
        "BadRequest",
        'Invalid value for the "users" parameter (allowed: "all", "in", "out", "none").',
    ),
    "core.realtime.not_subscribed": (0, 1, 8, "Precondition", 'User "%s" has not subscribed to "%s".'),
    "services.storage.unknown_index": (1, 1, 1, "Precondition", 'The index "%s" does not exist.'),
    "services.storage.unknown_collection": (
        1,
        1,
        2,
        "Precondition",
        'The collection "%s":"%s" does not exist.',
    ),
    "services.storage.get_limit_exceeded": (
        1,
        1,
        3,
        "SizeLimit",
        "The number of documents returned by this request exceeds the configured server limit.",
    ),
    "services.storage.write_limit_exceeded": (
        1,
        1,
        4,
        "SizeLimit",
        "The number of documents edited by this request exceeds the configured server limit.",
    ),
    "services.storage.invalid_argument": (1, 1, 19, "BadRequest", 'Argument "%s" is invalid (expected: %s)'),
    "services.storage.not_found": (1, 1, 11, "NotFound", 'Document "%s" not found in "%s":"%s".'),
    "services.storage.unknown_scroll_id": (
        1,
        1,
        14,
        "NotFound",
        "Non-existing or expired scroll identifier.",
    ),
    "services.storage.document_already_exists": (1, 1, 17, "BadRequest", "Document already exists."),
    "services.storage.index_already_exists": (
        1,
        1,
        38,
        "Precondition",
        'A %s index named "%s" already exists',
    ),
    "services.storage.invalid_search_query": (
        1,
        1,
        40,
        "BadRequest",
        'The argument "%s" is not allowed at this level of a search query.',
    ),
    "services.storage.invalid_index_name": (1, 1, 41, "BadRequest", 'The index name "%s" is invalid'),
    "services.storage.invalid_collection_name": (
        1,
        1,
        42,
        "BadRequest",
        'The collection name "%s" is invalid',
    ),
    "services.storage.invalid_multi_index_collection_usage": (
        1,
        1,
        49,
        "BadRequest",
        'Searches on multiple collections should be achieved with the "targets" argument who contains '
        "list of indexes and collections to search within.",
    ),
    "services.storage.invalid_target_format": (
        1,
        1,
        50,
        "BadRequest",
        'The %s ("%s") contains invalid characters ",+*" or is equal to "_all" which is forbidden',
    ),
    "services.storage.unknown_query_keyword": (
        1,
        1,
        45,
        "BadRequest",
        'The keyword "%s" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
    ),
    "services.storage.invalid_mapping": (1, 1, 21, "BadRequest", 'Invalid mapping property "mappings.%s".%s'),
    "services.storage.scroll_duration_too_great": (
        1,
        1,
        44,
        "BadRequest",
        'Scroll duration "%s" is too great.',
    ),
    "services.storage.unexpected_bad_request": (1, 1, 33, "BadRequest", "%s"),
    "services.koncorde.elastic_translation_error": (
        1,
        5,
        1,
        "BadRequest",
        "An error occured while translating a Koncorde filter to an Elasticsearch query: %s",
    ),
    "services.storage.strict_mapping_rejection": (
        1,
        1,
        43,
        "BadRequest",
        'Cannot create document. Field "%s" is not present in collection "%s:%s" strict mapping',
    ),
    "validation.assert.missing_nested_spec": (
        5,
        1,
        1,
        "Precondition",
        "All levels of an object have to be defined in the specification.",
    ),
    "validation.assert.unexpected_children": (
        5,
        1,
        2,
        "Precondition",
        'The field type "%s" is not allowed to have children fields.',
    ),
    "validation.assert.missing_parent": (
        5,
        1,
        3,
        "Precondition",
        'The parent field of the field "%s" is not defined.',
    ),
    "validation.assert.unexpected_properties": (
        5,
        1,
        4,
        "Precondition",
        'The object "%s" contains unexpected properties (allowed: %s).',
    ),
    "validation.assert.missing_type": (5, 1, 5, "Precondition", 'Missing property "type" in field "%s".'),
    "validation.assert.unknown_type": (5, 1, 6, "Precondition", 'In "%s": unknown type "%s".'),
    "validation.assert.missing_value": (5, 1, 7, "Precondition", 'Missing property "value" in field "%s".'),
    "validation.assert.invalid_type": (
        5,
        1,
        8,
        "Precondition",
        'Wrong type for parameter "%s" (expected: %s).',
    ),
    "validation.assert.not_multivalued": (
        5,
        1,
        9,
        "Precondition",
        'Field "%s": cannot set a property "%s" if the field is not multivalued.',
    ),
    "validation.assert.invalid_range": (5, 1, 10, "Precondition", 'Property "%s": invalid range (%s > %s).'),
    "validation.assert.invalid_specifications": (
        5,
        1,
        11,
        "BadRequest",
        "Errors occured with the provided specifications:\n%s",
    ),
    "validation.assert.not_found": (
        5,
        1,
        12,
        "NotFound",
        "No specifications defined for index %s and collection %s",
    ),
    "validation.assert.invalid_filters": (5, 1, 13, "BadRequest", "Invalid filters validator: %s"),
    "validation.types.invalid_date_format": (
        5,
        2,
        1,
        "Precondition",
        "The following date types are invalid: %s.",
    ),
    "validation.types.invalid_date": (5, 2, 2, "Precondition", 'Cannot parse the date value: "%s".'),
    "validation.types.missing_enum_values": (
        5,
        2,
        3,
        "Precondition",
        'The "enum" type requires a "values" property holding the list of the enum values.',
    ),
    "validation.types.invalid_geoshape": (5, 2, 4, "Precondition", "The following shapes are invalid: %s."),
    "validation.check.failed_document": (5, 3, 1, "BadRequest", "Failed to validate document: %s"),
    "validation.check.failed_field": (5, 3, 2, "BadRequest", 'Validation failed. Field "%s": %s'),
    "api.assert.invalid_type": (2, 1, 1, "BadRequest", 'Wrong type for argument "%s" (expected: %s)'),
    "api.assert.invalid_argument": (2, 1, 2, "BadRequest", 'Invalid argument "%s". Expected: %s'),
    "api.assert.missing_argument": (2, 1, 3, "BadRequest", 'Missing argument "%s".'),
    "api.assert.empty_argument": (2, 1, 4, "BadRequest", 'The argument "%s" is empty.'),
    "api.assert.body_required": (2, 1, 8, "BadRequest", "The request must specify a body."),
    "api.assert.mutually_exclusive": (
        2,
        1,
        5,
        "BadRequest",
        'Arguments "%s" and "%s" are mutually exclusive',
    ),
    "api.assert.too_many_arguments": (2, 1, 6, "BadRequest", 'Argument "%s" contains too many values'),
    "api.assert.forbidden_argument": (
        2,
        1,
        11,
        "BadRequest",
        'The argument "%s" is not allowed by this API action.',
    ),
    "api.process.incomplete_multiple_request": (
        2,
        2,
        10,
        "MultipleErrors",
        "At least one of the %s actions failed.",
    ),
    "api.assert.unexpected_argument": (
        2,
        1,
        7,
        "BadRequest",
        'Unexpected argument "%s" (accepted arguments: %s)',
    ),
    "api.assert.koncorde_restricted_keyword": (
        2,
        1,
        13,
        "BadRequest",
        'The %s "%s" of Koncorde DSL is not supported for search queries.',
    ),
    "api.assert.koncorde_dsl_error": (2, 1, 14, "BadRequest", "%s"),
    "api.assert.unsupported_protocol": (
        2,
        1,
        16,
        "Internal",
        'The protocol "%s" is not supported by the API action "%s".',
    ),
    "api.process.controller_not_found": (2, 2, 4, "NotFound", 'API controller "%s" not found.'),
    "api.process.action_not_found": (2, 2, 5, "NotFound", 'API action "%s":"%s" not found'),
    "api.process.incompatible_sdk_version": (
        2,
        2,
        6,
        "BadRequest",
        "Incompatible SDK client. Your SDK version (%s) does not match Kuzzle requirement (%s).",
    ),
    "api.process.unauthorized_origin": (2, 2, 12, "Unauthorized", 'The origin "%s" is not authorized.'),
    "network.http.request_too_large": (3, 1, 1, "SizeLimit", "Maximum HTTP request size exceeded."),
    "network.http.unsupported_verb": (3, 1, 6, "BadRequest", 'Unsupported HTTP verb "%s".'),
    "network.http.url_not_found": (3, 1, 7, "NotFound", "API URL not found: %s."),
    "network.http.unsupported_content": (
        3,
        1,
        8,
        "BadRequest",
        'Invalid request content-type. Expected "application/json", got: "%s".',
    ),
    "network.http.volatile_parse_failed": (
        3,
        1,
        11,
        "BadRequest",
        'Unable to convert the "x-kuzzle-volatile" HTTP header to JSON: %s',
    ),
    "network.http.body_parse_failed": (3, 1, 12, "BadRequest", "Unable to convert the HTTP body to JSON: %s"),
    "network.websocket.unexpected_error": (3, 3, 1, "BadRequest", "Caught an unexpected WebSocket error: %s"),
    "plugin.strategy.missing_user": (4, 3, 20, "Unauthorized", "%s"),
    "security.token.invalid": (7, 1, 1, "Unauthorized", "Invalid token."),
    "security.token.expired": (7, 1, 6, "Unauthorized", "Token expired"),
    "security.token.verification_error": (7, 1, 7, "Internal", "Error verifying token: %s"),
    "security.token.invalid_expiration": (
        7,
        1,
        9,
        "BadRequest",
        "Token can not be created with this expiration time: %s",
    ),
    "security.token.refresh_forbidden": (7, 1, 8, "Unauthorized", "%s cannot be refreshed."),
    "security.credentials.rejected": (7, 2, 3, "BadRequest", "Credentials rejected: %s"),
    "security.credentials.unknown_strategy": (7, 2, 1, "BadRequest", 'Unknown authentication strategy "%s"'),
    "security.rights.unauthorized": (
        7,
        3,
        1,
        "Unauthorized",
        'Unauthorized: authentication required to execute the action "%s:%s".',
    ),
    "security.cookie.invalid": (7, 7, 1, "Unauthorized", "Invalid cookie."),
    "security.rights.forbidden": (
        7, 3, 2, "Forbidden", 'Insufficient permissions to execute the action "%s:%s" (User "%s").'
    ),
    "security.user.already_exists": (7, 4, 1, "Precondition", "User %s already exists."),
    "security.user.not_found": (7, 4, 2, "NotFound", 'User "%s" not found.'),
    "security.user.anonymous_profile_required": (
        7, 4, 3, "BadRequest", "The anonymous user must be assigned to the anonymous profile"
    ),
    "security.user.prevent_overwrite": (7, 4, 6, "BadRequest", "Cannot overwrite existing users."),
    "security.user.no_profile": (
        7, 4, 7, "Internal", 'Cannot load user "%s": there is no security profiles associated to it'
    ),
    "security.role.not_found": (7, 5, 1, "NotFound", 'Role "%s" not found.'),
    "security.role.login_required": (
        7, 5, 2, "BadRequest", 'Cannot remove the "login" action from the anonymous role.'
    ),
    "security.role.cannot_delete": (
        7, 5, 3, "BadRequest",
        "The following roles are protected and cannot be deleted: anonymous, default, admin",
    ),
    "security.role.in_use": (7, 5, 4, "Precondition", 'The role "%s" is still used and cannot be deleted.'),
    "security.role.unknown_controller": (
        7, 5, 9, "BadRequest", "Trying to set role %s with a non-existing controller '%s'. %s"
    ),
    "security.role.unknown_action": (
        7, 5, 10, "BadRequest", "Trying to set role %s with a non-existing action '%s' in controller '%s'. %s"
    ),
    "security.profile.not_found": (7, 6, 1, "NotFound", 'Profile "%s" not found.'),
    "security.profile.cannot_delete": (
        7, 6, 2, "BadRequest",
        "The following profiles are protected and cannot be deleted: anonymous, default, admin",
    ),
    "security.profile.in_use": (
        7, 6, 3, "Precondition", 'The profile "%s" is still used and cannot be deleted.'
    ),
    "security.profile.missing_anonymous_role": (
        7, 6, 5, "BadRequest", "The anonymous profile must include the anonymous role"
    ),
    "security.credentials.database_inconsistency": (
        7, 2, 2, "PluginImplementation",
        "Internal database inconsistency detected: existing credentials found on non-existing user %s.",
    ),
    "api.process.action_locked": (2, 2, 1, "Precondition", 'Cannot execute action "%s": already executing.'),
    "api.process.shutting_down": (2, 2, 7, "ServiceUnavailable", "Rejected: this node is shutting down."),
    "api.process.admin_exists": (2, 2, 9, "Precondition", "Admin user is already set."),
    "services.storage.import_failed": (1, 1, 5, "Partial", "Failed to import some or all documents."),
    "services.storage.incomplete_delete": (
        1, 1, 9, "Partial", "Couldn't delete all the requested documents: %s"
    ),
    "services.cache.database_not_found": (1, 3, 1, "NotFound", 'Cache database "%s" not found.'),
}


@dataclass
class KuzzleError(Exception):
    """An API error, raised anywhere and serialised into the response envelope."""

    id: str
    code: int
    status: int
    message: str
    props: list[Any]
    errors: list[KuzzleError] | None = None
    """The failures a ``PartialError`` (status 206) gathers."""

    def __str__(self) -> str:
        """JavaScript's ``Error.toString()``: ``PreconditionError: message``."""
        return f"{self.class_name}: {self.message}"

    @property
    def class_name(self) -> str:
        return _CLASS_NAMES.get(self.status, "KuzzleError")

    def to_json(self) -> dict[str, Any]:
        """The error object exactly as Kuzzle's ``KuzzleError.toJSON()`` (minus ``stack``);
        a partial error adds ``errors`` and ``count``."""
        serialized: dict[str, Any] = {
            "id": self.id,
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "props": self.props,
        }
        if self.errors is not None:
            serialized["errors"] = [error.to_json() for error in self.errors]
            serialized["count"] = len(self.errors)
        return serialized


def js_format(value: object) -> str:
    """A placeholder value as Node's ``util.format("%s")`` prints it (arrays inspected)."""
    if isinstance(value, list):
        inner = ", ".join(f"'{v}'" if isinstance(v, str) else js_format(v) for v in value)
        return f"[ {inner} ]" if value else "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def kerror(
    error_id: str, *args: object, message: str | None = None, errors: list[KuzzleError] | None = None
) -> KuzzleError:
    """Build the error ``error_id``, filling its ``%s`` placeholders with ``args`` in order.

    As Node's ``util.format``: surplus arguments are appended, separated by spaces;
    ``message`` replaces the template (kerror's ``{message}`` option). Kuzzle exposes
    the placeholder values as ``props``; a partial error carries ``errors``.
    """
    domain, subdomain, number, error_class, template = _CATALOG[error_id]
    props = [arg if isinstance(arg, list) else str(arg) for arg in args]
    text = template
    surplus: list[str] = []
    for arg in args:
        if "%s" in text:
            text = text.replace("%s", js_format(arg), 1)
        else:
            surplus.append(js_format(arg))
    if surplus:
        text = " ".join([text, *surplus])
    return KuzzleError(
        id=error_id,
        code=(domain << 24) | (subdomain << 16) | number,
        status=_STATUS_BY_CLASS[error_class],
        message=message if message is not None else text,
        props=props,
        errors=errors if error_class == "Partial" else None,
    )


class MultipleErrorsError(KuzzleError):
    """Kuzzle's ``MultipleErrorsError``: the error object also carries ``count`` and ``errors``."""

    def __init__(self, base: KuzzleError, errors: list[Any]) -> None:
        super().__init__(base.id, base.code, base.status, base.message, base.props)
        self.failures = errors  # already serialised, unlike a partial error's ``errors``

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "count": len(self.failures), "errors": self.failures}


def multiple_errors(error_id: str, action: str, errors: list[Any]) -> MultipleErrorsError:
    """``kerror.get(..., action, errors)`` for a ``MultipleErrorsError`` id (the errors are its body)."""
    return MultipleErrorsError(kerror(error_id, action), errors)


def incomplete_multiple_request(action: str, errors: list[Any]) -> MultipleErrorsError:
    """``api.process.incomplete_multiple_request`` for an m* action, its error entries as ``errors``.

    Kuzzle's ``toJSON`` does not call ``toJSON`` on plain error entries and falls back to
    the raw list, so ``errors`` are the m* action's own error entries.
    """
    return multiple_errors("api.process.incomplete_multiple_request", action, errors)
