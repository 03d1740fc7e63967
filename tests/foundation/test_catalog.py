"""The catalog file: strict model, readable errors with the line, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.demo.build import PACKAGE_DIR
from tools.catalog.load import dump_catalog, load_catalog, parse_catalog
from tools.catalog.model import MetricKind
from tools.errors import CatalogError

MINIMAL = """\
tables:
  - name: orders
    columns:
      - {name: order_id, type: BIGINT}
      - {name: amount, type: DOUBLE}
"""


def test_minimal_catalog_loads() -> None:
    cat = parse_catalog(MINIMAL)
    assert cat.table("ORDERS") is not None
    assert cat.schema_mapping() == {"orders": {"order_id": "BIGINT", "amount": "DOUBLE"}}


def test_demo_catalog_describes_every_table_and_column() -> None:
    cat = load_catalog(PACKAGE_DIR / "catalog.yaml")
    assert len(cat.tables) == 7
    for table in cat.tables:
        assert table.description, table.name
        for col in table.columns:
            assert col.description, f"{table.name}.{col.name}"


def test_demo_catalog_has_the_required_metrics_and_experiment_source() -> None:
    cat = load_catalog(PACKAGE_DIR / "catalog.yaml")
    required = {
        "saves_per_user",
        "save_rate",
        "ctr",
        "hide_rate",
        "closeup_rate",
        "time_spent_per_user",
        "active_days_per_user",
    }
    assert required <= {m.name for m in cat.metrics}
    assert cat.metric("save_rate").kind is MetricKind.RATIO  # type: ignore[union-attr]
    assert cat.metric("hide_rate").higher_is_better is False  # type: ignore[union-attr]
    assert cat.experiments is not None
    assert cat.experiments.assignment_table == "experiment_assignments"


def test_unknown_key_is_reported_with_its_line() -> None:
    text = MINIMAL + "    colour: blue\n"
    with pytest.raises(CatalogError) as err:
        parse_catalog(text, source="cat.yaml")
    assert "line 6" in err.value.message
    assert "colour" in err.value.message


def test_missing_field_names_the_field() -> None:
    text = "tables:\n  - name: t\n"
    with pytest.raises(CatalogError, match=r"tables\.0\.columns"):
        parse_catalog(text)


def test_malformed_yaml_gives_line_and_column() -> None:
    with pytest.raises(CatalogError, match=r"line 3, column 20"):
        parse_catalog("tables:\n  - name: t\n    columns: [a, b]]\n")


def test_ratio_metric_needs_a_denominator() -> None:
    text = MINIMAL + (
        "metrics:\n  - {name: m, kind: ratio, table: orders, unit: order_id,"
        " numerator: SUM(amount)}\n"
    )
    with pytest.raises(CatalogError, match="denominator"):
        parse_catalog(text)


def test_metric_on_unknown_table_is_refused() -> None:
    text = MINIMAL + (
        "metrics:\n  - {name: m, kind: mean, table: nope, unit: order_id, numerator: SUM(amount)}\n"
    )
    with pytest.raises(CatalogError, match="unknown table 'nope'"):
        parse_catalog(text)


def test_partition_column_must_exist() -> None:
    text = MINIMAL.replace("    columns:", "    partition_column: dt\n    columns:")
    with pytest.raises(CatalogError, match="partition_column 'dt'"):
        parse_catalog(text)


def test_missing_file_hints_at_init(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path / "nope.yaml")
    assert err.value.hint and "lablens init" in err.value.hint


def test_dump_round_trips_the_demo_catalog() -> None:
    cat = load_catalog(PACKAGE_DIR / "catalog.yaml")
    assert parse_catalog(dump_catalog(cat)) == cat
