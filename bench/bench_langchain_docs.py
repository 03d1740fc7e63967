"""lablens doc index vs the pipeline a user would write by hand with LangChain
(RecursiveCharacterTextSplitter + langchain_chroma `Chroma.from_documents` with a
SentenceTransformer wrapper on the same bundled model, re-embedding everything on each run).

Measures index time on a first and a second (unchanged) run, and recall@5 / MRR on the demo
questions (tests/data/retrieval_questions.yaml). The model is loaded once before timing and
shared by both pipelines, so neither pays for it.

Usage: .venv/bin/python bench/bench_langchain_docs.py [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from chromadb.config import Settings
from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from indexes.build import build_index
from indexes.embedders import EmbedderSpec, make_embedder
from indexes.retrieval_metrics import evaluate, load_questions
from indexes.search import search_index

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "agent" / "demo"
QUESTIONS = REPO / "tests" / "data" / "retrieval_questions.yaml"


class SentenceTransformerEmbeddings(Embeddings):
    """The few lines a user writes to use a SentenceTransformer in LangChain."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(texts, batch_size=64, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode([text], normalize_embeddings=True)[0].tolist()


def langchain_index(persist: Path, embeddings: Embeddings) -> tuple[Chroma, int]:
    docs = [
        LCDocument(
            page_content=p.read_text(encoding="utf-8"),
            metadata={"source": p.relative_to(DEMO).as_posix()},
        )
        for folder in ("docs", "reports")
        for p in sorted((DEMO / folder).glob("*.md"))
    ]
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        docs
    )
    settings = Settings(anonymized_telemetry=False)  # no network, as everywhere in lablens
    store = Chroma(
        collection_name="docs",
        embedding_function=embeddings,
        persist_directory=str(persist),
        client_settings=settings,
    )
    store.delete_collection()  # re-running the script starts over, as such scripts do
    store = Chroma.from_documents(
        splits,
        embeddings,
        collection_name="docs",
        persist_directory=str(persist),
        client_settings=settings,
        collection_metadata={"hnsw:space": "cosine"},
    )
    return store, len(splits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    emb = make_embedder(EmbedderSpec())
    emb.embed_documents(["warm up"])
    model = emb._model  # type: ignore[attr-defined]
    questions = load_questions(str(QUESTIONS))
    result: dict[str, Any] = {"questions": len(questions)}
    with tempfile.TemporaryDirectory() as tmp:
        lc_emb = SentenceTransformerEmbeddings(model)
        times = []
        for _ in range(2):
            t = time.perf_counter()
            store, n_chunks = langchain_index(Path(tmp) / "lc", lc_emb)
            times.append(time.perf_counter() - t)
        lc5 = evaluate(
            questions, lambda q: [d.metadata["source"] for d in store.similarity_search(q, k=5)]
        )
        lc20 = evaluate(
            questions, lambda q: [d.metadata["source"] for d in store.similarity_search(q, k=20)]
        )
        result["langchain"] = {
            "chunks": n_chunks,
            "first_run_s": round(times[0], 2),
            "second_run_s": round(times[1], 2),
            "recall@5 (5 chunks)": lc5.recall_at_k,
            "mrr (5 chunks)": lc5.mrr,
            "recall@5 (top 5 files of 20 chunks)": lc20.recall_at_k,
            "mrr (20 chunks)": lc20.mrr,
        }
        state = Path(tmp) / "lablens" / ".lablens"
        times = []
        for _ in range(2):
            t = time.perf_counter()
            summary = build_index([DEMO / "docs", DEMO / "reports"], state, embedder=emb, root=DEMO)
            times.append(time.perf_counter() - t)
        ours = {}
        for mode in ("hybrid", "dense"):
            rep = evaluate(
                questions,
                lambda q, m=mode: [
                    h.path
                    for h in search_index(  # type: ignore[misc]
                        q, state, k=10, embedder=emb, mode=m
                    )
                ],
            )
            ours[mode] = (rep.recall_at_k, rep.mrr)
        result["lablens"] = {
            "chunks": summary.chunks_total,
            "first_run_s": round(times[0], 2),
            "second_run_s": round(times[1], 3),
            "recall@5 hybrid": ours["hybrid"][0],
            "mrr hybrid": ours["hybrid"][1],
            "recall@5 dense": ours["dense"][0],
            "mrr dense": ours["dense"][1],
        }
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
