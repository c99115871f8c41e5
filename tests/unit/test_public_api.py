"""The public surface: what ``from kuzzle_browser import ...`` offers, each name documented."""

from __future__ import annotations

import inspect

import kuzzle_browser
from kuzzle_browser import errors, security
from kuzzle_browser.search_result import SearchResultBase


def test_every_public_name_exists_and_is_documented() -> None:
    """__all__ lists real objects; classes and functions carry a docstring."""
    assert len(set(kuzzle_browser.__all__)) == len(kuzzle_browser.__all__)
    for name in kuzzle_browser.__all__:
        value = getattr(kuzzle_browser, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_the_whole_exception_tree_is_exported() -> None:
    """Every error class is importable from the package and derives from KuzzleError."""
    for name in errors.__all__:
        value = getattr(kuzzle_browser, name)
        if inspect.isclass(value):
            assert issubclass(value, kuzzle_browser.KuzzleError)


def test_public_methods_of_the_main_classes_are_documented() -> None:
    """Kuzzle, WebSocket, Subscription, search results, security objects, every controller: all documented."""
    kuzzle = kuzzle_browser.Kuzzle(kuzzle_browser.WebSocket("127.0.0.1"))
    owners = [
        kuzzle_browser.Kuzzle,
        kuzzle_browser.WebSocket,
        kuzzle_browser.Subscription,
        kuzzle_browser.SearchResult,
        SearchResultBase,
        *(getattr(security, name) for name in security.__all__),
        kuzzle_browser.LiveQuery,
        kuzzle_browser.Observer,
        *(
            type(getattr(kuzzle, c))
            for c in (
                "auth", "document", "collection", "index", "realtime", "server", "bulk", "ms", "security"
            )
        ),
    ]
    missing = [
        f"{owner.__name__}.{name}"
        for owner in owners
        for name, member in vars(owner).items()
        if not name.startswith("_") and callable(member) and not inspect.getdoc(member)
    ]
    assert missing == []
