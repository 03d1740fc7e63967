"""The foundation commands as a user runs them: demo, init, catalog show, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from agent.cli import main

CONTRACT_TABLES = {
    "users",
    "pins",
    "engagement_daily",
    "pin_engagement_daily",
    "user_features_daily",
    "experiments",
    "experiment_assignments",
}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_catalog_show_json_lists_contract_tables(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "catalog", "show", "--json", "--workspace", str(small_demo_workspace)
    )
    assert code == 0
    data = json.loads(out)
    assert {t["name"] for t in data["tables"]} == CONTRACT_TABLES
    users = next(t for t in data["tables"] if t["name"] == "users")
    assert [c["name"] for c in users["columns"]] == [
        "user_id",
        "signup_date",
        "country",
        "platform",
        "age_bucket",
        "is_creator",
    ]
    assert "saves_per_user" in {m["name"] for m in data["metrics"]}


def test_catalog_show_one_table(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "catalog", "show", "pins", "-w", str(small_demo_workspace))
    assert code == 0
    assert "quality_score" in out and "home_decor" in out


def test_unknown_table_suggests_close_names(
    small_demo_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "catalog", "show", "pinz", "-w", str(small_demo_workspace))
    assert code == 2
    assert "Did you mean `pins`?" in err  # the shared tools.did_you_mean format


def test_missing_workspace_exits_2_with_one_clean_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "catalog", "show")
    assert code == 2
    assert "No lablens workspace found" in err
    assert "Traceback" not in err and out == ""


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    from tools.errors import WorkspaceError

    with pytest.raises(WorkspaceError):
        main(["--debug", "catalog", "show"])


def test_malformed_catalog_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lablens.toml").write_text("")
    (tmp_path / "catalog.yaml").write_text("tables:\n  - name: t\n    colums: []\n")
    code, _, err = run_cli(capsys, "catalog", "show", "-w", str(tmp_path))
    assert code == 2
    assert "line 3" in err and "colums" in err


def test_unknown_config_key_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lablens.toml").write_text("[llm]\nmodle = 'x'\n")
    code, _, err = run_cli(capsys, "catalog", "show", "-w", str(tmp_path))
    assert code == 2
    assert "llm.modle" in err


def make_shop(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE orders (order_id BIGINT, status VARCHAR, order_date DATE); "
        "INSERT INTO orders SELECT i, ['a','b'][1 + i % 2], DATE '2026-01-01' "
        "FROM range(10) t(i)"
    ).fetchall()
    con.close()


def test_init_writes_a_workspace_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop(tmp_path / "shop.duckdb")
    ws = tmp_path / "ws"
    code, out, _ = run_cli(
        capsys, "init", "--warehouse", str(tmp_path / "shop.duckdb"), "-w", str(ws), "--json"
    )
    assert code == 0 and json.loads(out)["tables"] == ["orders"]
    code, out, _ = run_cli(capsys, "catalog", "show", "--json", "-w", str(ws))
    assert code == 0 and json.loads(out)["tables"][0]["name"] == "orders"


def test_init_refuses_to_overwrite_and_writes_nothing_on_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    code, _, err = run_cli(
        capsys, "init", "--warehouse", str(tmp_path / "nope.duckdb"), "-w", str(ws)
    )
    assert code == 2 and "not found" in err
    assert not ws.exists()
    make_shop(tmp_path / "shop.duckdb")
    assert (
        run_cli(capsys, "init", "--warehouse", str(tmp_path / "shop.duckdb"), "-w", str(ws))[0] == 0
    )
    code, _, err = run_cli(
        capsys, "init", "--warehouse", str(tmp_path / "shop.duckdb"), "-w", str(ws)
    )
    assert code == 2 and "--force" in err


def test_init_without_a_warehouse_flag_describes_the_configured_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop(tmp_path / "shop.duckdb")
    ws = tmp_path / "ws"
    assert (
        run_cli(capsys, "init", "--warehouse", str(tmp_path / "shop.duckdb"), "-w", str(ws))[0] == 0
    )
    config = (ws / "lablens.toml").read_text()
    (ws / "catalog.yaml").unlink()
    code, out, _ = run_cli(capsys, "init", "-w", str(ws), "--json")
    assert code == 0 and json.loads(out)["tables"] == ["orders"]
    assert (ws / "lablens.toml").read_text() == config  # the configuration is left as it was


def test_init_with_no_warehouse_anywhere_says_how_to_name_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "init", "-w", str(tmp_path / "ws"))
    assert code == 2 and "--warehouse" in err and "--url" in err
    assert not (tmp_path / "ws").exists()


def test_init_with_a_file_path_as_url_names_the_flag_for_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "init", "-w", str(tmp_path / "ws"), "--url", "pins.duckdb")
    assert code == 2 and "--warehouse FILE" in err and "no scheme" in err
    assert not (tmp_path / "ws").exists()


def test_init_on_an_empty_warehouse_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    code, _, err = run_cli(
        capsys, "init", "--warehouse", str(tmp_path / "empty.duckdb"), "-w", str(tmp_path / "ws")
    )
    assert code == 2 and "no tables" in err
    assert not (tmp_path / "ws").exists()


def test_init_past_its_deadline_says_how_to_allow_more_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(tmp_path / "big.duckdb"))
    con.execute(
        "CREATE TABLE big AS SELECT i AS big_id, CAST(i AS VARCHAR) AS s FROM range(5000000) t(i)"
    ).fetchall()
    con.close()
    code, _, err = run_cli(
        capsys,
        "init",
        "--warehouse",
        str(tmp_path / "big.duckdb"),
        "-w",
        str(tmp_path / "ws"),
        "--timeout",
        "0.01",
    )
    # Listing the tables or profiling them ran out of time, depending on the machine.
    assert code == 2 and "--timeout" in err and "Cannot" in err
    assert not (tmp_path / "ws").exists()


def test_demo_command_builds_a_small_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys,
        "demo",
        "-w",
        str(tmp_path / "d"),
        "--scale",
        "0.01",
        "--seed",
        "2",
        "--no-index",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data["tables"]) == CONTRACT_TABLES
    assert (tmp_path / "d" / "lablens.toml").is_file()
    assert len(list((tmp_path / "d" / "docs").glob("*.md"))) >= 1


def test_demo_rejects_a_bad_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "demo", "-w", str(tmp_path / "d"), "--scale", "-1")
    assert code == 2 and "--scale" in err


def test_console_script_help_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "demo" in done.stdout and "catalog" in done.stdout


def test_tour_lists_runnable_commands_of_existing_modules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "tour", "--json", "-w", "ws")
    assert code == 0
    commands = [step["command"] for step in json.loads(out)]
    assert any(" experiment summarize " in c for c in commands)
    assert all(c.endswith("--workspace ws") for c in commands)


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("postgresql://bob:s3cret@db:5432/shop", "postgresql://bob@db:5432/shop"),
        (
            "postgresql://db/shop?sslmode=require&password=s3cret",
            "postgresql://db/shop?sslmode=require",
        ),
        ("sc://spark:15002/;token=s3cret;user_id=bob", "sc://spark:15002/;user_id=bob"),
        ("sqlite:///data/shop.db", "sqlite:///data/shop.db"),
    ],
)
def test_the_url_written_to_lablens_toml_has_no_secret(url: str, written: str) -> None:
    from agent.commands.init import without_password

    assert without_password(url) == written
