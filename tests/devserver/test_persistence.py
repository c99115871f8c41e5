"""A dev server process killed and started again on the same ``--data`` keeps its sessions,
API keys, credentials and security objects, as a restarted Kuzzle does (JWT secret in its
internal index, tokens in Redis)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from pytest_kuzzle_browser.devserver_process import READY_LINE, DevServer

ROOT = Path(__file__).resolve().parents[2]


class Process:
    """``python -m kuzzle_devserver [--data DIR]`` on a free port, killable with SIGKILL."""

    def __init__(self, data_dir: Path | None) -> None:
        command = DevServer.command_for(port=0, data_dir=data_dir)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT / "testing",
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert self.proc.stdout is not None
        output = []
        for line in self.proc.stdout:
            output.append(line)
            match = READY_LINE.match(line.strip())
            if match:
                self.url = f"http://{match['host']}:{match['port']}"
                return
        raise AssertionError("no ready line:\n" + "".join(output))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            process.kill()


async def call(
    http: aiohttp.ClientSession,
    url: str,
    controller: str,
    action: str,
    jwt: str | None = None,
    **payload: Any,
) -> Any:
    body = {"controller": controller, "action": action, **payload}
    if jwt:
        body["jwt"] = jwt
    async with http.post(f"{url}/_query", json=body) as response:
        return await response.json()


async def test_a_killed_process_restarted_on_the_same_data_keeps_sessions(
    tmp_path: Path, processes: list[Process], http: aiohttp.ClientSession
) -> None:
    first = Process(tmp_path)
    processes.append(first)
    login = await call(
        http,
        first.url,
        "auth",
        "login",
        strategy="local",
        body={"username": "carol", "password": "carol-password"},
    )
    jwt = login["result"]["jwt"]
    key = await call(http, first.url, "auth", "createApiKey", jwt, body={"description": "ci"})
    api_key = key["result"]["_source"]["token"]
    changed = await call(
        http,
        first.url,
        "auth",
        "updateMyCredentials",
        jwt,
        strategy="local",
        body={"password": "new-password"},
    )
    assert changed["status"] == 200, changed
    first.kill()

    second = Process(tmp_path)
    processes.append(second)
    check = await call(http, second.url, "auth", "checkToken", body={"token": jwt})
    assert check["result"]["valid"] is True and check["result"]["kuid"] == "carol"
    me = await call(http, second.url, "auth", "getCurrentUser", jwt)
    assert me["status"] == 200 and me["result"]["_id"] == "carol"
    with_key = await call(http, second.url, "auth", "getCurrentUser", api_key)
    assert with_key["result"]["_id"] == "carol"
    old = await call(
        http,
        second.url,
        "auth",
        "login",
        strategy="local",
        body={"username": "carol", "password": "carol-password"},
    )
    assert old["error"]["id"] == "plugin.strategy.missing_user"
    new = await call(
        http,
        second.url,
        "auth",
        "login",
        strategy="local",
        body={"username": "carol", "password": "new-password"},
    )
    assert new["status"] == 200

    logout = await call(http, second.url, "auth", "logout", jwt)
    assert logout["status"] == 200
    second.kill()
    third = Process(tmp_path)
    processes.append(third)
    check = await call(http, third.url, "auth", "checkToken", body={"token": jwt})
    assert check["result"] == {"valid": False, "state": "Invalid token."}


async def test_a_temporary_data_directory_is_ephemeral(
    processes: list[Process], http: aiohttp.ClientSession
) -> None:
    first = Process(None)
    processes.append(first)
    login = await call(
        http,
        first.url,
        "auth",
        "login",
        strategy="local",
        body={"username": "alice", "password": "alice-password"},
    )
    first.kill()
    other = Process(None)
    processes.append(other)
    check = await call(http, other.url, "auth", "checkToken", body={"token": login["result"]["jwt"]})
    assert check["result"] == {"valid": False, "state": "Invalid token."}


async def test_security_objects_survive_a_process_restart(
    tmp_path: Path, processes: list[Process], http: aiohttp.ClientSession
) -> None:
    first = Process(tmp_path)
    processes.append(first)
    role = {"controllers": {"auth": {"actions": {"login": True, "getCurrentUser": True}}}}
    assert (await call(http, first.url, "security", "createRole", _id="r", body=role))["status"] == 200
    profile = {"policies": [{"roleId": "r"}]}
    assert (await call(http, first.url, "security", "createProfile", _id="p", body=profile))["status"] == 200
    user = {"content": {"profileIds": ["p"]}, "credentials": {"local": {"username": "u", "password": "pw"}}}
    assert (await call(http, first.url, "security", "createUser", _id="u", body=user))["status"] == 200
    deleted = await call(http, first.url, "security", "deleteUser", _id="bob")
    assert deleted["status"] == 200
    first.kill()

    second = Process(tmp_path)  # the fixture is not loaded again: bob stays deleted
    processes.append(second)
    login = await call(
        http, second.url, "auth", "login", strategy="local", body={"username": "u", "password": "pw"}
    )
    jwt = login["result"]["jwt"]
    assert (await call(http, second.url, "auth", "getCurrentUser", jwt))["result"]["_id"] == "u"
    refused = await call(http, second.url, "document", "search", jwt, index="i", collection="c")
    assert refused["error"]["id"] == "security.rights.forbidden"
    bob = await call(http, second.url, "security", "getUser", _id="bob")
    assert bob["error"]["id"] == "security.user.not_found"


def test_passwords_are_not_stored_in_clear(tmp_path: Path, processes: list[Process]) -> None:
    processes.append(Process(tmp_path))
    processes[0].kill()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("internal.sqlite3*"))
    assert b"alice-password" not in stored and b"pbkdf2_sha512" in stored


async def test_a_single_use_token_stays_single_use_across_a_restart(
    tmp_path: Path, processes: list[Process], http: aiohttp.ClientSession
) -> None:
    """auth:createToken?singleUse survives a kill as it would in Redis: once, then invalid;
    one used before the kill stays used."""
    first = Process(tmp_path)
    processes.append(first)
    credentials = {"username": "alice", "password": "alice-password"}
    login = await call(http, first.url, "auth", "login", strategy="local", body=credentials)
    jwt = login["result"]["jwt"]
    kept = (await call(http, first.url, "auth", "createToken", jwt, singleUse=True))["result"]["token"]
    used = (await call(http, first.url, "auth", "createToken", jwt, singleUse=True))["result"]["token"]
    assert (await call(http, first.url, "auth", "getCurrentUser", used))["result"]["_id"] == "alice"
    first.kill()

    second = Process(tmp_path)
    processes.append(second)
    again = await call(http, second.url, "auth", "getCurrentUser", used)
    assert again["error"]["id"] == "security.token.invalid"
    once = await call(http, second.url, "auth", "getCurrentUser", kept)
    assert once["result"]["_id"] == "alice"
    twice = await call(http, second.url, "auth", "getCurrentUser", kept)
    assert twice["error"]["id"] == "security.token.invalid"


def test_a_data_directory_from_before_single_use_tokens_opens(tmp_path: Path) -> None:
    """The tokens table of an older data directory gains its single_use column, its tokens
    kept (multi-use, as they were issued)."""
    import sqlite3

    from kuzzle_devserver.internal import InternalDb

    path = tmp_path / "internal.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE tokens (jwt TEXT PRIMARY KEY, kuid TEXT NOT NULL, expires_at INTEGER NOT NULL,"
                " ttl INTEGER NOT NULL, refreshed INTEGER NOT NULL, api_key INTEGER NOT NULL)")
    old.execute("INSERT INTO tokens VALUES ('j', 'alice', -1, -1, 0, 1)")
    old.commit()
    old.close()
    internal = InternalDb(path)
    assert list(internal.db.execute("SELECT jwt, single_use FROM tokens")) == [("j", 0)]
    internal.close()
