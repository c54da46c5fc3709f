"""Keeps secrets out of everything the suite writes: reports, logs, curl reproducers.

Every secret the run knows (api keys, client secrets, access codes, keys minted during the run) is
registered with the environment variable a user exports to supply it, and is replaced by a
reference to that variable, so a redacted curl command still runs after an `export`.
"""

from __future__ import annotations

import re
import threading

BEARER = re.compile(r"(?i)(bearer\s+)(?!\$\{)[A-Za-z0-9._~+/=-]{8,}")
MINTED_KEY = re.compile(r"partly_[0-9a-f]{32}")


class Redactor:
    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}
        self._lock = threading.Lock()

    def register(self, secret: str | None, variable: str) -> None:
        """Replace `secret` by `${variable}` wherever it appears from now on."""
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.setdefault(secret, variable)

    @property
    def secrets(self) -> dict[str, str]:
        return dict(self._secrets)

    def __call__(self, text: str) -> str:
        for secret, variable in sorted(self._secrets.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(secret, "${" + variable + "}")
        # Unknown secrets still never leak: any minted-looking key, any other bearer token.
        text = MINTED_KEY.sub("${MINTED_API_KEY}", text)
        return BEARER.sub(r"\1${UNKNOWN_API_KEY}", text)


REDACT = Redactor()  # one per process; the plugin registers the run's secrets
