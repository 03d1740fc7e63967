"""Settings from `lablens.toml`, then the environment, then flags — validated strictly.

An unknown key is an error naming the key and the file, so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import msgspec

from tools.errors import ConfigError
from tools.strict_records import StrictRecord, convert, first_problem

CONFIG_FILE = "lablens.toml"


class Secret:
    """A string that never shows itself: repr, str and logs see stars; code asks explicitly."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _as_secret(value: Secret | str | None) -> Secret | None:
    # Code and tests may pass a plain string; it is wrapped at once so it never prints.
    return Secret(value) if isinstance(value, str) else value


class _Section(StrictRecord, kw_only=True):
    pass


class WarehouseSettings(_Section, kw_only=True):
    path: str | None = "warehouse.duckdb"  # DuckDB file, relative to the workspace
    url: str | None = None  # SQLAlchemy URL; wins over `path` when set
    dialect: str = "duckdb"
    timeout_s: float = 30.0
    row_cap: int = 10_000
    memory_limit: str = "2GB"
    default_limit: int = 1000  # LIMIT the validator adds where a query has none


class DocsSettings(_Section, kw_only=True):
    paths: list[str] = msgspec.field(default_factory=lambda: ["docs"])
    chroma_url: str | None = None  # http://host:port of a `chroma run` server; embedded if unset
    max_file_mb: float = 5.0


class EmbeddingSettings(_Section, kw_only=True):
    provider: Literal["bundled", "sentence-transformers", "openai"] = "bundled"
    # How the bundled model runs (see README, "Embedding runtimes"); other providers ignore it.
    runtime: Literal["onnx-int8", "onnx-fp32", "torch"] = "torch"
    model: str | None = None  # model name or path (sentence-transformers) / name (openai)
    base_url: str | None = None
    api_key: Secret | None = None

    def __post_init__(self) -> None:
        self.api_key = _as_secret(self.api_key)


class LLMSettings(_Section, kw_only=True):
    enabled: Literal["auto", "on", "off"] = "auto"  # auto: on when a base_url or key is set
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: Secret | None = None
    temperature: float = 0.0
    timeout_s: float = 60.0
    max_retries: int = 3
    max_repairs: int = 3

    def __post_init__(self) -> None:
        self.api_key = _as_secret(self.api_key)

    @property
    def configured(self) -> bool:
        if self.enabled == "off":
            return False
        if self.enabled == "on":
            return True
        return bool(self.base_url or self.api_key)


class Settings(_Section, kw_only=True):
    catalog: str = "catalog.yaml"
    warehouse: WarehouseSettings = msgspec.field(default_factory=WarehouseSettings)
    docs: DocsSettings = msgspec.field(default_factory=DocsSettings)
    embeddings: EmbeddingSettings = msgspec.field(default_factory=EmbeddingSettings)
    llm: LLMSettings = msgspec.field(default_factory=LLMSettings)


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
    # Where each value that did not come from the file came from, so an error points there.
    origins = {key: f"environment variable {var}" for key, var in _apply_env(data, env).items()}
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
        origins.update({(section, key): "a command-line option" for key in values})
    try:
        return convert(data, Settings, dec_hook=_decode_secret)
    except msgspec.ValidationError as exc:
        problem = first_problem(exc)
        section_key = tuple(str(part) for part in problem.loc[:2])
        origin = origins.get((section_key[0], section_key[-1])) if len(section_key) == 2 else None
        where = origin or (str(path) if path is not None else "settings")
        if problem.unknown_key:
            raise ConfigError(
                f"{where}: unknown key `{problem.dotted}`",
                hint="See README, 'Configuration', for the keys lablens knows.",
            ) from None
        raise ConfigError(f"{where}: `{problem.dotted}`: {problem.message}") from None


def _decode_secret(kind: type, value: object) -> object:
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    raise NotImplementedError(f"no decoder for {kind}")


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


def _apply_env(
    data: dict[str, Any], env: os._Environ[str] | dict[str, str]
) -> dict[tuple[str, str], str]:
    """Merge the environment into `data`; returns which variable set each (section, key)."""
    applied: dict[tuple[str, str], str] = {}
    for var, (name, key) in _ENV_SHORTCUTS.items():
        if env.get(var):
            data.setdefault(name, {})[key] = env[var]
            applied[(name, key)] = var
    for section in msgspec.structs.fields(Settings):
        if not isinstance(section.default_factory, type):
            continue  # a plain value (`catalog`), not a [section]
        for field in msgspec.structs.fields(section.default_factory):
            var = f"LABLENS_{section.name}_{field.name}".upper()
            if env.get(var):
                data.setdefault(section.name, {})[field.name] = _coerce(env[var])
                applied[(section.name, field.name)] = var
    return applied


def _coerce(value: str) -> str | list[str]:
    # Lists arrive comma-separated; numbers and booleans are coerced from strings on convert.
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
