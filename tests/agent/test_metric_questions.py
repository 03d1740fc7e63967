"""Questions about a metric in experiments: the answer leads with that metric's effects.

"Did the video boost test hurt hide rate?" is answered on hide_rate, significant or not, and
"which experiments improved saves?" reads every experiment's own analysis of the metrics
named. Each answer is checked against `analyze_experiment` run directly on the same small
demo warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.assistant.events import AnswerReady
from agent.assistant.session import Session
from agent.workspace import Workspace
from tests.docs.word_vector_embedder import WordVectorEmbedder
from tools.experiments.analyze import analyze_experiment
from tools.experiments.results import ExperimentAnalysis, MetricResult
from tools.warehouse.connection import open_warehouse


def _analyses(root: Path) -> dict[str, ExperimentAnalysis]:
    ws = Workspace.open(root)
    out = {}
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        ids = [r[0] for r in wh.execute("SELECT experiment_id FROM experiments").rows]
        for experiment_id in ids:
            out[experiment_id] = analyze_experiment(
                ws.catalog, wh, experiment_id, cuped=True, alpha=0.05, correction="holm"
            )
    return out


def _answer(root: Path, embedder: WordVectorEmbedder, question: str) -> str:
    with Session(root, use_llm=False, embedder=embedder) as session:
        final = list(session.answer(question))[-1]
    assert isinstance(final, AnswerReady), final
    return final.text


def _expected_reading(m: MetricResult) -> str:
    """From the decision interval: wholly on the metric's good side is an improvement."""
    if m.decision_ci is None:
        return "not testable"
    low, high = m.decision_ci
    if not m.significant:
        return "no significant change"
    up = low > 0  # a significant interval excludes 0: wholly above or wholly below it
    assert up or high < 0
    return "improved" if up == m.higher_is_better else "regressed"


@pytest.mark.parametrize(
    ("question", "experiment_id", "metric"),
    [
        ("did the video boost test hurt hide rate?", "video_boost_3arm", "hide_rate"),
        ("what did hf_l1_ranker_v2 do to save rate?", "hf_l1_ranker_v2", "save_rate"),
    ],
)
def test_an_experiment_answer_leads_with_the_metric_asked_about(
    workspace: Path, embedder: WordVectorEmbedder, question: str, experiment_id: str, metric: str
) -> None:
    text = _answer(workspace, embedder, question)
    analysis = _analyses(workspace)[experiment_id]
    asked = [m for m in analysis.metrics if m.metric == metric]
    assert asked, "the demo analyses this metric"
    first_block = text.split("\n\n")[0]
    for m in asked:  # one line per treatment arm, significant or not
        line = next(x for x in first_block.splitlines() if m.variant in x), first_block
        assert metric in first_block and m.effect_text() in line[0], (line, m.effect_text())
        assert _expected_reading(m) in line[0]
    assert "verdict **" in text  # the whole verdict still follows


def test_which_experiments_improved_a_metric_reads_every_analysis(
    workspace: Path, embedder: WordVectorEmbedder
) -> None:
    text = _answer(workspace, embedder, "which experiments improved saves?")
    analyses = _analyses(workspace)
    groups = {
        line.split(":", 1)[0].strip("* "): line
        for line in text.splitlines()
        if line.startswith("**") and ":" in line
    }
    for experiment_id, analysis in analyses.items():
        assert experiment_id in text
        readings = {
            _expected_reading(m)
            for m in analysis.metrics
            if m.metric in ("saves_per_user", "save_rate")
        }
        if not readings:
            continue
        if analysis.verdict.verdict == "invalid":
            assert experiment_id in groups["Not trustworthy"]
        elif "improved" in readings:
            assert experiment_id in groups["Improved"]
        elif "regressed" in readings:
            assert experiment_id in groups["Regressed"]
        else:
            assert experiment_id in groups["No significant change"]
    for analysis in analyses.values():  # every number shown is the analysis' own
        for m in analysis.metrics:
            if m.metric == "saves_per_user" and m.estimate.testable:
                assert m.effect_text() in text
    assert "not directly comparable" in text  # the assumption, said


def test_a_metric_no_catalog_entry_names_is_not_compared(
    workspace: Path, embedder: WordVectorEmbedder
) -> None:
    text = _answer(workspace, embedder, "which experiments are there?")
    assert "Improved" not in text


def test_comparing_a_metric_the_catalog_lacks_is_a_clear_error(workspace: Path) -> None:
    from agent.assistant.resources import Resources
    from agent.assistant.tools import get_tool
    from tools.errors import InputError

    res = Resources(Workspace.open(workspace))
    tool = get_tool("compare_experiments")
    with pytest.raises(InputError) as info:
        tool.run(res, {"metric": "bounce rate"})
    assert "saves_per_user" in (info.value.hint or "")
