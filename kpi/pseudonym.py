"""Stable pseudonyms for factories: a keyed HMAC of the factory code.

The key comes from ``KPI_PSEUDONYM_KEY`` or is generated once into the data directory
(mode 0600). It is never committed: whoever holds it can link pseudonyms to codes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kpi.register import normal_code
from kpi.settings import Settings

KEY_FILE_NAME = "pseudonym.key"


def load_or_create_key(settings: Settings) -> bytes:
    """The network secret: from the environment, else from (or newly into) the data dir."""
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode("utf-8")
    key_path = settings.data_dir / KEY_FILE_NAME
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(key_path, secrets.token_hex(32))
    return key_path.read_text(encoding="utf-8").strip().encode("utf-8")


def _write_private(path: Path, content: str) -> None:
    # O_EXCL: two processes starting at once must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content + "\n")


def pseudonymise(code: str, key: bytes) -> str:
    """The pseudonym of a factory code, e.g. ``P-3fa2c81b09d4`` (same code, same key: same)."""
    digest = hmac.new(key, normal_code(code).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"P-{digest[:12]}"
