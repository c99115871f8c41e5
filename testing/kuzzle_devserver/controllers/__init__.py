"""API controllers; ``build_action_table`` maps every served ``controller:action``."""

from __future__ import annotations

from ..context import ActionTable, ServerContext
from .auth import AuthController
from .bulk import BulkController
from .collection import CollectionController
from .document import DocumentController
from .index import IndexController
from .ms import MemoryStorageController
from .realtime import RealtimeController
from .server import ApiDefinition, ServerController


def build_action_table(ctx: ServerContext, api_definition: ApiDefinition) -> ActionTable:
    table: ActionTable = {}
    for controller in (
        AuthController(ctx),
        BulkController(ctx),
        CollectionController(ctx),
        DocumentController(ctx),
        IndexController(ctx),
        MemoryStorageController(ctx),
        RealtimeController(ctx),
        ServerController(ctx, api_definition),
    ):
        table.update(controller.actions())
    return table
