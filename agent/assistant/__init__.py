"""The headless agent core: `Session(workspace).answer(question, history)` yields events.

It imports no `rich`, `argparse` or `textual`: `lablens ask`, `lablens chat` and scripts all
render the same events (see `events.py`).
"""
