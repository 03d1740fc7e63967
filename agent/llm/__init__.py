"""The LLM layer: one small model interface, an OpenAI-compatible adapter, a scripted model.

Importing this package is cheap: LangChain loads only when an `OpenAIChatModel` first calls out.
"""

from agent.llm.factory import model_from_settings, override_model
from agent.llm.log import LoggingModel, PromptLog, search_log
from agent.llm.model import (
    ChatModel,
    Message,
    ModelReply,
    ToolCall,
    ToolSpec,
    Usage,
    assistant,
    assistant_turn,
    system,
    tool_error,
    tool_result,
    user,
)
from agent.llm.openai_chat import OpenAIChatModel
from agent.llm.prompt_messages import prompt_messages
from agent.llm.redact import redact_secrets
from agent.llm.scripted import ScriptedModel
from agent.llm.sql_reply import extract_sql, format_problems
from agent.llm.untrusted import QuotedDocument, quote_documents

__all__ = [
    "ChatModel",
    "LoggingModel",
    "Message",
    "ModelReply",
    "OpenAIChatModel",
    "PromptLog",
    "QuotedDocument",
    "ScriptedModel",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "assistant",
    "assistant_turn",
    "extract_sql",
    "format_problems",
    "model_from_settings",
    "override_model",
    "prompt_messages",
    "quote_documents",
    "redact_secrets",
    "search_log",
    "system",
    "tool_error",
    "tool_result",
    "user",
]
