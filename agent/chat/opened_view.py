"""What the chat shows once the workspace is open: the status bar, the side panel, and a
note when there is no documentation index yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.chat.side_panel import SidePanel

if TYPE_CHECKING:
    from agent.chat.app import ChatApp
    from agent.chat.core_link import Opened


async def show_opened(app: ChatApp, opened: Opened) -> None:
    app.status.set(
        workspace=opened.workspace.root.name,
        warehouse=opened.warehouse,
        model=opened.model,
        index=opened.index,
        activity="ready",
    )
    app.query_one(SidePanel).load(opened.overview)
    if opened.index_missing:
        await app.conversation.add_note(
            "[yellow]No documentation index yet[/]: doc questions will find nothing. "
            "Run [b]lablens index[/] in the workspace to build it."
        )
