"""Plans the planner refuses to run because their number would mislead: fanned-out joins and
measures split by an experiment's arms outside the experiment's own window."""

from __future__ import annotations

from tools.catalog.model import Catalog
from tools.errors import PlanningError
from tools.planner.join_path import fans_out
from tools.planner.plan_model import QueryPlan


def refuse_arm_comparison(catalog: Catalog, plan: QueryPlan) -> None:
    """A measure split by an experiment's arms must use the experiment's window and scope
    (and its statistics): a plain join over all dates would contradict the analysis."""
    src = catalog.experiments
    if src is None or plan.measure.kind in ("count_rows", "count_distinct", "list", "lookup"):
        return
    if src.assignment_table.lower() not in {t.lower() for t in plan.tables}:
        return
    ids = [
        str(v)
        for f in plan.filters
        if f.column.column.lower() == src.experiment_column.lower()
        for v in f.values
    ]
    which = ids[0] if len(ids) == 1 else "<id>"
    raise PlanningError(
        "This compares a measure across an experiment's arms; the planner would join"
        " assignments over every date and row, which contradicts the experiment's window"
        " and scope.",
        hint=f"Run `lablens experiment summarize {which}` (the experiment's own window, scope"
        " and statistics); counting units per arm works here.",
    )


def refuse_fan_out(catalog: Catalog, plan: QueryPlan) -> None:
    """A join that can repeat the base table's rows would inflate sums and ratios: say so
    rather than return a wrong number."""
    if plan.measure.kind not in ("metric", "aggregate", "list", "ratio", "share"):
        return
    for step in plan.joins:
        if fans_out(catalog, step):
            raise PlanningError(
                f"The measure lives in {plan.base_table}, and {step.table} only relates to it"
                f" through {step.left} = {step.right}, where one row matches many; joining it"
                " would count rows several times.",
                hint=f"Ask about {step.table} on its own, or add a join key to the catalog that"
                " relates it one-to-one.",
            )
