"""A throw-away PostgreSQL server on loopback for tests, from the newest PostgreSQL (15 or later)
installed on the machine; with none, the PostgreSQL tests fail saying what to install.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
``postgres`` system user in a temp directory it owns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from db.pgtools import OLDEST_MAJOR, pg_program
from demo.mailserver import free_port


def server_bin() -> Path:
    """The bin directory of the newest installed PostgreSQL server — or the test fails, naming the package."""
    initdb = pg_program("initdb")
    if initdb is None or not Path(initdb).with_name("pg_ctl").exists():
        pytest.fail(f"a PostgreSQL server of version {OLDEST_MAJOR} or later (initdb, pg_ctl) is needed: install the "
                    "Debian package postgresql (./run test does it)")
    if os.geteuid() == 0 and shutil.which("su") is None:
        pytest.fail("running as root, the PostgreSQL server runs as the user postgres: `su` is needed")
    return Path(initdb).parent


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]


class Cluster:
    """A running throw-away server: a fresh, empty database for each test that asks — and an
    outage on demand (``stop``, then ``start`` on the same port and files)."""

    def __init__(self, port: int, data: Path | None = None, options: str = "", log: Path | None = None) -> None:
        self.port = port
        self.made = 0
        self.data, self.options, self.log = data, options, log

    def stop(self) -> None:
        """The server goes away as in a crash or a failover: open connections are cut."""
        assert self.data is not None
        subprocess.run(_as_server_user([str(server_bin() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                                        "stop"]), check=True, capture_output=True)

    def start(self) -> None:
        assert self.data is not None and self.log is not None
        subprocess.run(_as_server_user([str(server_bin() / "pg_ctl"), "-D", str(self.data), "-o", f"'{self.options}'", "-w",
                                        "-l", str(self.log), "start"]), check=True, capture_output=True)

    def new_database(self) -> str:
        import psycopg

        self.made += 1
        name = f"ctc_{self.made}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a SQLAlchemy URL to an empty database; the server and its files go away after."""
    with postgres_cluster() as cluster:
        yield cluster.new_database()


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """A server on loopback for as long as the block runs; its files go away after."""
    folder = Path(tempfile.mkdtemp(prefix="ctc-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_server_user([str(server_bin() / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                    "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(server_bin() / "pg_ctl"), "-D", str(data), "-o", f"'{options}'", "-w",
                                    "-l", str(folder / "log"), "start"]), check=True, capture_output=True)
    try:
        yield Cluster(port, data, options, folder / "log")
    finally:
        subprocess.run(_as_server_user([str(server_bin() / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
