"""Local accounts of the embedded deployment: argon2-hashed passwords in the data dir,
accounts that can be disabled, changed and deleted, and a guard that slows down password
guessing.

Passwords are never stored or logged in clear, and none from a list of common passwords
is accepted. When an OIDC provider is configured the dashboards use it instead (see
``dashboards/auth.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from filelock import FileLock, Timeout

from kpi.register import normal_code

Role = Literal["factory", "coordinator", "city", "admin"]
ROLES: tuple[Role, ...] = ("factory", "coordinator", "city", "admin")
MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """Who may log in, with which role, and for which factory (factory users only)."""

    email: str
    role: Role
    factory_code: str | None = None
    disabled: bool = False
    last_login: str | None = field(default=None, compare=False)
    """When the account last logged in with its password (UTC, ISO 8601)."""


class UserError(ValueError):
    """A user that cannot be created or changed as asked: ``key`` is the message (see
    kpi/i18n.py) that says why in the reader's language; ``str()`` gives both."""

    def __init__(self, key: str, **params: object) -> None:
        from kpi.i18n import both_languages

        super().__init__(both_languages(key, **params))
        self.key = key
        self.params = params


class AccountAudit:
    """Every change to an account or the factory register: who, what, when
    (``$KPI_DATA_DIR/audit/admin.jsonl``, one JSON object a line, mode 0600)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "audit" / "admin.jsonl"

    def record(self, by: str | None, action: str, target: str, detail: str = "") -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "by": by or "?",
            "action": action,
            "target": target,
            "detail": detail,
        }
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")

    def entries(self) -> list[dict]:
        """Every change, newest first."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in reversed(lines) if line.strip()]


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list, from leaked password sets)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used (both languages), or None when it may."""
    problem = _password_problem(password)
    return None if problem is None else str(problem)


def _password_problem(password: str) -> UserError | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return UserError("user_password_short", length=MIN_PASSWORD_LENGTH)
    if password.lower() in _common_passwords():
        return UserError("user_password_common")
    return None


class UserStore:
    """The users file (``$KPI_DATA_DIR/users.json``, mode 0600)."""

    def __init__(self, data_dir: Path, by: str | None = None) -> None:
        """``by``: who makes the changes (the audit log names them)."""
        self.path = data_dir / "users.json"
        self._lock = FileLock(str(data_dir / ".users.lock"))
        self.audit = AccountAudit(data_dir)
        self.by = by

    def _load(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    @staticmethod
    def _user(email: str, record: dict) -> User:
        return User(
            email,
            record["role"],
            record.get("factory_code"),
            bool(record.get("disabled")),
            record.get("last_login"),
        )

    def users(self) -> list[User]:
        """Every account, disabled ones too."""
        return [self._user(email, record) for email, record in sorted(self._load().items())]

    def get(self, email: str) -> User | None:
        """The account ``email`` as it is now, or None when it is deleted or disabled."""
        record = self._load().get(email.strip().lower())
        if record is None or record.get("disabled"):
            return None
        return self._user(email.strip().lower(), record)

    @staticmethod
    def _role(
        role: str, factory_code: str | None, known_factories: list[str] | None
    ) -> tuple[Role, str | None]:
        if role not in ROLES:
            raise UserError("user_role_invalid", roles=", ".join(ROLES))
        if role == "factory":
            if not factory_code:
                raise UserError("user_factory_needed")
            factory_code = normal_code(factory_code)
            if known_factories is not None and factory_code not in known_factories:
                raise UserError("user_factory_unknown", code=factory_code)
        elif factory_code:
            raise UserError("user_factory_only_for_factory")
        return role, factory_code  # type: ignore[return-value]

    def add(
        self,
        email: str,
        role: str,
        password: str,
        factory_code: str | None = None,
        *,
        known_factories: list[str] | None = None,
        replace: bool = False,
    ) -> User:
        """Create the account ``email`` (enabled, with this password). An existing
        address is refused (``user_exists``) unless ``replace`` is given: then the account
        is replaced (new role, factory and password)."""
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise UserError("user_not_email", email=email)
        role, factory_code = self._role(role, factory_code, known_factories)
        problem = _password_problem(password)
        if problem:
            raise problem
        with self._lock:
            records = self._load()
            existed = email in records
            if existed and not replace:
                raise UserError("user_exists", email=email)
            records[email] = {
                "role": role,
                "factory_code": factory_code,
                "password_hash": _hasher.hash(password),
            }
            _write_private(self.path, json.dumps(records, indent=2))
        where = f" {factory_code}" if factory_code else ""
        self.audit.record(self.by, "replace" if existed else "add", email, f"{role}{where}")
        return User(email, role, factory_code)

    def _change(
        self, email: str, change: Callable[[dict], dict | None], action: str = "", detail: str = ""
    ) -> User | None:
        email = email.strip().lower()
        with self._lock:
            records = self._load()
            if email not in records:
                raise UserError("user_no_account", email=email)
            record = change(dict(records[email]))
            if record is None:
                del records[email]
            else:
                records[email] = record
            _write_private(self.path, json.dumps(records, indent=2))
        if action:
            self.audit.record(self.by, action, email, detail)
        return None if record is None else self._user(email, record)

    def set_disabled(self, email: str, disabled: bool) -> User:
        """Disable (or enable again) ``email``: a disabled account cannot log in, and its
        open sessions end at their next page load."""
        user = self._change(
            email,
            lambda record: {**record, "disabled": disabled},
            "disable" if disabled else "enable",
        )
        assert user is not None
        return user

    def set_role(
        self,
        email: str,
        role: str,
        factory_code: str | None = None,
        *,
        known_factories: list[str] | None = None,
    ) -> User:
        """Give ``email`` another role (and factory); its open sessions get it at once."""
        role, factory_code = self._role(role, factory_code, known_factories)
        user = self._change(
            email,
            lambda record: {**record, "role": role, "factory_code": factory_code},
            "set_role",
            f"{role} {factory_code}" if factory_code else role,
        )
        assert user is not None
        return user

    def delete(self, email: str) -> None:
        """Remove the account ``email``; its open sessions end at their next page load."""
        self._change(email, lambda record: None, "delete")

    def set_password(self, email: str, password: str) -> User:
        """Give ``email`` a new password (a reset by the admin); refused like a new one."""
        problem = _password_problem(password)
        if problem:
            raise problem
        hashed = _hasher.hash(password)
        user = self._change(email, lambda record: {**record, "password_hash": hashed}, "reset")
        assert user is not None
        return user

    def record_login(self, email: str) -> None:
        """Note when ``email`` logged in (shown to the admin as its last login)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with contextlib.suppress(UserError, OSError, Timeout):
            self._change(email, lambda record: {**record, "last_login": now})

    def verify(self, email: str, password: str) -> User | None:
        """The user, when the password is right and the account enabled; None otherwise
        (also for an unknown e-mail)."""
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
        if record.get("disabled"):
            return None
        self.record_login(email)
        return self._user(email.strip().lower(), record)


_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


# --- guessing ---------------------------------------------------------------------------

FREE_ATTEMPTS = {"pair": 5, "client": 20, "account": 50}
"""Failed logins allowed before waiting: of one client on one account, of one client on
any account (spraying), and of any client on one account (a distributed guess). One
client guessing at an account slows only itself down on that account; the account's own
counter is high enough that locking someone else out takes many clients."""
FIRST_WAIT_SECONDS = 30
MAX_WAIT_SECONDS = 15 * 60
FORGET_SECONDS = 24 * 3600
MAX_ENTRIES = 10_000


class LoginUnavailable(RuntimeError):
    """The guard cannot record attempts (e.g. a read-only data directory): nobody may try
    a password until it can (fail closed)."""


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of one login: the user, or how long to wait before trying again."""

    user: User | None
    wait_seconds: int = 0


class LoginGuard:
    """Exponential back-off on failed logins, shared by every dashboard process through a
    file: after ``FREE_ATTEMPTS`` failures of a kind, the next attempt waits
    ``FIRST_WAIT_SECONDS``, doubling with each further failure up to ``MAX_WAIT_SECONDS``.

    An attempt is counted *before* its password is checked, under the file lock, so
    parallel attempts cannot get past the limit; if it cannot be counted, it is refused.
    The file holds only hashes of e-mail addresses and client addresses, forgets them a
    day after their last failure and keeps at most ``max_entries``.
    """

    def __init__(self, data_dir: Path, clock=time.time, max_entries: int = MAX_ENTRIES) -> None:
        self.path = data_dir / "auth" / "failed-logins.json"
        self._lock = FileLock(str(data_dir / ".failed-logins.lock"), timeout=10)
        self._clock = clock
        self.max_entries = max_entries

    @staticmethod
    def _keys(email: str, client: str) -> dict[str, str]:
        account = email.strip().lower()

        def digest(*parts: str) -> str:
            return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]

        # a pair's key starts with its account's, so the admin can unlock an account
        return {
            "pair": f"pair:{digest(account)[:16]}:{digest(client, account)}",
            "client": "client:" + digest(client),
            "account": "account:" + digest(account),
        }

    def _load(self) -> dict[str, list[float]]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _save(self, entries: dict[str, list[float]]) -> None:
        now = self._clock()
        kept = {k: v for k, v in entries.items() if now - v[1] <= FORGET_SECONDS}
        if len(kept) > self.max_entries:
            newest = sorted(kept.items(), key=lambda item: item[1][1])[-self.max_entries :]
            kept = dict(newest)
        _write_private(self.path, json.dumps(kept))

    def _wait(self, entries: dict[str, list[float]], keys: dict[str, str]) -> int:
        now = self._clock()
        waits = [0.0]
        for kind, key in keys.items():
            failures, last = entries.get(key, (0, 0.0))
            if now - last > FORGET_SECONDS or failures < FREE_ATTEMPTS[kind]:
                continue
            extra = int(failures) - FREE_ATTEMPTS[kind]
            delay = min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** min(extra, 32))
            waits.append(last + delay - now)
        return max(0, int(max(waits) + 0.999))

    def wait_seconds(self, email: str, client: str) -> int:
        """How long ``client`` must wait before it may try a password for ``email``."""
        try:
            return self._wait(self._load(), self._keys(email, client))
        except (OSError, ValueError) as exc:
            raise LoginUnavailable(str(exc)) from exc

    def locked_seconds(self, email: str) -> int:
        """How long ``email`` stays locked for the client that failed on it most (0: not
        locked): what the admin sees as a locked account."""
        keys = self._keys(email, "")
        prefix = keys["pair"].rsplit(":", 1)[0] + ":"
        entries = self._load()
        pairs = {key: key for key in entries if key.startswith(prefix)}
        waits = [self._wait(entries, {"account": keys["account"]})]
        waits += [self._wait(entries, {"pair": key}) for key in pairs]
        return max(waits)

    def unlock(self, email: str) -> None:
        """Forget the failed logins on ``email`` (from any client): it may log in at once."""
        keys = self._keys(email, "")
        prefix = keys["pair"].rsplit(":", 1)[0] + ":"
        with self._lock:
            entries = self._load()
            kept = {
                key: value
                for key, value in entries.items()
                if key != keys["account"] and not key.startswith(prefix)
            }
            self._save(kept)

    def attempt(self, email: str, client: str, verify: Callable[[], User | None]) -> LoginAttempt:
        """Count an attempt of ``client`` on ``email``, then ``verify`` the password (only
        when no wait applies). Raises :class:`LoginUnavailable` when the attempt cannot
        be recorded: then no password is checked at all."""
        keys = self._keys(email, client)
        try:
            with self._lock:
                entries = self._load()
                wait = self._wait(entries, keys)
                if wait:
                    return LoginAttempt(None, wait)
                now = self._clock()
                for key in keys.values():
                    failures, last = entries.get(key, (0, now))
                    if now - last > FORGET_SECONDS:
                        failures = 0
                    entries[key] = [failures + 1, now]
                self._save(entries)
        except (OSError, ValueError, Timeout) as exc:
            raise LoginUnavailable(str(exc)) from exc
        user = verify()
        if user is not None:
            self._succeeded(keys)
        return LoginAttempt(user)

    def _succeeded(self, keys: dict[str, str]) -> None:
        """The right password: the counted attempt was no failure. The account and this
        client's attempts on it start afresh; the client's spraying count only loses
        this one attempt."""
        # when it cannot be saved the user is still let in: it only keeps counts higher
        with contextlib.suppress(OSError, ValueError, Timeout), self._lock:
            entries = self._load()
            entries.pop(keys["pair"], None)
            entries.pop(keys["account"], None)
            client = entries.get(keys["client"])
            if client is not None:
                client[0] = max(0, client[0] - 1)
            self._save(entries)
