"""Remove secrets from text before it is stored anywhere (prompt log, history, error messages)."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"

# Shapes that look like credentials whatever the provider: OpenAI-style keys, bearer tokens,
# `api_key=...`/`"api-key": "..."` pairs, and passwords in URLs (scheme://user:pass@host).
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(
        r"""(?i)\b((?:api[_-]?key|access[_-]?token|secret)["']?\s*[:=]\s*["']?)"""
        r"""[^\s"',}]{6,}"""
    ),
    re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s/:@]+:)[^\s/@]+(?=@)"),
)


def redact_secrets(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every known secret value and anything shaped like a key replaced."""
    for secret in secrets:
        # Very short values would redact ordinary words; real keys are long.
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text
