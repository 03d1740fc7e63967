"""`/export` and Ctrl+E in the chat: where the export goes, and what the person is told."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

if TYPE_CHECKING:
    from agent.chat.app import ChatApp


async def export_conversation(app: ChatApp, fmt: str, path: str = "") -> None:
    """Export the transcript as `fmt` to `path` (default: a dated file in the workspace)."""
    from agent.chat.error_block import ErrorBlock
    from agent.chat.export import default_path, export
    from tools.errors import LablensError

    root = app.opened.workspace.root if app.opened else Path.cwd()
    target = (
        Path(path).expanduser() if path else default_path(root, fmt, time.strftime("%Y%m%d-%H%M%S"))
    )
    if not target.is_absolute():
        target = root / target
    try:
        written = export(app.transcript, fmt, target)
    except LablensError as exc:
        await app.conversation.mount(ErrorBlock(exc.title, exc.message, exc.hint))
        return
    except OSError as exc:
        await app.conversation.mount(
            ErrorBlock("Export failed", str(exc), "Pick a folder you can write to.")
        )
        return
    await app.conversation.add_note(f"[green]Exported[/] {escape(str(written))}")
