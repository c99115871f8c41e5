"""Static files on 127.0.0.1 (the plugin's ``pytest_kuzzle_browser.serve_static``).

usage: python tools/serve_static.py [--port 8080] /=build/lite ...
"""

from pytest_kuzzle_browser.serve_static import StaticServer, main, mime_type

__all__ = ["StaticServer", "main", "mime_type"]

if __name__ == "__main__":
    main()
