"""Settings from `lablens.toml`, then the environment, then flags — validated strictly.

An unknown key is an error naming the key and the file, so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from tools.errors import ConfigError

CONFIG_FILE = "lablens.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WarehouseSettings(_Section):
    path: str | None = "warehouse.duckdb"  # DuckDB file, relative to the workspace
    url: str | None = None  # SQLAlchemy URL; wins over `path` when set
    dialect: str = "duckdb"
    timeout_s: float = 30.0
    row_cap: int = 10_000
    memory_limit: str = "2GB"
    default_limit: int = 1000  # LIMIT the validator adds where a query has none


class DocsSettings(_Section):
    paths: list[str] = Field(default_factory=lambda: ["docs"])
    chroma_url: str | None = None  # http://host:port of a `chroma run` server; embedded if unset
    max_file_mb: float = 5.0


class EmbeddingSettings(_Section):
    provider: Literal["bundled", "sentence-transformers", "openai"] = "bundled"
    model: str | None = None  # model name or path (sentence-transformers) / name (openai)
    base_url: str | None = None
    api_key: SecretStr | None = None


class LLMSettings(_Section):
    enabled: Literal["auto", "on", "off"] = "auto"  # auto: on when a base_url or key is set
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = 0.0
    timeout_s: float = 60.0
    max_retries: int = 3
    max_repairs: int = 3

    @property
    def configured(self) -> bool:
        if self.enabled == "off":
            return False
        if self.enabled == "on":
            return True
        return bool(self.base_url or self.api_key)


class Settings(_Section):
    catalog: str = "catalog.yaml"
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    docs: DocsSettings = Field(default_factory=DocsSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)


# Environment variables understood besides the generic LABLENS_<SECTION>_<KEY> form.
_ENV_SHORTCUTS = {
    "OPENAI_API_KEY": ("llm", "api_key"),
    "OPENAI_BASE_URL": ("llm", "base_url"),
    "LABLENS_LLM_MODEL": ("llm", "model"),
    "LABLENS_WAREHOUSE_URL": ("warehouse", "url"),
}


def load_settings(
    path: Path | None,
    *,
    environ: dict[str, str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Settings:
    """File, then environment, then explicit overrides (from flags); validated once at the end."""
    data: dict[str, Any] = read_config_file(path) if path is not None else {}
    env = os.environ if environ is None else environ
    _apply_env(data, env)
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        where = str(path) if path is not None else "settings"
        if err["type"] == "extra_forbidden":
            raise ConfigError(
                f"{where}: unknown key `{key}`",
                hint="See README, 'Configuration', for the keys lablens knows.",
            ) from None
        raise ConfigError(f"{where}: `{key}`: {err['msg']}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"Configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None


def _apply_env(data: dict[str, Any], env: os._Environ[str] | dict[str, str]) -> None:
    for var, (section, key) in _ENV_SHORTCUTS.items():
        if env.get(var):
            data.setdefault(section, {})[key] = env[var]
    sections = {
        name: model
        for name, model in Settings.model_fields.items()
        if isinstance(model.default_factory, type)
    }
    for name, field in sections.items():
        model = field.default_factory
        for key in model.model_fields:  # type: ignore[union-attr]
            value = env.get(f"LABLENS_{name}_{key}".upper())
            if value:
                data.setdefault(name, {})[key] = _coerce(value)


def _coerce(value: str) -> Any:
    # Lists arrive comma-separated; pydantic coerces numbers and booleans from strings itself.
    return [v.strip() for v in value.split(",")] if "," in value else value


def render_config(settings: Settings) -> str:
    """The TOML text `lablens init` and `lablens demo` write; secrets are never written."""
    w = settings.warehouse
    lines = [
        "# lablens workspace configuration — see README, 'Configuration'.",
        f'catalog = "{settings.catalog}"',
        "",
        "[warehouse]",
        f'path = "{w.path}"' if w.url is None else f'url = "{w.url}"',
        f'dialect = "{w.dialect}"',
        f"timeout_s = {w.timeout_s}",
        f"row_cap = {w.row_cap}",
        "",
        "[docs]",
        "paths = [" + ", ".join(f'"{p}"' for p in settings.docs.paths) + "]",
        "",
        "[embeddings]",
        f'provider = "{settings.embeddings.provider}"',
        "",
        "[llm]",
        '# enabled = "auto" uses a model when OPENAI_BASE_URL or OPENAI_API_KEY is set.',
        f'enabled = "{settings.llm.enabled}"',
        f'model = "{settings.llm.model}"',
        "",
    ]
    return "\n".join(lines)
