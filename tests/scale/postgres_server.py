"""A throw-away PostgreSQL on 127.0.0.1 with the demo tables and a read-only role.

Debian's server binaries (initdb, pg_ctl) start a cluster in a temp folder; as root the
server runs as the `postgres` system user (PostgreSQL refuses root). lablens connects as
`lablens_reader`, a role that may only SELECT, and its sessions are read-only with a
statement timeout on top (the adapter's own settings).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.sql.postgres_server import postgres_binary

READER = "lablens_reader"

# DuckDB column types -> PostgreSQL's.
_PG_TYPES = {
    "BIGINT": "BIGINT",
    "INTEGER": "INTEGER",
    "DOUBLE": "DOUBLE PRECISION",
    "DATE": "DATE",
    "BOOLEAN": "BOOLEAN",
    "VARCHAR": "TEXT",
}


@dataclass
class PostgresServer:
    root: Path
    port: int
    pg_ctl: str
    admin_password: str
    reader_password: str

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres:{self.admin_password}@127.0.0.1:{self.port}/postgres"

    def url(self, role: str = READER, password: str | None = None) -> str:
        secret = self.reader_password if password is None else password
        return f"postgresql+psycopg2://{role}:{secret}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                [self.pg_ctl, "-D", str(self.root / "data"), "-m", "immediate", "stop"]
            ),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_server_user(cmd: list[str]) -> list[str]:
    return cmd if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *cmd]


def why_postgres_cannot_run() -> str | None:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "psycopg2 is not installed"
    if not postgres_binary("initdb") or not postgres_binary("pg_ctl"):
        return "PostgreSQL server binaries not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server"
    return None


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start on a free port; raises CalledProcessError/TimeoutExpired."""
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    assert initdb and pg_ctl
    # Directly under /tmp: the server user must reach it, and pytest's folders are root-only.
    root = Path(tempfile.mkdtemp(prefix="lablens-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    data = root / "data"
    # Passwords over TCP (so wrong credentials can be tested), trust on the local socket.
    admin_password, reader_password = secrets.token_hex(12), secrets.token_hex(12)
    pwfile = root / "pw"
    pwfile.write_text(admin_password, encoding="utf-8")
    if os.geteuid() == 0:
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
    subprocess.run(
        _as_server_user([initdb, "-D", str(data), "-U", "postgres", *auth, "--no-sync"]),
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [pg_ctl, "-D", str(data), "-w", "-t", "60", "-l", str(root / "log")]
    subprocess.run(
        _as_server_user([*start, "-o", options, "start"]),
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    pwfile.unlink()
    return PostgresServer(root, port, pg_ctl, admin_password, reader_password)


def load_demo(server: PostgresServer, duckdb_path: Path, scratch: Path) -> None:
    """Copy every DuckDB table into PostgreSQL (CSV + COPY), then grant the reader SELECT."""
    import duckdb
    import psycopg2

    scratch.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg2.connect(server.admin_dsn)
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    duck = duckdb.connect(str(duckdb_path), read_only=True)
    duck.execute("SET enable_progress_bar = false")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"CREATE ROLE {READER} LOGIN PASSWORD %s", [server.reader_password])
            names = [
                r[0] for r in duck.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            ]
            for name in names:
                columns = duck.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() "
                    "WHERE table_name = ? ORDER BY column_index",
                    [name],
                ).fetchall()
                ddl = ", ".join(f'"{c}" {_PG_TYPES[t]}' for c, t in columns)
                cur.execute(f'CREATE TABLE "{name}" ({ddl})')
                csv = scratch / f"{name}.csv"
                duck.execute(f"COPY \"{name}\" TO '{csv}' (FORMAT csv, HEADER false)")
                with csv.open("rb") as fh:
                    cur.copy_expert(f'COPY "{name}" FROM STDIN WITH (FORMAT csv)', fh)
                csv.unlink()
                cur.execute(f'GRANT SELECT ON "{name}" TO {READER}')
            cur.execute("ANALYZE")
    finally:
        duck.close()
        conn.close()
