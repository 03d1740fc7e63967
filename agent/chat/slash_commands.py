"""Carrying out a slash command in the chat: which tool step, screen or action it starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from agent.chat.slash import COMMANDS, slash_step, unknown_hint

if TYPE_CHECKING:
    from agent.chat.app import ChatApp


async def run_slash(app: ChatApp, name: str, argument: str) -> None:
    from agent.chat.error_block import ErrorBlock

    if name in ("sql", "docs", "exp"):
        if not argument and name != "exp":
            arg_help = COMMANDS[name][0]
            await app.conversation.mount(
                ErrorBlock(f"/{name} needs an argument", f"Usage: /{name} {arg_help}", None)
            )
            return
        app.ask(argument, shown=f"/{name} {argument}".strip(), step=slash_step(name, argument))
    elif name == "help":
        app.action_help()
    elif name == "clear":
        await app.action_clear()
    elif name == "export":
        fmt, _, path = argument.partition(" ")
        await app.action_export(fmt or "md", path.strip())
    elif name == "model":
        await _model_command(app, argument)
    elif name == "history":
        app.action_history()
    else:
        await app.conversation.mount(
            ErrorBlock(
                f"Unknown command /{name}", "That is not a chat command.", unknown_hint(name)
            )
        )


async def _model_command(app: ChatApp, argument: str) -> None:
    if argument in ("on", "off"):
        app.use_llm = argument == "on"
        app.opened = None
        app.status.set(model="…", activity="reopening")
        app.open_workspace()
        return
    model = app.opened.model if app.opened else "…"
    await app.conversation.add_note(
        f"Model: [b]{escape(model)}[/]. `/model on` or `/model off` switches the LLM."
    )
