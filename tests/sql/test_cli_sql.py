"""`lablens validate` and `lablens sql --raw`: exit codes, JSON shapes, stdin, bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli import main
from tests.sql.conftest import file_sha256
from tools.warehouse.connection import DuckDBWarehouse

GOOD = "SELECT country, count(*) AS n FROM users GROUP BY country ORDER BY country"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement that reaches a DuckDB warehouse during the test."""
    calls: list[str] = []
    request = DuckDBWarehouse._request

    def spy(self: DuckDBWarehouse, message: dict):  # type: ignore[no-untyped-def,type-arg]
        if message["op"] in ("execute", "explain"):
            prefix = "EXPLAIN " if message["op"] == "explain" else ""
            calls.append(prefix + message["sql"])
        return request(self, message)

    monkeypatch.setattr(DuckDBWarehouse, "_request", spy)
    return calls


def test_validate_valid_json(shop_root: Path, capsys) -> None:
    code, out, _ = run(capsys, "validate", GOOD, "-w", str(shop_root), "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"valid", "sql", "dialect", "errors", "warnings"}
    assert data["valid"] is True and data["dialect"] == "duckdb"
    assert data["sql"].endswith("LIMIT 1000")


def test_validate_invalid_exits_1_with_problems(shop_root: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "validate", "SELECT contry FROM users", "-w", str(shop_root), "--json"
    )
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert data["errors"][0]["code"] == "unknown-column"
    assert data["errors"][0]["hint"] == "Did you mean `country`?"


def test_validate_input_dialect_and_no_limit(shop_root: Path, capsys) -> None:
    code, out, _ = run(
        capsys,
        "validate",
        "SELECT IFF(user_id > 3, 'a', 'b') AS x FROM users",
        "-w",
        str(shop_root),
        "--dialect",
        "snowflake",
        "--no-limit",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["sql"] == (
        "SELECT CASE WHEN user_id > 3 THEN 'a' ELSE 'b' END AS x FROM users"
    )


def test_validate_with_explain(shop_root: Path, capsys) -> None:
    code, out, _ = run(
        capsys,
        "validate",
        "SELECT country + 1 FROM users",
        "-w",
        str(shop_root),
        "--explain",
        "--json",
    )
    assert code == 1 and json.loads(out)["errors"][0]["code"] == "explain-failed"


def test_validate_reads_stdin(shop_root: Path, capsys, monkeypatch) -> None:
    feed_stdin(monkeypatch, GOOD.encode())
    code, out, _ = run(capsys, "validate", "-", "-w", str(shop_root), "--json")
    assert code == 0 and json.loads(out)["valid"]


def test_validate_human_output(shop_root: Path, capsys) -> None:
    code, out, _ = run(capsys, "validate", "SELECT contry FROM users", "-w", str(shop_root))
    assert code == 1
    assert "unknown-column" in out and "Did you mean `country`?" in out and "invalid" in out


def test_validate_without_workspace_is_a_clear_error(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "validate", GOOD)
    assert code == 2
    assert "No lablens workspace" in err and "catalog" in err


def test_sql_raw_runs_and_returns_rows(shop_root: Path, capsys, engine_calls) -> None:
    code, out, _ = run(capsys, "sql", "--raw", GOOD, "-w", str(shop_root), "--json")
    data = json.loads(out)
    assert code == 0
    assert {
        "sql",
        "valid",
        "errors",
        "columns",
        "rows",
        "row_count",
        "truncated",
        "elapsed_ms",
    } <= set(data)
    assert data["columns"] == ["country", "n"]
    assert data["rows"] == [["FR", 20], ["JP", 20], ["US", 20]]
    assert engine_calls == [f"EXPLAIN {data['sql']}", data["sql"]]


def test_sql_raw_row_cap_from_settings(shop_root: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "sql", "--raw", "SELECT user_id FROM users", "-w", str(shop_root), "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["row_count"] == 60 and not data["truncated"]
    code, out, _ = run(
        capsys,
        "sql",
        "--raw",
        "SELECT user_id FROM events WHERE ds > DATE '2024-01-01'",
        "-w",
        str(shop_root),
        "--json",
    )
    data = json.loads(out)
    assert data["row_count"] == 100 and data["truncated"]  # row_cap = 100 in lablens.toml


def test_sql_raw_invalid_runs_nothing(
    shop_root: Path, shop_warehouse_path: Path, capsys, engine_calls
) -> None:
    before = file_sha256(shop_warehouse_path)
    code, out, _ = run(capsys, "sql", "--raw", "DELETE FROM users", "-w", str(shop_root), "--json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False and data["rows"] == []
    assert data["errors"][0]["code"] == "not-read-only"
    assert engine_calls == []
    assert file_sha256(shop_warehouse_path) == before


def test_sql_raw_writes_csv(shop_root: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.csv"
    code, out, _ = run(capsys, "sql", "--raw", GOOD, "-w", str(shop_root), "--csv", str(target))
    assert code == 0
    with target.open(encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["country", "n"], ["FR", "20"], ["JP", "20"], ["US", "20"]]
    assert "3 row(s)" in out and "FR" in out


BAD_INPUTS = {
    "empty": (b"", "empty"),
    "only-comment-and-semicolons": (b" ;; ", "empty"),
    "non-utf8": (b"SELECT '\xff\xfe' FROM users", "not UTF-8"),
    "one-megabyte": (b"SELECT 1 AS x " + b" " * 1_048_576, "limit is"),
    "deeply-nested": (b"SELECT " + b"(" * 4000 + b"1" + b")" * 4000, "nested too deeply"),
}


@pytest.mark.parametrize("command", ["validate", "sql"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_message_exit_2_nothing_runs(
    shop_root: Path, capsys, monkeypatch, engine_calls, command: str, name: str
) -> None:
    data, message = BAD_INPUTS[name]
    feed_stdin(monkeypatch, data)
    argv = [command, *(["--raw"] if command == "sql" else []), "-", "-w", str(shop_root)]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err and err.count("error:") == 1 and "Traceback" not in err
    assert engine_calls == []


@pytest.mark.parametrize("command", ["validate", "sql"])
def test_unknown_dialect_exit_2(shop_root: Path, capsys, engine_calls, command: str) -> None:
    argv = [
        command,
        *(["--raw"] if command == "sql" else []),
        GOOD,
        "-w",
        str(shop_root),
        "--dialect",
        "postgress",
    ]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "Unknown SQL dialect 'postgress'" in err
    assert engine_calls == []


def test_validate_cold_start_imports_no_heavy_stack(shop_root: Path) -> None:
    probe = (
        "import sys; from agent.cli import main; code = main(['validate', 'SELECT 1', "
        f"'-w', {str(shop_root)!r}, '--json']); "
        "heavy = [m for m in ('torch', 'chromadb', 'langchain_core', 'duckdb', 'pandas', "
        "'sentence_transformers', 'pydantic') if m in sys.modules]; "
        "print(code, heavy, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []"


@pytest.mark.parametrize(
    ("sql", "text"),
    [
        ("SELECT INTERVAL '1000000000 days' AS v", "1000000000 days"),
        ("SELECT INTERVAL '100000000 years' AS v", "100000000 years"),
        ("SELECT to_days(1000000000) AS v", "1000000000 days"),
    ],
)
def test_values_python_cannot_hold_are_text_not_a_crash(
    shop_root: Path, capsys, sql: str, text: str
) -> None:
    code, out, _ = run(capsys, "sql", "--raw", sql, "-w", str(shop_root), "--json")
    data = json.loads(out)
    assert code == 0
    assert data["rows"] == [[text]] and any("as text" in n for n in data["notes"])


def test_exit_codes_keep_rejected_apart_from_crashed(
    shop_root: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.exit_codes import EXIT_INTERNAL, EXIT_REJECTED, EXIT_USER_ERROR

    bad = "SELECT * FROM secrets_not_in_catalog"
    assert run(capsys, "validate", bad, "-w", str(shop_root), "--json")[0] == EXIT_REJECTED
    assert run(capsys, "sql", "--raw", bad, "-w", str(shop_root), "--json")[0] == EXIT_REJECTED
    assert run(capsys, "validate", "", "-w", str(shop_root))[0] == EXIT_USER_ERROR

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("tools.sql.validate.validate_sql", crash)
    code, _, err = run(capsys, "validate", GOOD, "-w", str(shop_root))
    assert code == EXIT_INTERNAL and "bug" in err.lower()
