"""A throwaway PostgreSQL server in a temp folder, on 127.0.0.1, for tests and the red-team run.

As root, the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Unavailable(Exception):
    """PostgreSQL cannot run here; the message says why."""


def postgres_binary(name: str) -> str | None:
    """A PostgreSQL server binary: on the PATH, else the newest Debian install."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextmanager
def running_postgres(setup_sql: list[str], *, password: str | None = None) -> Iterator[str]:
    """A started server with `setup_sql` run in it; yields its SQLAlchemy URL.

    With `password`, connections over TCP must give it (scram-sha-256), so a wrong one is
    refused as on a real server; without, every connection is trusted."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg2 is not installed") from None
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise Unavailable("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable(
                "running as root and there is no `postgres` user to run the server"
            ) from None
    root = Path(tempfile.mkdtemp(prefix="lablens-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        os.chown(root, server_user.pw_uid, server_user.pw_gid)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    auth = ["--auth=trust"]
    if password is not None:
        pwfile = root / "pwfile"
        pwfile.write_text(password + "\n")
        if os.geteuid() == 0:
            os.chown(pwfile, server_user.pw_uid, server_user.pw_gid)
        auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
    try:
        subprocess.run(
            _as_server_user([initdb, "-D", str(data), "-U", "postgres", *auth, "--no-sync"]),
            check=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
        subprocess.run(
            _as_server_user(
                [
                    pg_ctl,
                    "-D",
                    str(data),
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(root / "log"),
                    "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise Unavailable(f"cannot start PostgreSQL here: {exc}") from None
    user = "postgres" if password is None else f"postgres:{password}"
    url = f"postgresql+psycopg2://{user}@127.0.0.1:{port}/postgres"
    try:
        _load_fixture(url, setup_sql)
        yield url
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def _load_fixture(url: str, setup_sql: list[str]) -> None:
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with conn, conn.cursor() as cur:
        for statement in setup_sql:
            cur.execute(statement)
    conn.close()
