"""Feed tokens in log lines: the kernel's filter (cepa_collab.log_filters) cuts them, with
every other secret; kept under its old names for the meetings' tests and imports."""

from __future__ import annotations

from cepa_collab.log_filters import RedactSecrets as RedactFeedTokens
from cepa_collab.log_filters import redact

__all__ = ["RedactFeedTokens", "redact"]
