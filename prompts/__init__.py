"""Prompt templates as Markdown files, loaded and rendered with `string.Template`.

`prompts/<name>.md` holds `$variable` placeholders (write `$$` for a literal dollar). A
template may be split into chat turns by marker lines `<!-- role: system -->` and
`<!-- role: user -->`; any other HTML comment is documentation for maintainers and is not sent.
Rendering is a single substitution pass — values are inserted as text and never parsed again,
so nothing a user, a document or a model wrote can run as template code.
"""

from __future__ import annotations

import re
from importlib import resources
from string import Template

ROLES = ("system", "user", "assistant")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ROLE_MARKER = re.compile(r"^<!--\s*role:\s*(\w+)\s*-->[ \t]*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--(?!\s*role:).*?-->\n?", re.DOTALL)


class PromptError(ValueError):
    """A prompt name or its values are wrong — a bug in the caller, reported precisely."""


def available_prompts() -> list[str]:
    return sorted(
        p.name[:-3] for p in resources.files(__name__).iterdir() if p.name.endswith(".md")
    )


def load_prompt(name: str) -> str:
    """The raw text of `prompts/<name>.md` (shipped as package data)."""
    if not _NAME.fullmatch(name):
        raise PromptError(f"Invalid prompt name {name!r}: use lower-case letters, digits and _.")
    path = resources.files(__name__) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"No prompt named {name!r}; available: {', '.join(available_prompts())}")
    return path.read_text(encoding="utf-8")


def prompt_variables(name: str) -> list[str]:
    """The `$variables` a prompt needs, in order of first use."""
    return _template(name).get_identifiers()


def render_prompt(name: str, **values: object) -> str:
    """The prompt with every variable filled in (maintainer comments dropped).

    A missing or unexpected variable is a `PromptError` naming it: a typo in a caller must not
    silently send a prompt with a hole in it.
    """
    template = _template(name)
    return template.substitute(_checked(name, template, values))


def render_turns(name: str, **values: object) -> list[tuple[str, str]]:
    """The rendered prompt as (role, text) chat turns; without markers, one user turn.

    Turns are split before values are filled in, so a value that contains a marker line (from a
    question or a document) stays text inside its turn and cannot open a new one.
    """
    template = _template(name)
    checked = _checked(name, template, values)
    return [
        (role, Template(body).substitute(checked)) for role, body in split_turns(template.template)
    ]


def split_turns(text: str) -> list[tuple[str, str]]:
    markers = list(_ROLE_MARKER.finditer(text))
    if not markers:
        return [("user", text.strip())]
    turns = []
    for i, marker in enumerate(markers):
        role = marker.group(1)
        if role not in ROLES:
            raise PromptError(f"Unknown role {role!r} in prompt marker; use one of {ROLES}.")
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        body = text[marker.end() : end].strip()
        if body:
            turns.append((role, body))
    return turns


def _checked(name: str, template: Template, values: dict[str, object]) -> dict[str, str]:
    needed = template.get_identifiers()
    missing = [v for v in needed if v not in values]
    unknown = sorted(set(values) - set(needed))
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing value for " + ", ".join(f"${v}" for v in missing))
        if unknown:
            parts.append("unexpected value for " + ", ".join(f"${v}" for v in unknown))
        raise PromptError(
            f"Prompt {name!r}: {'; '.join(parts)} (it uses "
            f"{', '.join('$' + v for v in needed) or 'no variables'})."
        )
    return {k: str(v) for k, v in values.items()}


def _template(name: str) -> Template:
    template = Template(_COMMENT.sub("", load_prompt(name)))
    if not template.is_valid():
        raise PromptError(
            f"Prompt {name!r} has a malformed placeholder; write $$ for a literal dollar sign."
        )
    return template
