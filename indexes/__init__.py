"""Documentation index: loaders, chunking, embeddings, Chroma (dense) + SQLite FTS5 (BM25), fusion.

Entry points: `indexes.build.build_index`, `indexes.search.search_index`, and
`indexes.records.RecordIndex` for arbitrary text records. Heavy libraries (chromadb, torch,
sentence-transformers, openai) are imported only inside the functions that use them.
"""
