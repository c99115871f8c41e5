"""Kuzzle client SDK for Python running inside the browser."""

from kuzzle_browser._version import __version__

__all__ = ["__version__"]
