"""The side panel: catalog tables (with columns), metrics, and experiments with status and
verdict. Choosing an item puts a reference to it into the input."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree

from agent.chat.messages import ReferenceChosen
from agent.chat.overview import Overview


def _label(name: str, detail: str, width: int = 48) -> Text:
    text = Text(name, style="bold")
    if detail:
        cut = detail if len(detail) <= width else detail[: width - 1] + "…"
        text.append(f"  {cut}", style="dim")
    return text


class SidePanel(Tree[str]):
    DEFAULT_CSS = "SidePanel { width: 40; dock: left; border-right: solid $primary-darken-2; }"

    def __init__(self) -> None:
        super().__init__("workspace", id="side-panel")
        self.show_root = False
        self.overview = Overview()

    def load(self, overview: Overview) -> None:
        self.overview = overview
        self.clear()
        tables = self.root.add("Tables", expand=True)
        for t in overview.tables:
            node = tables.add(_label(t.name, t.description, 24), data=t.name)
            for c in t.columns:
                node.add_leaf(_label(c.name, c.type), data=f"{t.name}.{c.name}")
        metrics = self.root.add("Metrics", expand=True)
        for m in overview.metrics:
            metrics.add_leaf(_label(m.name, m.description, 30), data=m.name)
        self._add_experiments()

    def _add_experiments(self) -> None:
        node = self.root.add("Experiments", expand=True)
        for e in self.overview.experiments:
            detail = e.status + (f" · {e.verdict}" if e.verdict else "")
            node.add_leaf(_label(e.experiment_id, detail), data=e.experiment_id)

    def set_verdict(self, experiment_id: str, verdict: str) -> None:
        changed = False
        for e in self.overview.experiments:
            if e.experiment_id == experiment_id and e.verdict != verdict:
                e.verdict, changed = verdict, True
        if changed:
            for child in list(self.root.children):
                if str(child.label) == "Experiments":
                    child.remove()
            self._add_experiments()

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(ReferenceChosen(f"`{event.node.data}`"))
