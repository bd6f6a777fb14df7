"""The admin's data layer: the accounts (list, add, change, reset, unlock), the audit log
of every change, and the factory register as a screen.

Every change names the admin who made it in the audit log (``kpi.users.AccountAudit``).
Refusals are raised with a message key (``UserError.key``, ``RegisterError.key``) so the
page says why in the admin's language, without any command-line flag.
"""

from __future__ import annotations

import datetime as dt
import re

from dashboards.data import Viewer, require
from kpi.register import Factory, FactoryRegister, RegisterError, current_register, save_factory
from kpi.settings import get_settings
from kpi.users import LoginGuard, UserError, UserStore

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OwnAccount(PermissionError):
    """An admin may not disable, delete or demote the account it is logged in with."""


def _store(viewer: Viewer) -> UserStore:
    return UserStore(get_settings().data_dir, by=viewer.email)


def users(viewer: Viewer) -> list[dict]:
    """Every account: e-mail, role, factory (code and name), status ('active',
    'disabled' or 'locked' with the seconds left) and last login."""
    require(viewer, "admin")
    settings = get_settings()
    names = {f.code: f.name for f in current_register(settings).factories}
    guard = LoginGuard(settings.data_dir)
    rows = []
    for user in UserStore(settings.data_dir).users():
        locked = guard.locked_seconds(user.email)
        rows.append(
            {
                "email": user.email,
                "role": user.role,
                "factory_code": user.factory_code,
                "factory_name": names.get(user.factory_code or "", ""),
                "status": "disabled" if user.disabled else "locked" if locked else "active",
                "locked_seconds": locked,
                "last_login": user.last_login,
            }
        )
    return rows


def add_user(
    viewer: Viewer,
    email: str,
    role: str,
    password: str,
    factory_code: str | None,
    replace: bool = False,
):
    """Create an account; an existing address is refused (``user_exists``) unless the
    admin confirmed to ``replace`` it."""
    require(viewer, "admin")
    if replace and email.strip().lower() == viewer.email:
        raise OwnAccount(email)
    register = current_register(get_settings())
    return _store(viewer).add(
        email, role, password, factory_code or None, known_factories=register.codes, replace=replace
    )


def change_user(
    viewer: Viewer,
    email: str,
    action: str,
    role: str | None = None,
    factory: str | None = None,
    password: str | None = None,
):
    """Change the account ``email``: set_role (role and factory), disable, enable,
    delete, reset_password or unlock. The change reaches that account's open sessions
    at their next page load."""
    require(viewer, "admin")
    if email.strip().lower() == viewer.email and action in ("set_role", "disable", "delete"):
        raise OwnAccount(email)
    settings = get_settings()
    store = _store(viewer)
    if action == "disable":
        return store.set_disabled(email, True)
    if action == "enable":
        return store.set_disabled(email, False)
    if action == "delete":
        return store.delete(email)
    if action == "set_role":
        codes = current_register(settings).codes
        return store.set_role(email, role or "", factory or None, known_factories=codes)
    if action == "reset_password":
        return store.set_password(email, password or "")
    if action == "unlock":
        if email.strip().lower() not in {u.email for u in store.users()}:
            raise UserError("user_no_account", email=email)
        LoginGuard(settings.data_dir).unlock(email)
        store.audit.record(viewer.email, "unlock", email.strip().lower())
        return None
    raise ValueError(f"unknown action {action!r}")


def audit(viewer: Viewer, limit: int = 200) -> list[dict]:
    """The latest changes to accounts and the register: when, who, what, newest first."""
    require(viewer, "admin")
    return _store(viewer).audit.entries()[:limit]


def register(viewer: Viewer) -> FactoryRegister:
    require(viewer, "admin", "coordinator")
    return current_register(get_settings())


def register_managed_elsewhere(viewer: Viewer) -> str | None:
    """The path of a register managed elsewhere (``KPI_FACTORY_REGISTER``), or None when
    the admin edits it here."""
    require(viewer, "admin")
    settings = get_settings()
    return str(settings.factory_register) if settings.register_managed_elsewhere else None


def save(
    viewer: Viewer,
    *,
    new: bool,
    code: str,
    name: str,
    sector: str,
    municipality: str,
    company: str = "",
    contact: str = "",
    language: str = "nl",
    joined: dt.date | None = None,
    left: dt.date | None = None,
) -> Factory:
    """Add (``new``) or change a factory of the register and keep the register in the
    data directory; the change is in the audit log."""
    require(viewer, "admin")
    contact = contact.strip()
    if contact and not _EMAIL.match(contact):
        raise RegisterError("register_contact_invalid", contact=contact)
    if not code.strip():
        raise RegisterError("register_fields_required")
    factory = Factory(
        code=code,
        name=name.strip(),
        sector=sector.strip(),
        municipality=municipality.strip(),
        company=company.strip() or None,
        contact=contact or None,
        language=language if language in ("nl", "en") else None,
        joined=joined,
        left=left,
    )
    settings = get_settings()
    save_factory(settings, factory, new=new)
    changed = factory.model_dump(mode="json", exclude_none=True, exclude={"code"})
    _store(viewer).audit.record(
        viewer.email,
        "factory_add" if new else "factory_change",
        factory.code,
        ", ".join(f"{key}={value}" for key, value in changed.items()),
    )
    return factory
