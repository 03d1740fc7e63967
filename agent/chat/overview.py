"""What the side panel lists, as plain data read from the workspace (catalog + experiments)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class TableInfo:
    name: str
    description: str
    columns: tuple[ColumnInfo, ...]


@dataclass(frozen=True)
class MetricInfo:
    name: str
    description: str


@dataclass
class ExperimentInfo:
    experiment_id: str
    status: str
    verdict: str | None = None


@dataclass
class Overview:
    tables: list[TableInfo] = field(default_factory=list)
    metrics: list[MetricInfo] = field(default_factory=list)
    experiments: list[ExperimentInfo] = field(default_factory=list)
