"""PostgreSQL for the tests: the server at TEST_POSTGRES_URL (CI sets it), else a throw-away
cluster started here when PostgreSQL's binaries are installed, else PostgreSQL tests are skipped
(and fail under CI=true, so a CI machine without PostgreSQL cannot pass by skipping them).

Each test gets a database of its own, copied from a template migrated once per run
(``CREATE DATABASE ... TEMPLATE``), and dropped after the test.
"""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from store import migrate
from store.engine import make_engine

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class Unavailable(Exception):
    """Why there is no PostgreSQL to test on."""


class Postgres:
    """A server we may create databases on; database names carry our pid, so two runs can share it."""

    def __init__(self, admin_url: str | URL):
        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.prefix = f"insieme_test_{os.getpid()}_"
        self._names = itertools.count(1)
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=StaticPool,
                                    connect_args={"connect_timeout": 5})
        self._template: str | None = None

    def url(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    @property
    def template(self) -> str:
        """A database at the newest migration, to copy: migrated once per run."""
        if self._template is None:
            name = self.create()
            engine = make_engine(self.url(name))
            migrate.upgrade(engine)
            engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it without connections
            self._template = name
        return self._template

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}{next(self._names)}"
        copy = f" TEMPLATE {template}" if template else ""
        self._execute(f"CREATE DATABASE {name}{copy}")
        return name

    def drop(self, name: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # FORCE: connections a test left open

    def close(self) -> None:
        if self._template:
            self.drop(self._template)
        self._admin.dispose()

    def _execute(self, sql: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(sql))


class Cluster:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1.

    initdb refuses to run as root: as root, it runs as the ``postgres`` user (Debian's
    package creates it). fsync is off: nothing here needs to survive a crash."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root and there is no 'postgres' user to run initdb") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="insieme-pg-"))
        if owner:
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self.data = self.dir / "data"
        self.port = 0

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        for attempt in range(3):  # another process may take the free port before the server does
            self.port = free_port()
            settings = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -F "
                        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                          "-o", settings, "start")
                return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
            except Unavailable:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / program), *args], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            log = self.dir / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise Unavailable(f"{program} failed ({done.returncode}): {done.stderr.strip()[-2000:]} {tail}")


def find_binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return versions[-1].parent if versions else None


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for PostgreSQL here, and for the other servers tests start)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(postgres: Postgres, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            postgres._execute("SELECT 1")
            return
        except Exception as error:
            if time.monotonic() > deadline:
                raise Unavailable(f"cannot connect to {postgres.admin_url!r}: {error}") from None
            time.sleep(0.2)


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"PostgreSQL is needed under CI=true: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL: {reason} (set TEST_POSTGRES_URL, or install postgresql)")


def obtain() -> tuple["Postgres", "Cluster | None", str]:
    """A reachable server: TEST_POSTGRES_URL's, else a throw-away cluster started here.
    Returns (server, the cluster to stop afterwards or None, where it is); raises Unavailable."""
    cluster = None
    url = os.environ.get("TEST_POSTGRES_URL")
    where = "the server at TEST_POSTGRES_URL"
    try:
        if not url:
            bindir = find_binaries()
            if bindir is None:
                raise Unavailable("TEST_POSTGRES_URL is not set and initdb/pg_ctl were not found")
            cluster = Cluster(bindir)
            url = cluster.start()
            where = f"a throw-away cluster of {bindir} (fsync off, synchronous_commit off)"
        server = Postgres(url)
        _wait_until_up(server)
    except Exception:
        if cluster:
            cluster.stop()
        raise
    return server, cluster, where


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL server of this test run (see the module's docstring)."""
    try:
        server, cluster, _where = obtain()
    except Unavailable as error:
        _unavailable(str(error))
    try:
        yield server
    finally:
        server.close()
        if cluster:
            cluster.stop()


@pytest.fixture
def pg_url(postgres) -> str:
    """A fresh, migrated PostgreSQL database for one test."""
    name = postgres.create(template=postgres.template)
    yield postgres.url(name)
    postgres.drop(name)


@pytest.fixture
def pg_empty_url(postgres) -> str:
    """A fresh PostgreSQL database with no tables, for migration tests."""
    name = postgres.create()
    yield postgres.url(name)
    postgres.drop(name)
