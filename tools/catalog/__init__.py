"""The catalog: a semantic layer describing the warehouse for people and for the SQL engine."""

from tools.catalog.model import (
    Catalog,
    Column,
    ExperimentSource,
    JoinKey,
    Metric,
    MetricKind,
    Table,
)

__all__ = ["Catalog", "Column", "ExperimentSource", "JoinKey", "Metric", "MetricKind", "Table"]
