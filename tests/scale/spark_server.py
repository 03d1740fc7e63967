"""A local Spark Connect server for tests: pyspark's own jars, 127.0.0.1, nothing downloaded.

`spark-submit` runs the `SparkConnectServer` class from the `spark-connect` jar that ships in
the pyspark wheel (no `--packages`, so no Ivy resolution and no network), with a pre-shared
token so that wrong credentials can be tested, the UI off, and an in-memory catalog whose
tables point at parquet files in a temp folder.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 180.0
_OPERATION_STARTED = "SparkListenerConnectOperationStarted"


@dataclass
class SparkServer:
    process: subprocess.Popen[bytes]
    root: Path
    port: int
    token: str

    @property
    def url(self) -> str:
        # "localhost" + token: pyspark uses local channel credentials, no TLS certificate needed.
        return f"sc://localhost:{self.port}/;token={self.token}"

    def url_with_token(self, token: str) -> str:
        return f"sc://localhost:{self.port}/;token={token}"

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def count(self, event: str) -> int:
        """How many events of a kind (e.g. `SparkListenerJobStart`) the event log holds."""
        return sum(
            path.read_text(errors="replace").count(f'"Event":"{event}"')
            for path in (self.root / "events").glob("*")
        )

    def wait_for(self, event: str, more_than: int, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while self.count(event) <= more_than:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no new {event} in {timeout_s} s")
            time.sleep(0.05)

    def operations(self) -> list[str]:
        """The statement text of every operation the server started, from its own event log
        (Spark writes and flushes each Connect operation event as it happens)."""
        texts = []
        for path in sorted((self.root / "events").glob("*")):
            for line in path.read_text(errors="replace").splitlines():
                if _OPERATION_STARTED in line:
                    try:
                        texts.append(str(json.loads(line).get("statementText", "")))
                    except json.JSONDecodeError:
                        continue  # the line being written right now

        return texts

    def stop(self) -> None:
        if self.process.poll() is None:
            # The server runs in its own process group: spark-submit's JVM child goes too.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _die_with_parent() -> None:
    # spark-submit execs the JVM in this same process: if pytest dies without its teardown
    # (killed, interrupted twice), the kernel stops the server too instead of leaving it.
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def why_spark_cannot_run() -> str | None:
    """None when pyspark with Connect and a Java runtime are here, else the reason."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'lablens[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    if not connect_jar():
        return "pyspark has no bundled spark-connect jar"
    return None


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def connect_jar() -> str | None:
    found = sorted(glob.glob(str(spark_home() / "jars" / "spark-connect_*.jar")))
    return found[-1] if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_spark_server(root: Path, *, token: str, port: int | None = None) -> SparkServer:
    """Start the server and wait until its gRPC port listens; raises RuntimeError with the log."""
    jar = connect_jar()
    assert jar is not None
    port = port or free_port()
    root.mkdir(parents=True, exist_ok=True)
    (root / "events").mkdir(exist_ok=True)
    home = spark_home()
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(root),
        "SPARK_CONF_DIR": str(root),  # no stray spark-defaults.conf from the machine
    }
    # C1 only and the serial collector: a short-lived test JVM on few cores starts and warms
    # up faster this way (peak speed does not matter for the demo's small tables).
    java_opts = (
        f"-Djava.io.tmpdir={root} -Dderby.system.home={root} "
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    )
    cmd = [
        str(home / "bin" / "spark-submit"),
        "--master",
        "local[2]",
        "--driver-memory",
        "1g",
        "--conf",
        f"spark.driver.extraJavaOptions={java_opts}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        f"spark.connect.authenticate.token={token}",
        "--conf",
        "spark.ui.enabled=false",
        # The server's own record of every operation it ran (read by `operations()`).
        "--conf",
        "spark.eventLog.enabled=true",
        "--conf",
        f"spark.eventLog.dir=file://{root / 'events'}",
        "--conf",
        "spark.eventLog.compress=false",
        "--conf",
        "spark.eventLog.rolling.enabled=false",
        "--conf",
        "spark.sql.catalogImplementation=in-memory",
        "--conf",
        f"spark.sql.warehouse.dir={root / 'warehouse'}",
        "--conf",
        f"spark.local.dir={root / 'local'}",
        # The demo tables are small: two shuffle partitions (one per core) instead of 200, and
        # no adaptive re-planning between stages (measured: the statistics statement of one
        # experiment 46 s with it, 32 s without, on the loaded 2-core machine).
        "--conf",
        "spark.sql.shuffle.partitions=2",
        "--conf",
        "spark.sql.adaptive.enabled=false",
        "--conf",
        "spark.sql.session.timeZone=UTC",
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        jar,
    ]
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    log.close()
    server = SparkServer(process, root, port, token)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Spark Connect server exited:\n{server.log()[-3000:]}")
        if "Spark Connect server started" in server.log():
            return server
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"Spark Connect server did not start in time:\n{server.log()[-3000:]}")
