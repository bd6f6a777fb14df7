"""Local accounts of the embedded deployment: argon2-hashed passwords in the data dir,
and a guard that slows down password guessing.

Passwords are never stored or logged in clear. When an OIDC provider is configured the
dashboards use it instead (see ``dashboards/auth.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from filelock import FileLock

Role = Literal["factory", "coordinator", "city", "admin"]
ROLES: tuple[Role, ...] = ("factory", "coordinator", "city", "admin")
MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """Who may log in, with which role, and for which factory (factory users only)."""

    email: str
    role: Role
    factory_code: str | None = None


class UserError(ValueError):
    """A user that cannot be created as asked (the message says why)."""


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


class UserStore:
    """The users file (``$KPI_DATA_DIR/users.json``, mode 0600)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "users.json"
        self._lock = FileLock(str(data_dir / ".users.lock"))

    def _load(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def users(self) -> list[User]:
        return [
            User(email, record["role"], record.get("factory_code"))
            for email, record in sorted(self._load().items())
        ]

    def add(
        self,
        email: str,
        role: str,
        password: str,
        factory_code: str | None = None,
        *,
        known_factories: list[str] | None = None,
    ) -> User:
        """Create or replace the account ``email``."""
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise UserError(f"'{email}' is geen e-mailadres / is not an e-mail address")
        if role not in ROLES:
            raise UserError(f"rol/role must be one of {', '.join(ROLES)}")
        if role == "factory":
            if not factory_code:
                raise UserError(
                    "een fabrieksgebruiker heeft --factory nodig / a factory user needs --factory"
                )
            factory_code = factory_code.strip().upper()
            if known_factories is not None and factory_code not in known_factories:
                raise UserError(
                    f"'{factory_code}' staat niet in het register / is not in the register"
                )
        elif factory_code:
            raise UserError("--factory hoort alleen bij de rol factory / only for role factory")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(
                f"wachtwoord te kort (minstens {MIN_PASSWORD_LENGTH} tekens) / "
                f"password too short (at least {MIN_PASSWORD_LENGTH} characters)"
            )
        with self._lock:
            records = self._load()
            records[email] = {
                "role": role,
                "factory_code": factory_code,
                "password_hash": _hasher.hash(password),
            }
            _write_private(self.path, json.dumps(records, indent=2))
        return User(email, role, factory_code)  # type: ignore[arg-type]

    def verify(self, email: str, password: str) -> User | None:
        """The user, when the password is right; None otherwise (also for unknown e-mail)."""
        record = self._load().get(email.strip().lower())
        if record is None:
            # spend the same time as a real check: no telling which e-mails exist
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            return None
        try:
            _hasher.verify(record["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(email.strip().lower(), record["role"], record.get("factory_code"))


_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


@dataclass
class _Failures:
    count: int
    last: float


class LoginGuard:
    """After ``MAX_FAILURES`` failed logins for one e-mail address, refuse that address
    for ``LOCK_SECONDS`` (shared by every dashboard process through a file)."""

    def __init__(self, data_dir: Path, clock=time.time) -> None:
        self.path = data_dir / "auth" / "failed-logins.json"
        self._lock = FileLock(str(data_dir / ".failed-logins.lock"))
        self._clock = clock

    def _load(self) -> dict[str, _Failures]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {email: _Failures(**entry) for email, entry in data.items()}

    def _save(self, entries: dict[str, _Failures]) -> None:
        _write_private(self.path, json.dumps({k: asdict(v) for k, v in entries.items()}))

    def seconds_locked(self, email: str) -> int:
        entry = self._load().get(email.strip().lower())
        if entry is None or entry.count < MAX_FAILURES:
            return 0
        return max(0, int(entry.last + LOCK_SECONDS - self._clock()))

    def failed(self, email: str) -> None:
        key = email.strip().lower()
        with self._lock:
            entries = self._load()
            entry = entries.get(key)
            now = self._clock()
            if entry is None or now - entry.last > LOCK_SECONDS:
                entry = _Failures(0, now)
            entries[key] = _Failures(entry.count + 1, now)
            self._save(entries)

    def succeeded(self, email: str) -> None:
        key = email.strip().lower()
        with self._lock:
            entries = self._load()
            if entries.pop(key, None) is not None:
                self._save(entries)
