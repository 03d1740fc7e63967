"""The keys of the chat, one table: the app's bindings and the F1 help screen both read it.

Enter sends. A newline needs a key that terminals really deliver: Ctrl+J is the line-feed
byte itself, so it reaches the app in every terminal (Ctrl+Enter and Shift+Enter often do
not, Harlequin's most reported problem); Alt+Enter and Shift+Enter also work where the
terminal reports them.
"""

from __future__ import annotations

from typing import Final

# (keys as Textual names them, action, label shown in the footer/help, shown in footer)
APP_KEYS: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("f1", "help", "Help", True),
    ("escape", "cancel", "Cancel answer", True),
    ("ctrl+b", "toggle_panel", "Side panel", True),
    ("ctrl+l", "clear", "New conversation", False),
    ("ctrl+e", "export_md", "Export conversation", False),
    ("ctrl+r", "history", "History", False),
    ("ctrl+t", "next_theme", "Next theme", False),
    ("ctrl+y", "copy_sql", "Copy last SQL", False),
    ("ctrl+q", "quit", "Quit", True),
)

# Keys the input box handles itself (documented in the help screen).
INPUT_KEYS: Final[tuple[tuple[str, str], ...]] = (
    ("Enter", "send the message"),
    ("Ctrl+J (or Alt+Enter, Shift+Enter)", "new line in the message"),
    ("Up / Down", "previous / next message sent (on the first / last line)"),
    ("Ctrl+C", "cancel the answer (while one runs), else copy the selection"),
    ("Ctrl+P", "command palette"),
    ("Tab / Shift+Tab", "move focus: input, conversation, side panel"),
)

NEWLINE_KEYS: Final[frozenset[str]] = frozenset({"ctrl+j", "alt+enter", "shift+enter"})


def display_key(key: str) -> str:
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))
