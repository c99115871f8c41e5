"""Sans-I/O core: Kuzzle's protocol logic as plain synchronous Python.

Nothing here imports ``js``, ``pyodide`` or ``asyncio``, reads a clock or
sleeps: time comes in as an argument, so every rule is unit-tested in CPython.
"""
