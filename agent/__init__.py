"""lablens application: configuration, workspace, CLI, agent loop, LLM adapter and chat UI."""

__version__ = "0.1.0"
