"""Throw-away PostgreSQL servers beside the test database: a streaming replica of it, or a fresh empty cluster.

Both run under the account that owns the test cluster when the tests run as root (initdb refuses root), on a free
local port, in a temporary directory removed on stop.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def bindir() -> Path | None:
    candidates = []
    try:
        candidates.append(
            subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        )
    except FileNotFoundError:
        pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    for candidate in candidates:
        if candidate and os.access(os.path.join(candidate, "pg_ctl"), os.X_OK):
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _owner() -> str | None:
    """The account to run the server as: None when not root."""
    if os.getuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return "nobody"


@dataclass
class Server:
    bindir: Path
    workdir: Path
    port: int
    owner: str | None
    log: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.workdir / "data"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.workdir}"
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.workdir / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def url(self, database: str, user: str = "shegong") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"


def _workdir(owner: str | None) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="shegong-pgtest."))
    if owner:
        shutil.chown(workdir, owner)
    return workdir


def start_replica(primary_host: str, primary_port: int, user: str) -> Server:
    """A hot standby of the running primary: pg_basebackup -R (streaming), started on a free port."""
    found = bindir()
    assert found is not None, "PostgreSQL binaries (pg_basebackup, pg_ctl) not found"
    owner = _owner()
    server = Server(found, _workdir(owner), free_port(), owner)
    server.run(
        "pg_basebackup",
        "-h",
        primary_host,
        "-p",
        str(primary_port),
        "-U",
        user,
        "-D",
        str(server.data),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
    )
    server.start()
    return server


def start_empty(user: str = "shegong") -> Server:
    """A fresh cluster (initdb), durable settings, trust authentication on the loopback address."""
    found = bindir()
    assert found is not None, "PostgreSQL binaries (initdb, pg_ctl) not found"
    owner = _owner()
    server = Server(found, _workdir(owner), free_port(), owner)
    server.run("initdb", "-D", str(server.data), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    server.start()
    return server


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
