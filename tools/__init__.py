"""lablens capabilities: catalog, validated SQL, warehouse access, experiments, planning.

Nothing here imports `agent`, `textual` or `langchain`: every tool works without a UI or an LLM.
"""
