"""Health checks before any verdict: pure rules over counts the statistics statement returns.

Each check gives `ok`, `warn` or `fail` with a detail that carries its numbers; a `fail`
makes the verdict `invalid` (see `verdict`). Thresholds, and why:

- multiple exposure: units assigned to more than one arm are excluded; above 1 % of units
  the assignment itself is broken (`fail`), any at all is a `warn`;
- variants: units with no variant are excluded (`warn`, `fail` above 5 %); units in an arm
  the traffic split does not configure mean a broken assignment or split (`fail`);
- missing values: NULL rows of a column a metric reads, per arm; `fail` when the rates
  differ between arms (chi-square p < 0.001: NULLs then bias one arm), `warn` when balanced;
- unit table: assigned units the unit table lacks, `fail` when their share differs between
  arms (p < 0.001), `warn` otherwise;
- pre-period balance: CUPED covariate means compared between arms (Welch p < 0.001: `warn`;
  randomisation makes a real imbalance rare, so it points at assignment or logging);
- concentration: the share of the primary's effect carried by the top 0.1 % (and 1 %) of
  units per arm; above half, the effect is a few units' doing (`warn`, blocks a ship);
- the rest (assignment outside the window, duplicate metadata, data window, split sum) are
  counts and dates, described with their numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tools.experiments.formatting import format_number
from tools.experiments.stats.distributions import chi2_sf

STATUSES = ("ok", "warn", "fail")
MULTIPLE_EXPOSURE_FAIL = 0.01
NO_VARIANT_FAIL = 0.05
IMBALANCE_P = 0.001
CONCENTRATION_SHARE = 0.5


@dataclass(frozen=True)
class HealthCheck:
    check: str
    status: str  # "ok" | "warn" | "fail"
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "detail": self.detail}


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def rate_imbalance_p(events: Mapping[str, float], totals: Mapping[str, float]) -> float:
    """Chi-square p of "the event rate is the same in every arm" (k × 2 table)."""
    arms = [a for a in totals if totals[a] > 0]
    n = sum(totals[a] for a in arms)
    e = sum(events.get(a, 0) for a in arms)
    if len(arms) < 2 or e <= 0 or e >= n:
        return 1.0
    chi2 = 0.0
    for a in arms:
        for observed, share in (
            (events.get(a, 0), e / n),
            (totals[a] - events.get(a, 0), 1 - e / n),
        ):
            expected = totals[a] * share
            chi2 += (observed - expected) ** 2 / expected if expected > 0 else 0.0
    return chi2_sf(chi2, len(arms) - 1)


def multiple_exposure(several: int, analysed: int) -> HealthCheck:
    total = several + analysed
    if several == 0:
        return HealthCheck("multiple_exposure", "ok", "every unit is in exactly one arm")
    status = "fail" if total and several / total > MULTIPLE_EXPOSURE_FAIL else "warn"
    return HealthCheck(
        "multiple_exposure",
        status,
        f"{several} units ({_share(several, total)}) are assigned to more than one arm; they "
        f"are excluded from the analysis (the limit for a valid experiment is "
        f"{MULTIPLE_EXPOSURE_FAIL:.0%})",
    )


def variants(
    no_variant: int, counts: Mapping[str, int], configured: Sequence[str] | None
) -> HealthCheck:
    total = no_variant + sum(counts.values())
    unknown = {a: n for a, n in counts.items() if configured is not None and a not in configured}
    parts, status = [], "ok"
    if unknown:
        status = "fail"
        listed = ", ".join(f"{a!r} ({n} units)" for a, n in unknown.items())
        parts.append(
            f"units in arms the traffic split does not configure: {listed} "
            f"(configured: {', '.join(configured or [])})"
        )
    if no_variant:
        if status != "fail":
            status = "fail" if no_variant / total > NO_VARIANT_FAIL else "warn"
        parts.append(f"{no_variant} units ({_share(no_variant, total)}) have no variant; excluded")
    return HealthCheck(
        "variants", status, "; ".join(parts) or "every unit has a configured variant"
    )


def assignment_window(
    before: int, after: int, analysed: int, start: date, end: date
) -> HealthCheck:
    parts = []
    if before:
        parts.append(
            f"{before} units ({_share(before, analysed)}) were assigned before the start "
            f"({start}): they are analysed from the start, and their CUPED pre-period ends "
            "before their assignment"
        )
    if after:
        parts.append(f"{after} units were assigned after the end ({end}); excluded")
    if not parts:
        return HealthCheck("assignment_window", "ok", f"all assignments within {start}–{end}")
    return HealthCheck("assignment_window", "warn", "; ".join(parts))


def unit_table(
    table: str | None, missing: Mapping[str, int], counts: Mapping[str, int]
) -> HealthCheck:
    if table is None:
        return HealthCheck("unit_table", "ok", "no unit table in the catalog: not checked")
    total = sum(missing.values())
    if total == 0:
        return HealthCheck("unit_table", "ok", f"every assigned unit is in {table}")
    per_arm = ", ".join(f"{a} {missing.get(a, 0)}" for a in counts)
    p = rate_imbalance_p(missing, counts)
    status = "fail" if p < IMBALANCE_P else "warn"
    return HealthCheck(
        "unit_table",
        status,
        f"{total} assigned units ({_share(total, sum(counts.values()))}) are not in {table} "
        f"({per_arm}); they count with no activity"
        + (f"; uneven between arms (chi-square p={p:.1e})" if status == "fail" else ""),
    )


def missing_values(nulls: Mapping[str, Mapping[str, int]], rows: Mapping[str, int]) -> HealthCheck:
    """`nulls[column][arm]`: NULL rows of each column a metric reads; `rows[arm]`: rows."""
    worst: HealthCheck | None = None
    notes = []
    for column, by_arm in nulls.items():
        if sum(by_arm.values()) == 0:
            continue
        rates = ", ".join(f"{a} {_share(by_arm.get(a, 0), rows.get(a, 0))}" for a in rows)
        p = rate_imbalance_p(by_arm, rows)
        if p < IMBALANCE_P:
            notes.append(
                f"{column}: NULL in {rates} of rows — uneven between arms (chi-square "
                f"p={p:.1e}); metrics reading it are biased"
            )
            worst = HealthCheck("missing_values", "fail", "")
        else:
            notes.append(f"{column}: NULL in {rates} of rows (balanced between arms)")
            if worst is None:
                worst = HealthCheck("missing_values", "warn", "")
    if worst is None:
        return HealthCheck("missing_values", "ok", "no NULL values in the metric columns")
    return HealthCheck("missing_values", worst.status, "; ".join(notes))


def pre_period_balance(imbalanced: Sequence[tuple[str, str, float]], checked: int) -> HealthCheck:
    """`imbalanced`: (metric, arm, p) whose pre-period means differ between arms."""
    if checked == 0:
        return HealthCheck("pre_period_balance", "ok", "no CUPED pre-period: not checked")
    if not imbalanced:
        return HealthCheck(
            "pre_period_balance", "ok", f"pre-period means balanced ({checked} comparisons)"
        )
    listed = "; ".join(f"{m} in {a} (p={p:.1e})" for m, a, p in imbalanced)
    return HealthCheck(
        "pre_period_balance",
        "warn",
        f"pre-period means differ between arms before any treatment: {listed}; "
        "check the assignment",
    )


def concentration(metric: str, shares: Mapping[str, Mapping[float, float]]) -> HealthCheck:
    """`shares[arm][top share]`: the fraction of the effect the arms' top units carry."""
    flagged = [
        (arm, top, s)
        for arm, by_top in shares.items()
        for top, s in by_top.items()
        if s > CONCENTRATION_SHARE
    ]
    if not shares:
        return HealthCheck("concentration", "ok", f"{metric}: no effect to attribute")
    if not flagged:
        return HealthCheck(
            "concentration",
            "ok",
            f"{metric}: the top 0.1% and 1% of units carry less than half of the effect",
        )
    listed = ", ".join(f"{arm}: top {top:.1%} of units carry {s:.0%}" for arm, top, s in flagged)
    return HealthCheck(
        "concentration",
        "warn",
        f"{metric}: the effect is carried by a few units ({listed}); bots or outliers?",
    )


def effect_share(
    mean_c: float,
    mean_t: float,
    n_c: int,
    n_t: int,
    top_c: tuple[float, int],
    top_t: tuple[float, int],
) -> float:
    """Share of (mean_t − mean_c) that disappears when each arm drops its top units."""
    diff = mean_t - mean_c
    (sum_c, k_c), (sum_t, k_t) = top_c, top_t
    if diff == 0 or n_c - k_c <= 0 or n_t - k_t <= 0:
        return 0.0
    trimmed = (mean_t * n_t - sum_t) / (n_t - k_t) - (mean_c * n_c - sum_c) / (n_c - k_c)
    share = 1 - trimmed / diff
    return min(max(share, 0.0), 1.0) if math.isfinite(share) else 0.0


def duplicate_metadata(rows: int, identical: bool, table: str) -> HealthCheck:
    if rows <= 1:
        return HealthCheck("duplicate_metadata", "ok", f"one row in {table}")
    if identical:
        return HealthCheck(
            "duplicate_metadata", "warn", f"{rows} rows in {table}, identical: one is used"
        )
    return HealthCheck(
        "duplicate_metadata",
        "fail",
        f"{rows} rows in {table} disagree (dates, metrics or split); which one is right "
        "is unknown: the first is shown",
    )


def traffic_split(weights: Mapping[str, float] | None, text: str | None) -> HealthCheck:
    if weights is None:
        return HealthCheck("traffic_split", "warn", "no traffic split configured: SRM not checked")
    total = sum(weights.values())
    if abs(total - 100) <= 0.5 or abs(total - 1) <= 0.005:
        return HealthCheck("traffic_split", "ok", f"{text} sums to {total:g}")
    return HealthCheck(
        "traffic_split",
        "fail",
        f"{text} sums to {total:g}, not 100 (or 1): the configured shares are unknown",
    )


def data_window(
    last_day: date | None,
    first_pre_day: date | None,
    start: date,
    end: date,
    pre_start: date | None,
) -> HealthCheck:
    parts = []
    if last_day is not None and last_day < end:
        days = (end - start).days + 1
        seen = (last_day - start).days + 1
        parts.append(
            f"the data ends on {last_day}, before the experiment's end ({end}): "
            f"{seen} of {days} days analysed"
        )
    if pre_start is not None and first_pre_day is not None and first_pre_day > pre_start:
        parts.append(
            f"the CUPED pre-period starts on {pre_start} but the data only on {first_pre_day}"
        )
    if pre_start is not None and first_pre_day is None:
        parts.append(f"no rows in the CUPED pre-period (from {pre_start})")
    if not parts:
        return HealthCheck("data_window", "ok", f"data covers {start}–{end}")
    return HealthCheck("data_window", "warn", "; ".join(parts))


def outlier_cap(caps: Sequence[tuple[str, float, float | None]], enabled: bool) -> HealthCheck:
    """`caps`: (metric, value, percentile level or None for a fixed catalog cap)."""
    if not enabled:
        return HealthCheck("outlier_cap", "warn", "winsorisation off (--no-cap): outliers count")
    if not caps:
        return HealthCheck("outlier_cap", "ok", "no mean metric to cap")
    listed = ", ".join(
        f"{m} ≤ {format_number(v)}"
        + (f" (p{level * 100:g})" if level is not None else " (catalog)")
        for m, v, level in caps
    )
    return HealthCheck("outlier_cap", "ok", f"per-unit values capped: {listed}")
