"""Slash commands typed in the input: parsed here (pure), carried out by the app."""

from __future__ import annotations

from dataclasses import dataclass

# name -> (argument, what it does): the help screen and /help list these.
COMMANDS: dict[str, tuple[str, str]] = {
    "sql": ("QUESTION or SQL", "answer with data: a question, or SQL that is validated first"),
    "docs": ("QUERY", "search the design docs and reports"),
    "exp": ("EXPERIMENT_ID", "analyse an experiment (no id: list experiments)"),
    "export": ("csv|parquet|md [PATH]", "export the last result, or the conversation"),
    "model": ("[on|off]", "show the model in use, or switch the LLM on/off"),
    "history": ("", "reopen an earlier conversation"),
    "clear": ("", "start a new conversation"),
    "help": ("", "show the keys and commands"),
}


@dataclass(frozen=True)
class Slash:
    name: str
    argument: str


def parse_slash(text: str) -> Slash | None:
    """`/name rest` → Slash; plain text → None. Unknown names are kept (the app says so)."""
    stripped = text.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    head, _, rest = stripped[1:].partition(" ")
    first_line, _, more = head.partition("\n")
    argument = (rest if not more else more + " " + rest).strip()
    return Slash(first_line.lower(), argument)


def unknown_hint(name: str) -> str:
    name = f"/{name}"
    from tools.did_you_mean import did_you_mean

    hint = did_you_mean(name, [f"/{c}" for c in COMMANDS]) if name else None
    return hint or "Type /help for the list of commands."


_SQL_TEXT = ("select", "with")


def slash_step(name: str, argument: str) -> tuple[str, dict[str, object]]:
    """The one tool a slash command runs: `/sql` SQL or a question, `/docs`, `/exp [id]`."""
    if name == "sql":
        if argument.split(None, 1)[0].lower() in _SQL_TEXT:
            return "run_sql", {"sql": argument}
        return "question_to_sql", {"question": argument}
    if name == "docs":
        return "search_docs", {"query": argument}
    if argument:
        return "summarize_experiment", {"experiment_id": argument.strip("`")}
    return "list_experiments", {}
