"""Functions that reach outside the data: environment, settings, secrets, files, the system.

A deny-list (functions are open-ended, so an allow-list would refuse valid analytics), matched
on every name a function node may carry, case- and width-insensitively, anywhere in the tree.
"""

from __future__ import annotations

from sqlglot import exp

from tools.sql.context import RuleContext
from tools.sql.names import function_names
from tools.sql.problems import Problem, error

DENIED_NAMES = frozenset(
    {
        # environment, settings and secrets
        "getenv",
        "current_setting",
        "set_config",
        "which_secret",
        "load_aws_credentials",
        "setseed",
        "set_seed",
        # reading files, globbing, running SQL held in strings
        "glob",
        "query",
        "query_table",
        "sniff_csv",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "iceberg_scan",
        "iceberg_metadata",
        "iceberg_snapshots",
        "delta_scan",
        "postgres_query",
        "postgres_execute",
        "mysql_query",
        "mysql_execute",
        "sqlite_attach",
        "st_read",
        "st_read_meta",
        "st_drivers",
        "json_execute_serialized_sql",
        "load_file",
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "http_get",
        "http_post",
        "http_head",
        "dblink",
        "dblink_exec",
        "external_query",
        "checkpoint",
        "force_checkpoint",
        # system introspection
        "version",
        "current_version",
        "current_user",
        "session_user",
        "user",
        "current_role",
        "current_database",
        "current_catalog",
        "current_schema",
        "current_schemas",
        "database",
        "schema",
        "current_query",
        "sqlite_version",
        "sqlite_source_id",
        "txid_current",
        "inet_server_addr",
        "inet_client_addr",
        "current_session",
        "current_statement",
        "current_transaction",
        "current_warehouse",
        "current_account",
        "current_region",
        "current_client",
        "current_ip_address",
        "current_available_roles",
        "current_secondary_roles",
        "current_role_type",
        "current_user_id",
        "current_account_name",
        "current_organization_name",
        "current_organization_user",
        # state-changing or denial of service
        "nextval",
        "setval",
        "currval",
        "lastval",
        "sleep",
        "benchmark",
        "sys_exec",
        "sys_eval",
        "xp_cmdshell",
        # running code or SQL held in strings (Spark/Hive reflection, PostgreSQL *_to_xml)
        "reflect",
        "java_method",
        "try_reflect",
        # remote model calls
        "ai_generate",
        "ai_classify",
        "ai_embed",
        "ai_forecast",
        "ai_similarity",
        "predict",
        "ml_forecast",
        "ml_translate",
        "generate_embedding",
        "generate_text",
        "generate_table",
        "generate_bool",
        "generate_int",
        "generate_double",
        "vector_search",
    }
)

DENIED_PREFIXES = (
    "read_",
    "duckdb_",
    "pragma_",
    "pg_",
    "lo_",
    "system$",
    "dblink_",
    "has_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "iceberg_",
    "delta_",
    "ai_",
    "query_to_",
    "table_to_",
    "schema_to_",
    "database_to_",
    "cursor_to_",
)
DENIED_SUFFIXES = ("_scan", "_privilege")


def is_denied(name: str) -> bool:
    return (
        name in DENIED_NAMES or name.startswith(DENIED_PREFIXES) or name.endswith(DENIED_SUFFIXES)
    )


def denied_functions(ctx: RuleContext) -> list[Problem]:
    if not ctx.is_query:
        return []
    problems: list[Problem] = []
    reported: set[str] = set()
    for node in ctx.tree.walk():
        if not isinstance(node, exp.Func) or isinstance(node.parent, (exp.Table, exp.Lateral)):
            continue  # a function in FROM is reported by file_reads
        denied = sorted(n for n in function_names(node) if is_denied(n))
        if denied and denied[0] not in reported:
            reported.add(denied[0])
            problems.append(
                error(
                    "denied-function",
                    f"Function `{denied[0]}` is not allowed: it reads the environment, settings, "
                    "files or system state, or changes state.",
                    "Use only functions over the catalog's columns.",
                    node=node,
                )
            )
    return problems
