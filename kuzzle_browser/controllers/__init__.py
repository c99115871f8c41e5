"""The API controllers: ``kuzzle.auth``, ``kuzzle.document``, ``kuzzle.collection``, ``kuzzle.index``,
``kuzzle.realtime``, ``kuzzle.server``, ``kuzzle.bulk``, ``kuzzle.security`` and ``kuzzle.ms``,
one module each (``admin`` holds collection, index and server).

Import the classes from ``kuzzle_browser``; the names read here come from there too (PEP 562),
so that importing one module (``controllers.base``, by every app controller) does not
compile the others: the client makes each controller on first use.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    import kuzzle_browser

    if not name.endswith("Controller") or name not in kuzzle_browser.__all__:
        raise AttributeError(f"module 'kuzzle_browser.controllers' has no attribute {name!r}")
    return getattr(kuzzle_browser, name)
