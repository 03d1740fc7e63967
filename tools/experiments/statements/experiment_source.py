"""The catalog's experiment source (assignment table, unit, variant and date columns)."""

from __future__ import annotations

from tools.catalog.model import Catalog, ExperimentSource
from tools.errors import ExperimentError


def experiment_source(catalog: Catalog) -> ExperimentSource:
    """The catalog's experiment source, or an `ExperimentError` saying how to add one."""
    if catalog.experiments is None:
        raise ExperimentError(
            "The catalog has no experiment source",
            hint="Add an `experiments:` section to the catalog (assignment "
            "table, unit, variant and date columns, metadata table).",
        )
    return catalog.experiments
