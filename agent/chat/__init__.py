"""`lablens chat`: the Textual chat UI. It renders the agent core's events and never calls a
tool itself; every call into the core runs in a worker thread.

Import cost matters here: `agent.chat.app` imports only Textual, so the first frame paints
before the core (DuckDB, sqlglot, the embedder) is imported in the background.
"""
