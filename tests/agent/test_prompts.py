"""The agent's prompts are files: every tool has a description, the system prompt renders."""

from __future__ import annotations

from agent.assistant.tools import TOOLS, tool_descriptions
from prompts import prompt_variables, render_prompt


def test_every_tool_is_described_in_prompts() -> None:
    described = tool_descriptions()
    assert sorted(described) == sorted(t.name for t in TOOLS)
    assert all(len(text) > 40 for text in described.values())


def test_tool_specs_carry_description_and_schema() -> None:
    for tool in TOOLS:
        spec = tool.spec().to_openai()["function"]
        assert spec["description"] == tool_descriptions()[tool.name]
        assert spec["parameters"]["type"] == "object"
        assert spec["parameters"]["additionalProperties"] is False


def test_the_system_prompt_renders_and_warns_about_untrusted_text() -> None:
    assert prompt_variables("agent_system") == ["catalog", "experiments"]
    text = render_prompt("agent_system", catalog="table users", experiments="exp_a")
    assert "untrusted" in text and "table users" in text and "$" not in text
