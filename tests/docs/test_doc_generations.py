"""A setting change never loses the index: a new embedder that cannot load or answer fails
clearly and the index in use keeps serving; a working one is built beside it and swapped in;
putting the old setting back finds the old index intact (nothing re-embedded)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from indexes.build import build_index
from indexes.embedders import EmbedderSpec
from indexes.search import search_index
from tests.docs.embedding_server import EmbeddingServer
from tests.docs.index_snapshot import snapshot
from tools.errors import IndexingError


def _build(root: Path, spec: EmbedderSpec):  # type: ignore[no-untyped-def]
    return build_index(
        [root / "docs", root / "reports"], root / ".lablens", embedder=spec, root=root
    )


def _top(root: Path, spec: EmbedderSpec, query: str = "sample ratio mismatch") -> list[str]:
    return [h.path for h in search_index(query, root / ".lablens", k=3, embedder=spec)]


def _dead_endpoint() -> str:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize(
    "broken",
    [
        EmbedderSpec(provider="openai", model="hashed-64", base_url="DEAD", api_key="k"),
        EmbedderSpec(provider="sentence-transformers", model="/nonexistent/model-folder"),
    ],
    ids=["dead-endpoint", "wrong-model-path"],
)
def test_a_broken_new_embedder_fails_clearly_and_the_old_index_keeps_serving(
    small_corpus: Path, loopback_spec: EmbedderSpec, broken: EmbedderSpec
) -> None:
    if broken.base_url == "DEAD":
        broken = EmbedderSpec(
            provider="openai", model="other", base_url=_dead_endpoint(), api_key="k"
        )
    _build(small_corpus, loopback_spec)
    before = snapshot(small_corpus / ".lablens")
    results = _top(small_corpus, loopback_spec)
    with pytest.raises(IndexingError) as err:
        _build(small_corpus, broken)
    assert "does not work" in err.value.message
    assert "unchanged" in (err.value.hint or "")
    assert snapshot(small_corpus / ".lablens") == before
    assert _top(small_corpus, loopback_spec) == results and results


def test_a_rebuild_swaps_in_complete_and_the_old_setting_finds_its_index_again(
    small_corpus: Path, loopback_spec: EmbedderSpec, embedding_server: EmbeddingServer
) -> None:
    _build(small_corpus, loopback_spec)
    first = snapshot(small_corpus / ".lablens")
    results = _top(small_corpus, loopback_spec)
    other = EmbedderSpec(
        provider="openai", model="hashed-64-v2", base_url=loopback_spec.base_url, api_key="k"
    )
    s = _build(small_corpus, other)
    assert s.rebuilt and s.files_indexed == 4
    assert _top(small_corpus, other)  # the new index serves the new setting
    inputs = embedding_server.inputs
    back = _build(small_corpus, loopback_spec)
    assert back.files_indexed == 0 and back.files_unchanged == 4
    assert any("Switching back" in m for m in back.messages)
    assert embedding_server.inputs == inputs + 1  # the probe only: nothing re-embedded
    assert snapshot(small_corpus / ".lablens") == first
    assert _top(small_corpus, loopback_spec) == results


def test_an_interrupted_rebuild_resumes_and_the_live_index_is_untouched(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    _build(small_corpus, loopback_spec)
    before = snapshot(small_corpus / ".lablens")
    with EmbeddingServer() as flaky:
        spec = EmbedderSpec(provider="openai", model="m2", base_url=flaky.base_url, api_key="k")
        stop = {"n": 0}

        def die_after_two_files(event: object) -> None:
            if getattr(event, "stage", "") == "file":
                stop["n"] += 1
                if stop["n"] == 2:
                    raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            build_index(
                [small_corpus / "docs", small_corpus / "reports"],
                small_corpus / ".lablens",
                embedder=spec,
                root=small_corpus,
                progress=die_after_two_files,
                embed_group=1,
            )
        assert snapshot(small_corpus / ".lablens") == before
        s = _build(small_corpus, spec)
    assert any("Resuming an interrupted rebuild" in m for m in s.messages)
    assert s.files_unchanged == 2 and s.files_indexed == 2


def test_the_cli_reports_a_broken_embedder_and_search_keeps_working(
    small_corpus: Path, embedding_server: EmbeddingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.cli import main

    good = (
        '[docs]\npaths = ["docs", "reports"]\n\n[embeddings]\nprovider = "openai"\n'
        f'model = "hashed-64"\nbase_url = "{embedding_server.base_url}"\napi_key = "k"\n'
    )
    toml = small_corpus / "lablens.toml"
    toml.write_text(good)
    assert main(["index", "--json", "-w", str(small_corpus)]) == 0
    capsys.readouterr()
    toml.write_text(
        '[docs]\npaths = ["docs", "reports"]\n\n[embeddings]\n'
        'provider = "sentence-transformers"\nmodel = "/no/such/model"\n'
    )
    assert main(["index", "-w", str(small_corpus)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "/no/such/model" in err and "still serves searches" in err
    toml.write_text(good)
    assert main(["search", "sample ratio mismatch", "--json", "-w", str(small_corpus)]) == 0
    assert '"reports/srm.md"' in capsys.readouterr().out


def test_only_the_two_most_recent_replaced_indexes_are_kept(
    small_corpus: Path, loopback_spec: EmbedderSpec
) -> None:
    from indexes.generations import KEEP_GENERATIONS, kept_identities
    from indexes.vector_store import open_client

    for model in ("m1", "m2", "m3", "m4"):
        spec = EmbedderSpec(
            provider="openai", model=model, base_url=loopback_spec.base_url, api_key="k"
        )
        _build(small_corpus, spec)
    kept = kept_identities(small_corpus / ".lablens")
    assert len(kept) == KEEP_GENERATIONS == 2
    assert {i.split("|")[0].rsplit(":", 1)[-1] for i in kept} == {"m2", "m3"}
    names = {c.name for c in open_client(small_corpus / ".lablens").list_collections()}
    assert len(names) == 3  # the live index and the two kept ones: m1's vectors are gone
