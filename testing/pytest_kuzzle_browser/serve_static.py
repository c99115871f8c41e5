"""A stdlib static file server for loopback: several folders mounted under URL prefixes.

Explicit MIME types (not the system's mime.types): ``.mjs``/``.js`` text/javascript,
``.wasm`` application/wasm (streaming compilation), ``.whl`` application/zip, ``.json``,
``.py`` text/plain, ``.toml``; ``Cache-Control: no-store`` on every answer so a rebuilt
wheel is always the one loaded. Bound to 127.0.0.1 only.

usage: python -m pytest_kuzzle_browser.serve_static [--port 8080] /=demo /vendor=build/vendor ...
Importable: ``StaticServer({"/": Path("demo")}).start()`` serves from a thread.
"""

from __future__ import annotations

import argparse
import posixpath
import threading
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

HOST = "127.0.0.1"

MIME_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".tar": "application/x-tar",
    ".json": "application/json",
    ".map": "application/json",
    ".py": "text/plain; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".ts": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
DEFAULT_MIME = "application/octet-stream"

# A generated answer: returns (body, content type) for a URL path, computed per request.
Generated = Callable[[], tuple[bytes, str]]
# A rewrite of served files: (URL path, body) -> body.
Transform = Callable[[str, bytes], bytes]


def mime_type(path: str) -> str:
    """The Content-Type for a file name, from its extension."""
    return MIME_TYPES.get(posixpath.splitext(path)[1].lower(), DEFAULT_MIME)


class StaticServer:
    """Serve folders under URL prefixes (longest prefix wins) plus generated files."""

    def __init__(
        self,
        mounts: Mapping[str, Path],
        *,
        generated: Mapping[str, Generated] | None = None,
        port: int = 0,
        quiet: bool = True,
        transform: Transform | None = None,
    ) -> None:
        self.mounts = sorted(
            ((_norm_prefix(prefix), Path(folder).resolve()) for prefix, folder in mounts.items()),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self.generated = dict(generated or {})  # may grow while serving
        self.transform = transform
        self.quiet = quiet
        self.httpd = ThreadingHTTPServer((HOST, port), self._handler_class())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path maps to, or None (never outside its mounted folder)."""
        path = posixpath.normpath(unquote(url_path))
        if url_path.endswith("/") and path != "/":
            path += "/"
        for prefix, folder in self.mounts:
            if path == prefix.rstrip("/") or path.startswith(prefix):
                rest = path[len(prefix) :] if path.startswith(prefix) else ""
                candidate = (folder / rest).resolve()
                if candidate != folder and folder not in candidate.parents:
                    return None
                if candidate.is_dir():
                    candidate = candidate / "index.html"
                return candidate if candidate.is_file() else None
        return None

    def start(self) -> StaticServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name=f"static-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._serve(send_body=True)

            def do_HEAD(self) -> None:
                self._serve(send_body=False)

            def _serve(self, *, send_body: bool) -> None:
                url_path = urlsplit(self.path).path
                generated = server.generated.get(url_path)
                if generated is not None:
                    body, ctype = generated()
                else:
                    file = server.resolve(url_path)
                    if file is None:
                        self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", send_body)
                        return
                    body, ctype = file.read_bytes(), mime_type(file.name)
                    if server.transform is not None:
                        body = server.transform(url_path, body)
                self._send(HTTPStatus.OK, body, ctype, send_body)

            def _send(self, status: HTTPStatus, body: bytes, ctype: str, send_body: bool) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                if not server.quiet:
                    super().log_message(format, *args)

        return Handler


def _norm_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip("/")
    return prefix if prefix == "/" else prefix + "/"


def parse_mount(spec: str) -> tuple[str, Path]:
    """``/prefix=folder`` -> ("/prefix", Path("folder"))."""
    prefix, sep, folder = spec.partition("=")
    if not sep or not folder:
        raise argparse.ArgumentTypeError(f"expected /prefix=folder, got {spec!r}")
    return prefix, Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description="Static files on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("mounts", nargs="+", type=parse_mount, metavar="/prefix=folder")
    args = parser.parse_args()
    server = StaticServer(dict(args.mounts), port=args.port, quiet=False)
    print(f"serving on {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
