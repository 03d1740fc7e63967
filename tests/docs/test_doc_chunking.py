"""Chunking: heading paths, exact line citations, token budgets and overlap."""

from __future__ import annotations

import itertools

from indexes.chunking import ChunkingOptions, chunk_document
from indexes.embedders import estimate_tokens
from indexes.loaders import Document

FILE = """---
title: Ranker
---
# Ranker

Intro line.

## Model

```python
# not a heading
x = 1
```

### Negatives

Random negatives.

## Serving

Served from the ranking service.
"""


def _doc(text: str, kind: str = "markdown") -> Document:
    from indexes.loaders import split_front_matter

    meta, body, start = split_front_matter(text) if kind == "markdown" else ({}, text, 1)
    return Document(path="docs/r.md", kind=kind, text=body, body_start_line=start, metadata=meta)


def _count(texts: list[str]) -> list[int]:
    return [estimate_tokens(t) for t in texts]


def test_chunks_carry_heading_paths_and_exact_file_lines() -> None:
    chunks = chunk_document(_doc(FILE), _count)
    lines = FILE.split("\n")
    assert [c.heading for c in chunks] == ["", "Model", "Model > Negatives", "Serving"]
    for c in chunks:
        assert "\n".join(lines[c.start_line - 1 : c.end_line]) == c.text
    assert chunks[1].text.splitlines()[3] == "# not a heading"  # code fences are not headings
    assert chunks[0].title == "Ranker"


def test_rst_underlined_titles_are_headings() -> None:
    text = "Title\n=====\n\nIntro.\n\nPart one\n--------\n\nDetails here.\n"
    chunks = chunk_document(_doc(text, "rst"), _count)
    assert [(c.heading, c.start_line, c.end_line) for c in chunks] == [
        ("", 1, 4),
        ("Part one", 6, 9),
    ]


def test_long_sections_are_split_under_the_budget_with_overlap() -> None:
    body = "\n".join(f"Sentence number {i} says something about ranking." for i in range(200))
    opts = ChunkingOptions(max_tokens=128, overlap_tokens=24)
    chunks = chunk_document(_doc(f"# Long\n\n{body}\n"), _count, opts)
    assert len(chunks) > 5
    for c in chunks:
        assert estimate_tokens(c.embedding_text()) + 2 <= 128 + 16  # newlines counted apart
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start_line <= prev.end_line  # overlap: the next chunk repeats a line
        assert nxt.start_line > prev.start_line  # and always makes progress


def test_a_single_enormous_line_is_split_into_pieces_with_the_same_line_number() -> None:
    chunks = chunk_document(
        _doc("# T\n\n" + "word " * 3000 + "\n"), _count, ChunkingOptions(max_tokens=128)
    )
    assert len(chunks) > 10
    assert chunks[0].start_line == 1  # the heading line leads the first piece
    assert all(c.end_line == 3 for c in chunks)
    assert all(c.start_line == 3 for c in chunks[1:])


def test_chunk_ids_are_deterministic_and_depend_on_content() -> None:
    a = chunk_document(_doc(FILE), _count)
    b = chunk_document(_doc(FILE), _count)
    c = chunk_document(_doc(FILE.replace("Random", "Hard")), _count)
    assert [x.id for x in a] == [x.id for x in b]
    assert a[2].id != c[2].id and a[0].id == c[0].id


def test_real_tokenizer_budget_holds_on_the_bundled_model(bundled_embedder) -> None:  # type: ignore[no-untyped-def]
    body = "\n".join(
        f"The hf_l1_ranker_v2 two-tower model line {i} with saves/closeups." for i in range(300)
    )
    chunks = chunk_document(_doc(f"# Budget\n\n{body}\n"), bundled_embedder.count_tokens)
    counts = bundled_embedder.count_tokens([c.embedding_text() for c in chunks])
    assert max(counts) + 2 <= 256
