"""Run the Kuzzle dev server (``python -m kuzzle_devserver``) as a subprocess.

Contract: started with ``--host 127.0.0.1 --port P [--control] [--data DIR]``, it prints
exactly one line ``kuzzle-devserver listening on http://HOST:PORT`` on stdout when ready
(``--port 0`` picks a free port; the line tells which). Its stdout and stderr are kept
(``output``, ``log_tail()``) and optionally echoed (``echo``) for the demo.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO

HOST = "127.0.0.1"
READY_LINE = re.compile(r"^kuzzle-devserver listening on http://(?P<host>[^\s:/]+):(?P<port>\d+)\s*$")


class DevServerError(Exception):
    """The dev server exited or did not get ready in time; the message has its output."""


class DevServer:
    """One dev server process; ``port``/``url`` are known once ``start()`` returned."""

    def __init__(
        self,
        command: list[str],
        *,
        cwd: Path,
        echo: Callable[[str], None] | None = None,
        new_session: bool = False,
    ) -> None:
        self.command = command
        self.new_session = new_session  # True: Ctrl-C in the terminal reaches only us
        self.cwd = cwd
        self.echo = echo
        self.output: deque[str] = deque(maxlen=5000)
        self.port = 0
        self._changed = threading.Event()  # ready line seen, or stdout closed
        self._proc: subprocess.Popen[str] | None = None

    @staticmethod
    def command_for(
        *, port: int, data_dir: Path | None = None, control: bool = False, users: Path | None = None
    ) -> list[str]:
        command = [sys.executable, "-m", "kuzzle_devserver", "--host", HOST, "--port", str(port)]
        if control:
            command.append("--control")
        if data_dir is not None:
            command += ["--data", str(data_dir)]
        if users is not None:
            command += ["--users", str(users)]
        return command

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def start(self, timeout: float) -> DevServer:
        """Start and wait for the ready line; DevServerError with the output otherwise."""
        self._proc = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            start_new_session=self.new_session,
        )
        assert self._proc.stdout is not None and self._proc.stderr is not None
        threading.Thread(target=self._pump, args=(self._proc.stdout, ""), daemon=True).start()
        threading.Thread(target=self._pump, args=(self._proc.stderr, "[stderr] "), daemon=True).start()
        self._changed.wait(timeout)
        if not self.port:
            try:
                code = self._proc.wait(timeout=1)
                why = f"exited with code {code}"
            except subprocess.TimeoutExpired:
                why = f"printed no ready line within {timeout:.0f} s"
            self.stop()
            raise DevServerError(
                f"dev server {why}: {shlex.join(self.command)}\n--- its output ---\n{self.log_tail()}"
            )
        return self

    def _pump(self, stream: IO[str], prefix: str) -> None:
        for raw in stream:
            line = prefix + raw.rstrip("\n")
            self.output.append(line)
            if self.echo is not None:
                self.echo(line)
            match = None if prefix else READY_LINE.match(line)
            if match and not self.port:
                self.port = int(match["port"])
                self._changed.set()
        if not prefix:
            self._changed.set()  # stdout closed: the process is gone

    def log_tail(self, count: int = 200) -> str:
        return "\n".join(list(self.output)[-count:])

    def wait(self) -> int:
        assert self._proc is not None
        return self._proc.wait()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
