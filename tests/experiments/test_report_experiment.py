"""`--report`: Markdown with the docs-index front matter, and PNG plots that exist."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from agent.cli import main
from agent.workspace import Workspace
from tools.experiments.analyze import analyze_experiment
from tools.experiments.report import render_markdown, write_report
from tools.warehouse.connection import open_warehouse


def _front_matter(text: str) -> dict:  # type: ignore[type-arg]
    assert text.startswith("---\n")
    head, _, _ = text[4:].partition("\n---\n")
    return yaml.safe_load(head)  # type: ignore[no-any-return]


def test_report_has_front_matter_plots_and_says_index_is_missing(
    small_demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "hf.md"
    assert (
        main(
            [
                "experiment",
                "summarize",
                "hf_l1_ranker_v2",
                "--json",
                "--report",
                str(target),
                "-w",
                str(small_demo_workspace),
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    text = target.read_text(encoding="utf-8")
    front = _front_matter(text)
    assert front["doc_type"] == "experiment_report"
    assert front["experiment_id"] == "hf_l1_ranker_v2"
    assert front["decision"] == data["verdict"]
    assert front["team"] == "homefeed-ranking"
    assert "hf_l1_ranker_v2" in front["title"] and isinstance(front["date"], date)
    images = [Path(p) for p in data["report"]["images"]]
    assert [p.name for p in images] == ["hf-daily.png", "hf-effects.png"]
    for image in images:
        assert image.parent == target.parent
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 5000
        assert f"]({image.name})" in text
    assert "saves_per_user" in text and "Decision:" in text
    assert "docs index not available" in text  # no index was built in this workspace


def test_related_documents_are_listed_when_given(small_demo_workspace: Path) -> None:
    from tools.experiments.report import RelatedDoc

    ws = Workspace.open(small_demo_workspace)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        analysis = analyze_experiment(ws.catalog, wh, "rp_candidate_gen_v3")
    text = render_markdown(
        analysis,
        images=[],
        related=[
            RelatedDoc(
                path="docs/related-pins-candidate-gen-v3.md",
                title="RP candidate gen v3",
                doc_type="design_doc",
            )
        ],
        related_note=None,
        today=date(2026, 11, 2),
    )
    assert "- [RP candidate gen v3](docs/related-pins-candidate-gen-v3.md) (design_doc)" in text
    assert _front_matter(text)["date"] == date(2026, 11, 2)


def test_write_report_without_state_dir_still_writes(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    ws = Workspace.open(small_demo_workspace)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        analysis = analyze_experiment(ws.catalog, wh, "video_boost_3arm", cuped=False)
        files = write_report(
            analysis, tmp_path / "vb.md", catalog=ws.catalog, warehouse=wh, search=None
        )
    assert files.markdown.is_file() and len(files.images) == 2
    assert all(p.stat().st_size > 0 for p in files.images)
    assert files.related == [] and "not searched" in (files.related_note or "")


@pytest.mark.slow
def test_related_documents_come_from_a_real_index(
    small_demo_workspace: Path, tmp_path: Path
) -> None:
    from indexes.build import build_index
    from tools.experiments.related_docs import index_search
    from tools.experiments.report import find_related

    docs = tmp_path / "docs"
    docs.mkdir()
    source = Path(__file__).parents[2] / "agent" / "demo" / "docs"
    for name in ("related-pins-candidate-gen-v3.md", "homefeed-blending.md"):
        (docs / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    build_index([docs], tmp_path / "state", root=tmp_path)
    ws = Workspace.open(small_demo_workspace)
    with open_warehouse(ws.settings.warehouse, ws.root) as wh:
        analysis = analyze_experiment(ws.catalog, wh, "rp_candidate_gen_v3", cuped=False)
    related, note = find_related(analysis, index_search(tmp_path / "state"))
    assert note is None
    assert related[0].path == "docs/related-pins-candidate-gen-v3.md"
    assert related[0].doc_type == "design_doc"
