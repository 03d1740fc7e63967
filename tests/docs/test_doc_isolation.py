"""One bad file is a warning, never an outage: whatever a file holds or is called, loading and
chunking return a document or a reason, and a run indexes every other file (exit 3)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.cli import main
from indexes.build import build_index
from indexes.chunking import ChunkingOptions, chunk_document
from indexes.embedders import EmbedderSpec, estimate_tokens
from indexes.loaders import Document, Skipped, SourceFile, discover, load_document, parse_document
from tests.docs.conftest import write
from tests.docs.embedding_server import EmbeddingServer


def _count(texts: list[str]) -> list[int]:
    return [estimate_tokens(t) for t in texts]


def _through_loader_and_chunker(path: Path, rel: str) -> None:
    result = load_document(SourceFile(path, rel))
    assert isinstance(result, Document | Skipped)
    if isinstance(result, Skipped):
        assert result.reason and "\n" not in result.reason
        return
    chunks = chunk_document(result, _count, ChunkingOptions(max_tokens=64, min_body_tokens=16))
    for c in chunks:
        assert 1 <= c.start_line <= c.end_line
        c.embedding_text().encode("utf-8")  # everything stored is valid text


yaml_scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.sampled_from(["2026-02-30", "2026-13-01", "10/01/2025", "2026-1-5", "not a date", "~"]),
)
front_matter = st.dictionaries(
    st.sampled_from(["title", "date", "team", "doc_type", "tags", "x"]), yaml_scalars, max_size=5
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes) -> None:
    for suffix in (".md", ".txt", ".rst"):
        p = tmp_path / f"f{suffix}"
        p.write_bytes(data)
        _through_loader_and_chunker(p, p.name)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(meta=front_matter, body=st.text(max_size=200), raw=st.text(max_size=80))
def test_random_front_matter_never_raises(
    tmp_path: Path, meta: dict[str, object], body: str, raw: str
) -> None:
    import yaml

    for header in (yaml.safe_dump(meta, allow_unicode=True), raw):
        p = tmp_path / "doc.md"
        p.write_text(f"---\n{header}\n---\n# Title\n\n{body}\n", encoding="utf-8", errors="replace")
        _through_loader_and_chunker(p, "doc.md")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_random_file_names_never_raise(tmp_path: Path, name: bytes) -> None:
    folder = tmp_path / "names"
    folder.mkdir(exist_ok=True)
    raw = os.fsencode(folder) + b"/" + name + b".md"
    if name in (b".", b".."):
        return
    with open(raw, "wb") as fh:
        fh.write(b"# Note\n\nsome text\n")
    try:
        files, skipped, _ = discover([folder], tmp_path)
        for s in skipped:
            s.path.encode("utf-8")
        for f in files:
            _through_loader_and_chunker(f.path, f.rel)
    finally:
        os.unlink(raw)


def test_parse_document_keeps_an_impossible_date_out_of_the_metadata() -> None:
    src = SourceFile(Path("a.md"), "a.md")
    doc = parse_document(src, b"---\ntitle: A\ndate: 2026-02-30\n---\n# A\n\ntext\n")
    assert isinstance(doc, Document)
    assert "date" not in doc.metadata and doc.metadata["date_text"] == "2026-02-30"
    assert any("not a real date" in w for w in doc.warnings)


@pytest.fixture()
def broken_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(root / "docs" / "good.md", "# Good\n\nThe ranker uses two towers.\n")
    write(root / "docs" / "typo-date.md", "---\ndate: 2026-02-30\n---\n# Typo\n\nA date typo.\n")
    with open(os.fsencode(root / "docs") + b"/caf\xe9.md", "wb") as fh:  # Latin-1 file name
        fh.write(b"# Cafe\n\ntext\n")
    write(root / "docs" / "bad-yaml.md", "---\ntitle: [unclosed\n---\n# Bad yaml\n\nbody\n")
    return root


def test_a_run_with_bad_files_indexes_the_rest_and_exits_3(
    broken_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with EmbeddingServer() as server:
        (broken_corpus / "lablens.toml").write_text(
            '[docs]\npaths = ["docs"]\n\n[embeddings]\nprovider = "openai"\n'
            f'model = "hashed-64"\nbase_url = "{server.base_url}"\napi_key = "k"\n'
        )
        code = main(["index", "--json", "--workspace", str(broken_corpus)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 3
    assert summary["files_indexed"] == 3  # good, typo-date (its date reported) and bad-yaml
    assert [s["path"] for s in summary["skipped"]] == ["docs/caf\\xe9.md"]
    assert "not valid UTF-8" in summary["skipped"][0]["reason"]
    warned = {w["path"]: w["reason"] for w in summary["warnings"]}
    assert "not a real date" in warned["docs/typo-date.md"]
    assert "front matter ignored" in warned["docs/bad-yaml.md"]


def test_an_exception_inside_one_file_skips_only_that_file(
    broken_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexes.index_run as index_run

    real = index_run.chunk_document

    def flaky(doc: Document, *a: object, **kw: object) -> object:
        if doc.path.endswith("good.md"):
            raise RuntimeError("chunker bug on this file")
        return real(doc, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(index_run, "chunk_document", flaky)
    with EmbeddingServer() as server:
        spec = EmbedderSpec(provider="openai", model="h", base_url=server.base_url, api_key="k")
        s = build_index(
            [broken_corpus / "docs"], broken_corpus / ".lablens", embedder=spec, root=broken_corpus
        )
    reasons = {x.path: x.reason for x in s.skipped}
    assert reasons["docs/good.md"].startswith("error while reading or chunking: RuntimeError")
    assert s.files_indexed == 2
