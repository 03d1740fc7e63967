"""The Spider dev set as lablens catalogs: one `Catalog` per database, gold queries per db."""

from __future__ import annotations

import json
from functools import cache

from tests.shared_data import EXTERNAL
from tools.catalog.model import Catalog, Column, Table

SPIDER_DIR = EXTERNAL / "spider"
_TYPES = {"number": "DOUBLE", "text": "VARCHAR", "time": "TIMESTAMP", "boolean": "BOOLEAN"}


def available() -> bool:
    return (SPIDER_DIR / "tables.json").is_file() and (SPIDER_DIR / "dev_gold.sql").is_file()


@cache
def spider_catalogs() -> dict[str, Catalog]:
    data = json.loads((SPIDER_DIR / "tables.json").read_text(encoding="utf-8"))
    catalogs = {}
    for db in data:
        columns: dict[int, list[Column]] = {i: [] for i in range(len(db["table_names_original"]))}
        for (table_index, name), kind in zip(
            db["column_names_original"], db["column_types"], strict=True
        ):
            if table_index >= 0:
                columns[table_index].append(Column(name=name, type=_TYPES.get(kind, "VARCHAR")))
        tables = [
            Table(name=name, columns=columns[i])
            for i, name in enumerate(db["table_names_original"])
        ]
        catalogs[db["db_id"]] = Catalog(name=db["db_id"], dialect="sqlite", tables=tables)
    return catalogs


@cache
def gold_queries() -> list[tuple[int, str, str]]:
    """(line number, SQL, db_id) for each of the dev gold queries."""
    out = []
    lines = (SPIDER_DIR / "dev_gold.sql").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            sql, db_id = line.rsplit("\t", 1)
            out.append((number, sql, db_id.strip()))
    return out
