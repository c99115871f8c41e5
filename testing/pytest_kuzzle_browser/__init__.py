"""pytest-kuzzle-browser: a pytest plugin for Playwright end-to-end tests of Kuzzle browser
apps (Pyodide, PyScript), offline on 127.0.0.1. CPython only: never installed in a page.

The plugin (fixtures, options, in-page collection) is ``pytest_kuzzle_browser.plugin``,
registered through the ``pytest11`` entry point; the harness is
``pytest_kuzzle_browser.harness``.
"""

__version__ = "0.1.0"
