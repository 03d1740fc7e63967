"""Retrieval quality of `lablens search` (recall@5, MRR) for dense, lexical and hybrid ranking on
a labelled question set, with the bundled model.

Usage: nice -n 10 .venv/bin/python bench/bench_retrieval.py --corpus DIR --questions FILE...
       [--state DIR] [--runtime onnx-int8|onnx-fp32|torch] [--json OUT]
  TF RFCs:  --corpus ../shared/external/tf-rfcs --state /tmp/lablens-rfc-index
            --questions tests/data/tfrfc_questions.yaml tests/data/tfrfc_questions_heldout.yaml
  demo:     --corpus agent/demo --state /tmp/lablens-demo-index
            --questions tests/data/retrieval_questions.yaml   (indexes docs/ and reports/)
The index is built into --state on the first run (the 127 RFCs take about 20 minutes on two
busy cores) and brought up to date incrementally afterwards: ranking changes need no
re-embedding.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexes.build import build_index
from indexes.embedders import DEFAULT_RUNTIME, EmbedderSpec, make_embedder
from indexes.retrieval_metrics import evaluate, load_questions
from indexes.search import search_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, nargs="+", required=True)
    parser.add_argument("--state", type=Path, default=Path("/tmp/lablens-retrieval-index"))
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--runtime", choices=["onnx-int8", "onnx-fp32", "torch"], default=DEFAULT_RUNTIME
    )
    args = parser.parse_args()
    emb = make_embedder(EmbedderSpec(runtime=args.runtime))
    demo = (args.corpus / "docs").is_dir() and (args.corpus / "reports").is_dir()
    paths = [args.corpus / "docs", args.corpus / "reports"] if demo else [args.corpus]
    root = args.corpus if demo else args.corpus.parent
    # Incremental: the first run embeds everything; later runs embed nothing for an unchanged
    # corpus and bring an index written by an older lablens up to date (e.g. its document rows).
    for message in build_index(paths, args.state, embedder=emb, root=root).messages:
        print(message, file=sys.stderr)
    result: dict[str, dict[str, dict[str, float]]] = {}
    for qfile in args.questions:
        questions = load_questions(str(qfile))
        result[qfile.name] = {}
        for mode in ("dense", "lexical", "hybrid"):
            report = evaluate(
                questions,
                lambda q, m=mode: [  # type: ignore[misc]
                    h.path for h in search_index(q, args.state, k=10, mode=m, embedder=emb)
                ],
            )
            result[qfile.name][mode] = {
                "n": report.n,
                "recall@5": report.recall_at_k,
                "mrr": report.mrr,
            }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
