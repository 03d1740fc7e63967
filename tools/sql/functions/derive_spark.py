"""Derive Spark's function allow-list from a Spark Connect server's own catalog, for review.

    python -m tools.sql.functions.derive_spark sc://localhost:15002 > tools/sql/functions/spark.txt

Spark has no read-only session, so this list carries more of the defence than elsewhere.
Policy (what the reviewer reads line by line in the written file):
- built-in scalar, aggregate and window functions are allowed unless the shared deny policy
  (`rules.denied_functions.is_denied`) or `REVIEWED_OUT` refuses them;
- generators and table-valued functions (`explode`, `range`, `read_files` …) never;
- anything that reaches the JVM, files, the session or the cluster (`reflect`,
  `java_method`, `input_file_name`, `current_user`, `spark_partition_id` …) never.
Not imported at run time.
"""

from __future__ import annotations

import sys
import warnings

from tools.sql.rules.denied_functions import is_denied

REVIEWED_OUT = {
    "java_method": "calls any Java method",
    "reflect": "calls any Java method",
    "try_reflect": "calls any Java method",
    "input_file_name": "reads file paths of the data",
    "input_file_block_start": "reads file layout of the data",
    "input_file_block_length": "reads file layout of the data",
    "spark_partition_id": "reveals execution internals",
    "current_user": "reads the session",
    "user": "reads the session",
    "session_user": "reads the session",
    "current_database": "reads the session",
    "current_schema": "reads the session",
    "current_catalog": "reads the session",
    "version": "reads the engine",
    "raise_error": "aborts the query with a chosen message",
    "assert_true": "aborts the query with a chosen message",
    "uuid": "non-deterministic",
    "shuffle": "non-deterministic",
}
# Class-name fragments of functions that produce rows (generators) or read tables.
_TABLE_VALUED = ("generators", "Explode", "Inline", "Stack", "JsonTuple", "Range", "ReadFiles")


def spark_rows(url: str) -> list[tuple[str, str, str | None]]:
    """(name, kind, reason to deny or None) for each built-in function of the server."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyspark.sql.connect.session import SparkSession

        session = SparkSession.builder.remote(url).create()
        try:
            functions = session.catalog.listFunctions()
        finally:
            session.stop()
    rows: list[tuple[str, str, str | None]] = []
    for f in functions:
        # Built-ins have no catalog (Spark marks them temporary); user functions are not ours
        # to allow, and operators (`+`, `==` …) are syntax.
        if f.catalog is not None or not f.name.replace("_", "").isalnum():
            continue
        cls = f.className or ""
        kind = "aggregate" if ".aggregate." in cls else "window" if "Window" in cls else "scalar"
        reason: str | None = None
        if any(part in cls for part in _TABLE_VALUED):
            kind, reason = "table", "produces rows (generator or table-valued)"
        elif f.name in REVIEWED_OUT:
            reason = REVIEWED_OUT[f.name] or "reviewed out"
        elif is_denied(f.name):
            reason = "reads the environment, settings, files or system state"
        rows.append((f.name, kind, reason))
    return sorted(set(rows))


def main(argv: list[str]) -> int:
    url = argv[0] if argv else "sc://localhost:15002"
    print("# spark functions, derived by `python -m tools.sql.functions.derive_spark`, reviewed.")
    print("# name\tkind\tallow|deny\treason")
    for name, kind, reason in spark_rows(url):
        print(f"{name}\t{kind}\t{'deny' if reason else 'allow'}\t{reason or ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
