"""Settings: file, then environment, then flags; unknown keys are errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_settings, render_config
from agent.workspace import Workspace, find_workspace_root
from tools.errors import ConfigError, WorkspaceError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    s = load_settings(None, environ={})
    assert s.warehouse.dialect == "duckdb"
    assert s.llm.configured is False


def test_file_values_are_read(tmp_path: Path) -> None:
    cfg = write(tmp_path / "lablens.toml", '[warehouse]\npath = "w.duckdb"\nrow_cap = 7\n')
    s = load_settings(cfg, environ={})
    assert s.warehouse.path == "w.duckdb"
    assert s.warehouse.row_cap == 7


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "lablens.toml", "[warehouse]\nrow_kap = 7\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, environ={})
    assert "warehouse.row_kap" in err.value.message
    assert str(cfg) in err.value.message


def test_unknown_section_is_an_error(tmp_path: Path) -> None:
    cfg = write(tmp_path / "lablens.toml", "[warehose]\npath = 'x'\n")
    with pytest.raises(ConfigError, match="warehose"):
        load_settings(cfg, environ={})


def test_malformed_toml_is_a_clear_error(tmp_path: Path) -> None:
    cfg = write(tmp_path / "lablens.toml", "[warehouse\npath = \n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_settings(cfg, environ={})


def test_environment_overrides_file_and_flags_override_environment(tmp_path: Path) -> None:
    cfg = write(tmp_path / "lablens.toml", "[warehouse]\nrow_cap = 7\n[llm]\nmodel = 'a'\n")
    env = {
        "LABLENS_WAREHOUSE_ROW_CAP": "9",
        "LABLENS_LLM_MODEL": "b",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    }
    s = load_settings(cfg, environ=env)
    assert (s.warehouse.row_cap, s.llm.model, s.llm.base_url) == (9, "b", "http://127.0.0.1:9/v1")
    assert s.llm.configured
    s = load_settings(cfg, environ=env, overrides={"warehouse": {"row_cap": 11}})
    assert s.warehouse.row_cap == 11


def test_a_bad_value_names_where_it_came_from(tmp_path: Path) -> None:
    cfg = write(tmp_path / "lablens.toml", "[warehouse]\nrow_cap = 'lots'\n")
    with pytest.raises(ConfigError, match=r"lablens.toml: `warehouse.row_cap`: Expected `int`"):
        load_settings(cfg, environ={})
    env = {"LABLENS_WAREHOUSE_TIMEOUT_S": "soon"}
    with pytest.raises(ConfigError, match=r"environment variable LABLENS_WAREHOUSE_TIMEOUT_S: `"):
        load_settings(None, environ=env)
    with pytest.raises(ConfigError, match=r"a command-line option: `warehouse\.row_cap`"):
        load_settings(None, environ={}, overrides={"warehouse": {"row_cap": "x"}})


def test_api_key_is_secret_and_never_rendered() -> None:
    s = load_settings(None, environ={"OPENAI_API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(s)
    assert "sk-very-secret" not in render_config(s)
    assert s.llm.api_key is not None and s.llm.api_key.get_secret_value() == "sk-very-secret"


def test_rendered_config_loads_back(tmp_path: Path) -> None:
    s = load_settings(None, environ={})
    cfg = write(tmp_path / "lablens.toml", render_config(s))
    assert load_settings(cfg, environ={}) == s


def test_workspace_found_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path / "lablens.toml", "")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_workspace_root(cwd=sub, environ={}) == tmp_path.resolve()


def test_workspace_from_environment_wins_over_cwd(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    write(tmp_path / "one" / "lablens.toml", "")
    write(tmp_path / "two" / "lablens.toml", "")
    found = find_workspace_root(
        cwd=tmp_path / "one", environ={"LABLENS_WORKSPACE": str(tmp_path / "two")}
    )
    assert found == (tmp_path / "two").resolve()


def test_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="No lablens workspace") as err:
        find_workspace_root(cwd=tmp_path, environ={})
    assert err.value.hint and "lablens demo" in err.value.hint


def test_explicit_folder_without_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a lablens workspace"):
        find_workspace_root(tmp_path, environ={})


def test_workspace_paths(tmp_path: Path) -> None:
    write(tmp_path / "lablens.toml", '[docs]\npaths = ["d1", "d2"]\n')
    ws = Workspace.open(tmp_path)
    assert ws.warehouse_path == (tmp_path / "warehouse.duckdb").resolve()
    assert [p.name for p in ws.doc_paths] == ["d1", "d2"]
    assert ws.state_dir.is_dir() and ws.state_dir.name == ".lablens"
