"""An experiment result: verdict, effects table, and two in-terminal charts (plotext):
the relative effect of every metric with its CI, and the primary metric day by day per arm."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from agent.chat.result_views import Daily, Effect, daily_of, effects_of

VERDICT_STYLE = {
    "ship": "green",
    "no_ship": "red",
    "invalid": "red",
    "tradeoff": "yellow",
    "inconclusive": "yellow",
}


def _pct(v: float | None, signed: bool = True) -> str:
    if v is None:
        return "–"
    return f"{v:+.2f}%" if signed else f"{v:.2f}%"


def effect_row(e: Effect) -> tuple[str, ...]:
    ci = "–" if e.ci_low_pct is None else f"[{e.ci_low_pct:+.2f}%, {e.ci_high_pct or 0:+.2f}%]"
    p = "–" if e.p_value is None else (f"{e.p_value:.3g}" if e.p_value >= 1e-4 else "<1e-4")
    mark = "yes" if e.significant else ""
    return (e.metric, e.role, e.variant, _pct(e.lift_pct), ci, p, mark)


class EffectsChart(PlotextPlot):
    """Relative effect and CI of each metric × arm, with a line at zero."""

    def __init__(self, effects: list[Effect]) -> None:
        super().__init__(classes="effects-chart")
        self.effects = [e for e in effects if e.lift_pct is not None]
        # Two rows per effect keeps labels apart; plotext needs ~5 rows for title and axes.
        self.styles.height = min(5 + 2 * len(self.effects), 30)

    def on_mount(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title("relative effect vs control, % (95% CI)")
        ys = [float(y) for y in range(len(self.effects), 0, -1)]
        for y, e in zip(ys, self.effects, strict=True):
            color = (
                "green"
                if e.significant and (e.lift_pct or 0) > 0
                else ("red" if e.significant else "gray")
            )
            if e.ci_low_pct is not None and e.ci_high_pct is not None:
                plt.plot([e.ci_low_pct, e.ci_high_pct], [y, y], color=color, marker="-")
            plt.scatter([e.lift_pct], [y], color=color, marker="●")
        plt.vline(0, "white")
        plt.yticks(ys, [e.label for e in self.effects])
        plt.ylim(0.5, len(self.effects) + 0.5)


class DailyChart(PlotextPlot):
    """One metric per day, one line per arm."""

    def __init__(self, metric: str, arms: Mapping[str, list[tuple[str, float]]]) -> None:
        super().__init__(classes="daily-chart")
        self.metric = metric
        self.arms = arms
        self.styles.height = 14

    def on_mount(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(f"{self.metric} per day, by arm")
        days: list[str] = []
        for arm, points in self.arms.items():
            if not points:
                continue
            days = [d for d, _ in points]
            plt.plot(list(range(len(points))), [v for _, v in points], label=arm, marker="braille")
        if days:
            step = max(1, len(days) // 5)
            ticks = list(range(0, len(days), step))
            plt.xticks([float(i) for i in ticks], [days[i][5:] for i in ticks])


class ExperimentView(Vertical):
    DEFAULT_CSS = """
    ExperimentView { height: auto; }
    ExperimentView > .verdict { height: auto; padding: 0 1; }
    ExperimentView > DataTable { height: auto; max-height: 14; }
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__()
        self.data = data
        self.effects = effects_of(data)
        self.daily: Daily = daily_of(data)

    def compose(self) -> ComposeResult:
        verdict = str(self.data.get("verdict", "?"))
        style = VERDICT_STYLE.get(verdict, "white")
        arms = ", ".join(f"{a['variant']} {a['units']:,}" for a in self.data.get("arms") or [])
        srm = self.data.get("srm") or {}
        srm_text = ""
        if srm:
            srm_text = f" · SRM p={srm.get('p_value', 0):.3g}" + (
                "" if srm.get("ok") else " [red](mismatch)[/]"
            )
        reasons = "".join(f"\n  • {escape(str(r))}" for r in self.data.get("reasons") or [])
        yield Static(
            f"[b {style}]{escape(verdict)}[/] · {escape(str(self.data.get('experiment_id', '')))}"
            f" · units: {escape(arms)}{srm_text}{reasons}",
            classes="verdict",
        )
        table: DataTable[str] = DataTable(zebra_stripes=True, cursor_type="row", classes="effects")
        table.add_columns("metric", "role", "arm", "lift", "95% CI", "p (adj.)", "sig.")
        table.add_rows(effect_row(e) for e in self.effects)
        yield table
        if self.effects:
            yield EffectsChart(self.effects)
        for metric, series in self.daily.items():
            yield DailyChart(metric, series)
        for note in self.data.get("notes") or []:
            yield Static(f"[dim]note: {escape(str(note))}[/]", classes="note")
