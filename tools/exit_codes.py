"""The one set of process exit codes, shared by every command (documented in the README).

0 means the command did what was asked; 1 that the validator rejected the SQL (a verdict,
not a failure); 2 a user error (bad input, config, workspace); 3 a partial success (some
files skipped); 70 a bug in lablens (EX_SOFTWARE from sysexits.h), never confused with 1.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USER_ERROR = 2
EXIT_PARTIAL = 3
EXIT_INTERNAL = 70
