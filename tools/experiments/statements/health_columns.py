"""The health counts the statistics statement computes beside the sums (same scan).

Per period: the last (post) and first (pre) day with rows and, per column the metrics read,
its NULL rows. Per arm: units in several arms, without a variant, assigned before the start
or after the end, absent from the unit table, and the concentration check's top units.
`health_checks.py` turns these counts into checks.
"""

from __future__ import annotations

from collections.abc import Callable

from tools.experiments.statements.stats_layout import (
    AFTER_END,
    BEFORE_START,
    FIRST_PRE_DAY,
    LAST_DAY,
    NO_VARIANT,
    NOT_IN_UNIT_TABLE,
    POST_ROWS,
    PRE_ROWS,
    PRE_UNITS,
    SEVERAL_ARMS,
    TOP_SHARES,
)
from tools.experiments.statements.unit_aggregates import Names
from tools.experiments.statements.units import ARM, UNITS
from tools.experiments.statements.window import ExperimentWindow

Quote = Callable[[str], str]


def period_health(dt_name: str, null_cols: dict[str, str], q: Quote) -> tuple[list[str], list[str]]:
    """The extra per-unit aggregates of the post and the pre period's main CTE."""
    # COUNT(*) − COUNT(col) is the NULL count: two of the cheapest aggregates in the scan.
    post = [f"MAX(j.{q(dt_name)}) AS {q(LAST_DAY)}"] + [
        f"COUNT(*) - COUNT(j.{q(c)}) AS {q(alias)}" for c, alias in null_cols.items()
    ]
    pre = [f"MIN(j.{q(dt_name)}) AS {q(FIRST_PRE_DAY)}"]
    return post, pre


def arm_health(
    window: ExperimentWindow,
    null_cols: dict[str, str],
    *,
    use_pre: bool,
    q: Quote,
    lit: Callable[[object], str],
    health: bool = True,
) -> list[str]:
    """n and the health counts of each output row (per arm), over the `centred` units `cu`.

    With `health=False` (the benchmark's baseline only) the output has the same columns, but
    those only the health checks read are constants (all clear): n and the row counts the
    estimates read (CUPED's coverage) stay real.
    """
    # (expression, alias, the constant that stands in for it without health; None: always)
    columns: list[tuple[str, str, str | None]] = [
        ("COUNT(*)", UNITS, None),
        (f"SUM(cu.{q(POST_ROWS)})", POST_ROWS, None),
        (f"SUM(CASE WHEN cu.{q('arm_count')} > 1 THEN 1 ELSE 0 END)", SEVERAL_ARMS, "0"),
        (f"SUM(CASE WHEN cu.{q('arm_count')} = 0 THEN 1 ELSE 0 END)", NO_VARIANT, "0"),
        (
            f"SUM(CASE WHEN cu.{q('arm_count')} = 1 AND cu.{q('assigned_on')} > "
            f"{lit(window.end)} THEN 1 ELSE 0 END)",
            AFTER_END,
            "0",
        ),
        (
            f"SUM(CASE WHEN cu.{q('assigned_on')} < {lit(window.start)} THEN 1 ELSE 0 END)",
            BEFORE_START,
            "0",
        ),
        (f"SUM(cu.{q(NOT_IN_UNIT_TABLE)})", NOT_IN_UNIT_TABLE, "0"),
        (f"MAX(cu.{q(LAST_DAY)})", LAST_DAY, "NULL"),
    ]
    columns += [(f"SUM(cu.{q(a)})", a, "0") for a in null_cols.values()]
    if use_pre:
        columns += [
            (f"SUM(cu.{q(PRE_ROWS)})", PRE_ROWS, None),
            (f"SUM(CASE WHEN cu.{q(PRE_ROWS)} > 0 THEN 1 ELSE 0 END)", PRE_UNITS, None),
            (f"MIN(cu.{q(FIRST_PRE_DAY)})", FIRST_PRE_DAY, "NULL"),
        ]
    return [
        f"{expr if health or constant is None else constant} AS {q(alias)}"
        for expr, alias, constant in columns
    ]


def top_units(
    top_name: str, value: str, names: Names, q: Quote
) -> tuple[str, list[str], dict[float, tuple[str, str]], str]:
    """The concentration check for the per-unit column `top_name` (`value` before centring):
    (its thresholds CTE, its sums for the final SELECT, layout `top`, the join to add)."""
    # Per arm, the value above which the top share of units lies: a percentile per arm over
    # one narrow column (cheaper than ranking every unit with a window).
    thresholds = []
    final: list[str] = []
    top: dict[float, tuple[str, str]] = {}
    for share in TOP_SHARES:
        label = f"{share * 100:g}".replace(".", "_")
        t_alias = names.new(f"{top_name}_top_{label}pct_threshold")
        thresholds.append(f"QUANTILE_CONT({value}, {1 - share!r}) AS {q(t_alias)}")
        s_alias = names.new(f"{top_name}_top_{label}pct_sum")
        n_alias = names.new(f"{top_name}_top_{label}pct_units")
        inside = f"cu.{q(top_name)} > t.{q(t_alias)}"
        final.append(f"SUM(CASE WHEN {inside} THEN cu.{q(top_name)} END) AS {q(s_alias)}")
        final.append(f"SUM(CASE WHEN {inside} THEN 1 ELSE 0 END) AS {q(n_alias)}")
        top[share] = (s_alias, n_alias)
    cte = (
        f"top_thresholds AS (SELECT v.{q(ARM)} AS {q(ARM)}, "
        + ", ".join(thresholds)
        + f"\n  FROM unit_values AS v CROSS JOIN unit_caps AS c "
        f"WHERE v.{q(ARM)} IS NOT NULL GROUP BY v.{q(ARM)})"
    )
    join = f"\nLEFT JOIN top_thresholds AS t ON t.{q(ARM)} = cu.{q(ARM)}"
    return cte, final, top, join
