"""Derive a function allow-list from an engine's own catalog, for review before commit.

    python -m tools.sql.functions.derive duckdb   # duckdb_functions() of the installed DuckDB
    python -m tools.sql.functions.derive sqlite   # PRAGMA function_list of Python's sqlite3
    python -m tools.sql.functions.derive postgres --url postgresql://user@host/db  # pg_proc

Policy (what the reviewer then reads line by line in the written file):
- scalar, aggregate and window functions are allowed unless the shared deny policy
  (`rules.denied_functions.is_denied`) or `REVIEWED_OUT` below refuses them;
- table functions, table macros and pragmas are never allowed (a query reads catalog tables);
- a macro is allowed only if what it expands to reads no table, runs no subquery and calls
  only allowed functions (so `get_block_size`, which reads `pragma_database_size()`, and
  `format_type`, which reads `pg_catalog`, are refused);
- PostgreSQL: functions of `pg_catalog` only; set-returning functions, procedures and
  functions taking `internal`/`cstring` arguments never; volatile functions only when listed
  in `VOLATILE_OK` (volatile is where side effects live: `nextval`, `pg_advisory_lock`,
  `brin_summarize_new_values`, `lo_import` …); catalog lookups (`format_type`,
  `col_description`, `to_regclass` …) are refused like the deny-list's.
Not imported at run time.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from tools.sql.functions import list_path
from tools.sql.rules.denied_functions import is_denied

# Reviewed by hand: callable in a SELECT, but they reach what a query must not.
REVIEWED_OUT = {
    "json_serialize_plan": "plans SQL held in a string; constant folding evaluates settings",
    "json_serialize_sql": "parses SQL held in a string",
    "json_deserialize_sql": "turns a string into SQL text",
    "getvariable": "reads session variables",
    "current_setting": "reads engine settings",
    "in_search_path": "reads the search path setting",
    "current_localtimestamp": "",  # placeholder removed below; kept for the reviewer's eye
    "stats": "reveals internal storage statistics",
    "current_connection_id": "reads session state",
    "current_query_id": "reads session state",
    "current_transaction_id": "reads session state",
    "inet_client_port": "reads the connection",
    "inet_server_port": "reads the connection",
    "sleep_ms": "holds the engine for as long as asked",
    "write_log": "writes to the engine log",
    "parse_duckdb_log_message": "reads engine log records",
    "col_description": "reads catalog comments (pg_catalog compatibility)",
    "obj_description": "reads catalog comments (pg_catalog compatibility)",
    "shobj_description": "reads catalog comments (pg_catalog compatibility)",
    "to_aggregate_state": "engine-internal aggregate states",
    "finalize": "engine-internal aggregate states",
    "combine": "engine-internal aggregate states",
    "combine_aggr": "engine-internal aggregate states",
    "invoke": "calls a function value; judged by name only here",
    "typeof": "",
    "alias": "",
    "error": "",
    "vector_type": "reveals engine internals",
    "create_sort_key": "",
    "gen_random_uuid": "",
    "nextval": "changes a sequence",
    "currval": "reads a sequence",
    "enum_range": "",
    "enum_range_boundary": "",
    "enum_first": "",
    "enum_last": "",
    "enum_code": "",
    "changes": "reads session state (rows changed)",
    "total_changes": "reads session state (rows changed)",
    "last_insert_rowid": "reads session state",
    "load_extension": "loads native code",
    "fts3_tokenizer": "registers native code pointers",
    "sqlite_compileoption_get": "reads engine build options",
    "sqlite_compileoption_used": "reads engine build options",
    "sqlite_log": "writes to the engine log",
    "sqlite_offset": "reveals storage offsets",
    "randomblob": "",
    "zeroblob": "allocates an arbitrary amount of memory from one argument",
    "rtreecheck": "reads internal tables",
    "rtreedepth": "",
    "rtreenode": "",
    "fts5": "",
    "fts5_source_id": "",
    "optimize": "",
    "bm25": "",
    "highlight": "",
    "snippet": "",
    "offsets": "",
    "matchinfo": "",
}
# PostgreSQL catalog lookups and session state that the shared deny policy does not name.
PG_REVIEWED_OUT = {
    "format_type": "reads the system catalog",
    "col_description": "reads the system catalog",
    "obj_description": "reads the system catalog",
    "shobj_description": "reads the system catalog",
    "current_setting": "reads server settings",
    "set_config": "changes server settings",
    "inet_client_port": "reads the connection",
    "inet_server_port": "reads the connection",
    "now": "",
}
PG_DENIED_PREFIXES = (
    "to_reg",
    "txid_",
    "xid",
    "brin_",
    "gin_",
    "gist_",
    "spg",
    "binary_upgrade_",
    "acl",
    "fmgr_",
    "getpgusername",
    "row_security_active",
)
# Volatile, reviewed and harmless.
VOLATILE_OK = {
    "random",
    "random_normal",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "uuid_generate_v4",
    "statement_timestamp",
    "setseed_disabled",
}
VOLATILE_OK.discard("setseed_disabled")

# Entries above with an empty reason were reviewed and are harmless: drop them.
REVIEWED_OUT = {k: v for k, v in REVIEWED_OUT.items() if v}

NEVER = {"table", "table_macro", "pragma"}
# Reviewed by hand: listed as table functions, but in a select list they read no table.
REVIEWED_IN = {"unnest": "expands a list into rows; reads no table"}


def duckdb_rows() -> list[tuple[str, str, str | None]]:
    import duckdb

    conn = duckdb.connect()
    try:
        return [
            (str(n), str(k), d)
            for n, k, d in conn.execute(
                "SELECT function_name, function_type, macro_definition FROM duckdb_functions() "
                "ORDER BY 1, 2"
            ).fetchall()
        ]
    finally:
        conn.close()


def sqlite_rows() -> list[tuple[str, str, str | None]]:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    kinds = {"s": "scalar", "a": "aggregate", "w": "window"}
    try:
        return [
            (str(name), kinds.get(str(kind), str(kind)), None)
            for name, _builtin, kind, *_ in conn.execute("PRAGMA function_list").fetchall()
        ]
    finally:
        conn.close()


def postgres_lines(url: str) -> list[str]:
    """Verdicts for PostgreSQL's built-in functions, read from `pg_proc` at `url`."""
    import psycopg2

    conn = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT p.proname, p.prokind, p.provolatile, p.proretset, "
                "  bool_or(t.typname IN ('internal', 'cstring')) "
                "FROM pg_proc p LEFT JOIN LATERAL unnest(p.proargtypes) a(oid) ON true "
                "LEFT JOIN pg_type t ON t.oid = a.oid "
                "WHERE p.pronamespace = 'pg_catalog'::regnamespace "
                "GROUP BY p.oid, p.proname, p.prokind, p.provolatile, p.proretset"
            )
            rows = cur.fetchall()
    finally:
        conn.close()
    kinds = {"f": "scalar", "a": "aggregate", "w": "window", "p": "procedure"}
    verdicts: dict[str, tuple[str, str, set[str]]] = {}
    for name, prokind, volatile, retset, internal in rows:
        kind = kinds.get(prokind, prokind)
        reason = ""
        if prokind == "p":
            reason = "a procedure"
        elif retset and name not in REVIEWED_IN:
            reason = "set-returning (table-valued)"
        elif internal:
            reason = "takes internal or cstring arguments (engine-internal)"
        elif is_denied(name) or name.startswith(PG_DENIED_PREFIXES):
            reason = "reads the environment, settings, files or system state"
        elif PG_REVIEWED_OUT.get(name):
            reason = PG_REVIEWED_OUT[name]
        elif volatile == "v" and name not in VOLATILE_OK:
            reason = "volatile: may have side effects (not reviewed as harmless)"
        verdict = "deny" if reason else "allow"
        old = verdicts.get(name)
        kinds_seen = (old[2] if old else set()) | {kind}
        # One denied overload denies the name: functions are judged by name, not signature.
        if old and old[0] == "deny":
            verdict, reason = old[0], old[1]
        verdicts[name] = (verdict, reason, kinds_seen)
    lines = [
        "# postgres functions, derived by `python -m tools.sql.functions.derive postgres "
        "--url …` and reviewed.",
        "# name<TAB>kind<TAB>allow|deny<TAB>reason",
    ]
    for name in sorted(verdicts):
        verdict, reason, ks = verdicts[name]
        lines.append(f"{name}\t{','.join(sorted(ks))}\t{verdict}\t{reason}")
    return lines


def macro_verdict(definition: str, allowed: set[str], dialect: str) -> tuple[bool, str]:
    """Whether a macro body is as safe as a call of allowed functions."""
    from sqlglot import exp, parse_one
    from sqlglot.errors import SqlglotError

    from tools.sql.names import function_names

    try:
        body = parse_one(f"SELECT {definition}", read=dialect)
    except SqlglotError as exc:
        return False, f"expansion does not parse: {str(exc)[:60]}"
    if any(isinstance(n, (exp.Table, exp.Subquery)) for n in body.walk()) or any(
        isinstance(n, exp.Select) and n is not body for n in body.walk()
    ):
        return False, "expands to a query that reads tables"
    for node in body.find_all(exp.Func):
        names = function_names(node)
        if isinstance(node, (exp.Anonymous, exp.AnonymousAggFunc)) and not names & allowed:
            return False, f"expands to `{sorted(names)[0]}`, which is not allowed"
        denied = sorted(n for n in names if is_denied(n) or n in REVIEWED_OUT)
        if denied:
            return False, f"expands to `{denied[0]}`, which is not allowed"
    return True, "expansion calls only allowed functions"


def derive(dialect: str) -> list[str]:
    rows = duckdb_rows() if dialect == "duckdb" else sqlite_rows()
    kinds: dict[str, set[str]] = defaultdict(set)
    macros: dict[str, list[str]] = defaultdict(list)
    for name, kind, definition in rows:
        kinds[name].add(kind)
        if kind == "macro" and definition:
            macros[name].append(definition)
    verdicts: dict[str, tuple[str, str]] = {}
    allowed: set[str] = set()
    for name, ks in kinds.items():
        if name in REVIEWED_IN:
            verdicts[name] = ("allow", REVIEWED_IN[name])
            allowed.add(name)
        elif name.startswith("__internal"):
            verdicts[name] = ("deny", "engine-internal")
        elif ks <= NEVER:
            verdicts[name] = ("deny", "table-valued or pragma: a query reads catalog tables only")
        elif is_denied(name.lower()):
            verdicts[name] = ("deny", "reads the environment, settings, files or system state")
        elif name.lower() in REVIEWED_OUT:
            verdicts[name] = ("deny", REVIEWED_OUT[name.lower()])
        elif "macro" in ks:
            continue  # judged below, once the plain functions are known
        else:
            verdicts[name] = ("allow", "")
            allowed.add(name.lower())
    # Macros may call macros: repeat until nothing changes.
    pending = [n for n in kinds if n not in verdicts]
    changed = True
    while changed:
        changed = False
        for name in list(pending):
            results = [macro_verdict(d, allowed, dialect) for d in macros[name]]
            if all(ok for ok, _ in results):
                verdicts[name] = ("allow", "macro: " + results[0][1])
                allowed.add(name.lower())
                pending.remove(name)
                changed = True
    for name in pending:
        reasons = [
            r for ok, r in (macro_verdict(d, allowed, dialect) for d in macros[name]) if not ok
        ]
        verdicts[name] = ("deny", "macro: " + (reasons[0] if reasons else "unsafe expansion"))
    lines = [
        f"# {dialect} functions, derived by `python -m tools.sql.functions.derive {dialect}` "
        "and reviewed.",
        "# name<TAB>kind<TAB>allow|deny<TAB>reason",
    ]
    for name in sorted(verdicts, key=str.lower):
        verdict, reason = verdicts[name]
        kind = ",".join(sorted(kinds[name]))
        lines.append(f"{name.lower()}\t{kind}\t{verdict}\t{reason}")
    return lines


def main(argv: list[str]) -> int:
    url = None
    if "--url" in argv:
        index = argv.index("--url")
        url = argv[index + 1]
        argv = argv[:index] + argv[index + 2 :]
    for dialect in argv or ["duckdb", "sqlite"]:
        if dialect == "postgres":
            if not url:
                print("postgres needs --url of a server to read pg_proc from", file=sys.stderr)
                return 2
            lines = postgres_lines(url)
        else:
            lines = derive(dialect)
        list_path(dialect).write_text("\n".join(lines) + "\n", encoding="utf-8")
        allowed = sum(1 for line in lines if "\tallow\t" in line)
        print(f"{dialect}: {allowed} allowed, {len(lines) - 2 - allowed} denied")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
