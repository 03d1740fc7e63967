"""The round-2 red-team corpus (`redteam_round2.yaml`) against real warehouses, with a tally.

    python -m tests.sql.redteam          # DuckDB, and PostgreSQL when it can be started here

Each entry goes through `run_validated` — the one path SQL takes to a warehouse — with the
entry's input dialect. Outcomes:
- rejected: the validator (or the input checks) refused it, nothing reached the engine;
- harmless: it validated and ran, and ended within the bounds (a capped result, or a clean
  `QueryError` such as a timeout) without showing anything it must not;
- harmful: it validated although the corpus says it must be rejected, showed a secret, ran past
  the bounds, or changed the warehouse file;
- crash: anything other than a lablens error escaped.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.catalog.model import Catalog
from tools.errors import InputError, LablensError
from tools.warehouse.run import run_validated

CORPUS = Path(__file__).with_name("redteam_round2.yaml")
# What no answer may contain: the planted secret, and where the files are.
SECRET = "hunter2"
SLACK_S = 5.0  # beyond timeout_s: worker restart and process scheduling on a loaded machine


@dataclass(frozen=True)
class Entry:
    name: str
    klass: str
    dialect: str
    expect: str
    sql: str


@dataclass
class Tally:
    outcomes: dict[str, str] = field(default_factory=dict)  # name -> outcome
    details: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())

    def line(self, label: str) -> str:
        c = self.counts()
        return (
            f"{label}: attempts {len(self.outcomes)}, rejected {c['rejected']}, "
            f"validated-and-harmless {c['harmless']}, validated-and-harmful {c['harmful']}, "
            f"crashes {c['crash']}"
        )


def load_entries() -> list[Entry]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return [Entry(d["name"], d["class"], d["dialect"], d["expect"], d["sql"]) for d in data]


def run_entry(
    entry: Entry, catalog: Catalog, warehouse: Any, *, timeout_s: float, markers: list[str]
) -> tuple[str, str]:
    """(outcome, detail) for one entry."""
    start = time.perf_counter()
    try:
        report, result = run_validated(entry.sql, catalog, warehouse, read_dialect=entry.dialect)
    except InputError as exc:
        return "rejected", f"input: {exc.message}"
    except LablensError as exc:
        # Validated and stopped by the engine or its bounds.
        elapsed = time.perf_counter() - start
        if entry.expect == "rejected":
            return "harmful", f"validated, then the engine stopped it: {exc.message}"
        if elapsed > timeout_s * 2 + SLACK_S:
            return "harmful", f"stopped only after {elapsed:.1f} s: {exc.message}"
        return "harmless", f"bounded: {exc.message}"
    except Exception as exc:  # the point of the tally: a crash is counted, not raised
        return "crash", f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - start
    if not report.valid:
        return "rejected", ", ".join(report.codes)
    if entry.expect == "rejected":
        return "harmful", f"validated: {report.sql[:120]}"
    shown = repr(result.rows if result is not None else [])
    leaked = [m for m in markers if m and m in shown]
    if leaked:
        return "harmful", f"result shows {leaked}"
    if elapsed > timeout_s * 2 + SLACK_S:
        return "harmful", f"ran {elapsed:.1f} s"
    rows = result.row_count if result is not None else 0
    return "harmless", f"ran: {rows} row(s), notes {result.notes if result else []}"


def run_duckdb(entries: list[Entry], *, timeout_s: float = 3.0) -> tuple[Tally, bool]:
    """The corpus against a fresh DuckDB warehouse; also whether the file stayed identical."""
    from tests.sql.conftest import CATALOG_YAML, build_warehouse
    from tools.catalog.load import parse_catalog
    from tools.warehouse.connection import WarehouseConfig, open_warehouse

    catalog = parse_catalog(CATALOG_YAML)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="lablens-redteam-") as tmp:
        root = Path(tmp)
        (root / "wh").mkdir()
        path = build_warehouse(root / "wh" / "warehouse.duckdb")
        digest = _sha256(path)
        config = WarehouseConfig(
            path=path,
            timeout_s=timeout_s,
            row_cap=1000,
            memory_limit="512MB",
            temp_dir=root / "state" / "duckdb_tmp",
        )
        markers = [SECRET, str(path), str(root)]
        with open_warehouse(config, root) as warehouse:
            for entry in entries:
                outcome, detail = run_entry(
                    entry, catalog, warehouse, timeout_s=timeout_s, markers=markers
                )
                tally.outcomes[entry.name] = outcome
                tally.details[entry.name] = detail
            still_attached = warehouse.execute("SELECT count(*) FROM users").rows == [[60]]
        unchanged = _sha256(path) == digest and sorted(p.name for p in path.parent.iterdir()) == [
            "warehouse.duckdb"
        ]
    return tally, unchanged and still_attached


POSTGRES_SETUP = [
    "CREATE TABLE users (user_id BIGINT, country TEXT, signup_date DATE)",
    "INSERT INTO users SELECT g, (ARRAY['US','FR','JP'])[g % 3 + 1], DATE '2024-01-01' + g % 30 "
    "FROM generate_series(0, 59) g",
    "CREATE TABLE events (ds DATE, user_id BIGINT, surface TEXT, saves INTEGER, impressions "
    "INTEGER)",
    "INSERT INTO events SELECT DATE '2024-03-01' + d, u, 'home', (u * 7 + d * 3) % 5, 10 "
    "FROM generate_series(0, 59) u, generate_series(0, 9) d",
    "CREATE TABLE secrets_not_in_catalog (password TEXT)",
    "INSERT INTO secrets_not_in_catalog VALUES ('hunter2')",
]


def run_postgres(entries: list[Entry], url: str, *, timeout_s: float = 3.0) -> tuple[Tally, bool]:
    """The corpus against PostgreSQL (the warehouse dialect is postgres); data unchanged?"""
    from tests.sql.conftest import CATALOG_YAML
    from tools.catalog.load import parse_catalog
    from tools.warehouse.connection import WarehouseConfig, open_warehouse

    catalog = parse_catalog(CATALOG_YAML)
    tally = Tally()
    check = "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM events)"
    with tempfile.TemporaryDirectory() as tmp:
        config = WarehouseConfig(url=url, timeout_s=timeout_s, row_cap=1000)
        with open_warehouse(config, Path(tmp)) as warehouse:
            before = warehouse.execute(check).rows
            for entry in entries:
                outcome, detail = run_entry(
                    entry, catalog, warehouse, timeout_s=timeout_s, markers=[SECRET]
                )
                tally.outcomes[entry.name] = outcome
                tally.details[entry.name] = detail
            after = warehouse.execute(check).rows
    return tally, before == after == [[60, 600]]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    from tests.sql.postgres_server import Unavailable, running_postgres

    entries = load_entries()
    verbose = "-v" in argv
    ok = True
    duck, unchanged = run_duckdb(entries)
    print(duck.line("DuckDB") + f"; warehouse file byte-identical: {unchanged}")
    ok &= unchanged and not (duck.counts()["harmful"] or duck.counts()["crash"])
    _print_details(duck, verbose)
    try:
        with running_postgres(POSTGRES_SETUP) as url:
            pg, same = run_postgres(entries, url)
        print(pg.line("PostgreSQL") + f"; data unchanged: {same}")
        ok &= same and not (pg.counts()["harmful"] or pg.counts()["crash"])
        _print_details(pg, verbose)
    except Unavailable as exc:
        print(f"PostgreSQL: skipped ({exc})")
    return 0 if ok else 1


def _print_details(tally: Tally, verbose: bool) -> None:
    for name, outcome in tally.outcomes.items():
        if verbose or outcome in ("harmful", "crash"):
            print(f"  {outcome:9} {name}: {tally.details[name][:160]}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
