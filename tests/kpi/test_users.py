"""Accounts: argon2 hashes only, private file, guessing slowed down, OIDC claim mapping."""

from __future__ import annotations

import stat

import pytest
from typer.testing import CliRunner

from dashboards.auth import role_from_claims
from dashboards.data import Viewer
from kpi.cli import app
from kpi.users import LOCK_SECONDS, MAX_FAILURES, LoginGuard, UserError, UserStore


def test_passwords_are_stored_as_argon2_hashes_in_a_private_file(settings):
    store = UserStore(settings.data_dir)
    store.add("Kwaliteit@F01.example", "factory", "correct horse battery", "f01")
    text = store.path.read_text()
    assert "correct horse battery" not in text
    assert "$argon2id$" in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    user = store.verify("kwaliteit@f01.example", "correct horse battery")
    assert (user.email, user.role, user.factory_code) == ("kwaliteit@f01.example", "factory", "F01")
    assert store.verify("kwaliteit@f01.example", "wrong horse battery") is None
    assert store.verify("nobody@f01.example", "correct horse battery") is None


@pytest.mark.parametrize(
    ("email", "role", "password", "factory"),
    [
        ("not-an-email", "city", "long-enough-1", None),
        ("a@b.be", "mayor", "long-enough-1", None),
        ("a@b.be", "factory", "long-enough-1", None),
        ("a@b.be", "factory", "long-enough-1", "F99"),
        ("a@b.be", "city", "long-enough-1", "F01"),
        ("a@b.be", "city", "short", None),
    ],
)
def test_accounts_that_cannot_be_made(settings, email, role, password, factory):
    with pytest.raises(UserError):
        UserStore(settings.data_dir).add(
            email, role, password, factory, known_factories=["F01", "F02"]
        )


def test_guessing_locks_the_account_for_a_while(settings):
    now = [1_000_000.0]
    guard = LoginGuard(settings.data_dir, clock=lambda: now[0])
    for _ in range(MAX_FAILURES - 1):
        guard.failed("city@x.be")
    assert guard.seconds_locked("city@x.be") == 0
    guard.failed("CITY@x.be")
    assert guard.seconds_locked("city@x.be") == LOCK_SECONDS
    assert guard.seconds_locked("other@x.be") == 0
    now[0] += LOCK_SECONDS + 1
    assert guard.seconds_locked("city@x.be") == 0
    guard.failed("city@x.be")  # a fresh window: one failure, not locked
    assert guard.seconds_locked("city@x.be") == 0
    guard.succeeded("city@x.be")
    assert "city@x.be" not in guard.path.read_text()


def test_kpi_user_add_reads_the_password_from_stdin(settings):
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["user", "add", "hr@f02.example", "--role", "factory", "--factory", "F02"],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
    assert UserStore(settings.data_dir).verify("hr@f02.example", "a-long-password")
    refused = runner.invoke(
        app, ["user", "add", "x@f02.example", "--role", "factory"], input="a-long-password\n"
    )
    assert refused.exit_code == 2
    assert "--factory" in refused.output


def test_oidc_claims_map_to_roles(tmp_path):
    mapping = tmp_path / "auth.yaml"
    mapping.write_text(
        "role_claim: groups\nroles:\n"
        "  - {claim_value: kpi-city, role: city}\n"
        "  - {claim_value: plant-f07, role: factory, factory: F07}\n"
    )
    assert role_from_claims({"email": "a@stad.be", "groups": ["kpi-city"]}, mapping) == Viewer(
        "a@stad.be", "city", None
    )
    assert role_from_claims({"email": "b@f07.be", "groups": "plant-f07"}, mapping) == Viewer(
        "b@f07.be", "factory", "F07"
    )
    assert role_from_claims({"email": "c@x.be", "groups": ["other"]}, mapping) is None
