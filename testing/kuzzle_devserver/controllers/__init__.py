"""API controllers; ``build_action_table`` maps every served ``controller:action``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..context import ActionTable, ServerContext
from .admin import AdminController
from .auth import AuthController
from .collection import CollectionController
from .document import DocumentController
from .index import IndexController
from .realtime import RealtimeController
from .security import SecurityController
from .server import ApiDefinition, ServerController


def build_action_table(
    ctx: ServerContext,
    api_definition: ApiDefinition,
    data_dir: Callable[[], Path],
    shutdown: Callable[[], None],
) -> ActionTable:
    """``data_dir`` and ``shutdown`` serve ``admin:dump`` and ``admin:shutdown``."""
    table: ActionTable = {}
    for controller in (
        AdminController(ctx, data_dir, shutdown),
        AuthController(ctx),
        CollectionController(ctx),
        DocumentController(ctx),
        IndexController(ctx),
        RealtimeController(ctx),
        SecurityController(ctx),
        ServerController(ctx, api_definition),
    ):
        table.update(controller.actions())
    return table
