"""A factory user sees its own values and anonymous peers, never another factory's
values, name, code or submissions - whatever it sends. Checked at the data layer, where
the rule is enforced, and through the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards import admin, data
from dashboards.data import AccessDenied, Viewer
from kpi.register import load_register
from kpi.serving import open_snapshot
from kpi.settings import REPO_ROOT
from tests.dashboards.conftest import ACCOUNTS, FACTORIES
from tests.dashboards.test_pages import log_in, open_page, texts

F01 = Viewer(*ACCOUNTS["factory"])
F02 = Viewer(*ACCOUNTS["other_factory"])
COORDINATOR = Viewer(*ACCOUNTS["coordinator"])
CITY = Viewer(*ACCOUNTS["city"])
ADMIN = Viewer(*ACCOUNTS["admin"])
START, END = dt.date(2015, 1, 1), dt.date(2030, 1, 1)


def test_own_series_holds_only_the_viewers_own_values(env):
    mine = data.own_series(F01, "oee", "network", START, END)
    theirs = data.own_series(F02, "oee", "network", START, END)
    with open_snapshot(env.serving_path) as con:
        expected = [
            v
            for (v,) in con.execute(
                "SELECT value FROM own_kpis WHERE kpi = 'oee' AND factory_code = 'F01' "
                "ORDER BY period"
            ).fetchall()
        ]
    assert mine["value"].to_list() == expected
    assert mine["value"].to_list() != theirs["value"].to_list()


def test_the_dashboards_never_read_the_pseudonym_key(env, monkeypatch):
    """The dashboard process holds nothing that re-identifies a factory: every page's data
    works without the key, and the snapshot holds no pseudonym to re-identify."""
    import kpi.pseudonym

    def refuse(*args, **kwargs):
        raise AssertionError("the dashboards read the pseudonym key")

    monkeypatch.setattr(kpi.pseudonym, "load_or_create_key", refuse)
    data.clear_cache()
    for role in ("factory", "coordinator", "city"):
        app = log_in(role)
        assert not app.exception
    assert data.own_month(F01, "efficiency", data.months(F01)[-1], "network").height
    with open_snapshot(env.serving_path) as con:
        columns = con.execute(
            "SELECT DISTINCT column_name FROM information_schema.columns"
        ).fetchall()
    assert not [c for (c,) in columns if "pseudonym" in c]


def test_the_coordinator_sees_reasons_but_never_values(env):
    refused = data.submissions(COORDINATOR)
    assert "errors" not in refused.columns and "warnings" not in refused.columns
    for reasons in refused["reasons"].to_list():
        for item in __import__("json").loads(reasons):
            assert set(item) == {"severity", "rule", "row", "column"}


def test_a_factory_sees_only_its_own_submissions(env):
    own = data.submissions(F01)
    assert own.height > 0
    assert set(own["factory_code"]) == {"F01"}
    assert set(data.submissions(COORDINATOR)["factory_code"]) == set(FACTORIES)


@pytest.mark.parametrize(
    ("call", "viewers"),
    [
        (lambda v: data.own_series(v, "oee", "network", START, END), [COORDINATOR, CITY, ADMIN]),
        (lambda v: data.own_month(v, "efficiency", END, "network"), [COORDINATOR, CITY, ADMIN]),
        (lambda v: data.submission_grid(v), [F01, CITY, ADMIN]),
        (lambda v: data.submissions(v), [CITY, ADMIN]),
        (lambda v: data.region_indicators(v), [F01, ADMIN]),
        (lambda v: data.network_distribution(v, "oee", START, END), [CITY, ADMIN]),
        (lambda v: admin.users(v), [F01, COORDINATOR, CITY]),
        (lambda v: data.check_and_submit(v, "quality", "x.csv", b"x"), [COORDINATOR, CITY, ADMIN]),
    ],
)
def test_each_role_gets_nothing_it_may_not_see(env, call, viewers):
    for viewer in viewers:
        with pytest.raises(AccessDenied):
            call(viewer)


def test_a_factory_user_without_a_factory_gets_nothing(env):
    with pytest.raises(AccessDenied):
        data.own_series(Viewer("x@test.example", "factory", None), "oee", "network", START, END)


def test_peer_group_cannot_be_smuggled_in(env):
    with pytest.raises(ValueError):
        data.own_series(F01, "oee", "sector:powertrain' OR 1=1 --", START, END)


def test_forged_session_state_logs_out(env):
    app = log_in("factory")
    app.session_state["_auth_token"] = "forged-token"
    app.session_state["viewer"] = Viewer("f02@test.example", "factory", "F02")
    app.run()
    assert [b.label for b in app.button] == ["Aanmelden"]
    assert not app.dataframe


def test_query_parameters_do_not_change_whose_data_is_shown(env):
    app = open_page(log_in("factory"), "benchmark")
    before = app.dataframe[0].value.to_string()
    app.query_params["factory"] = "F02"
    app.query_params["factory_code"] = "F02"
    app.run()
    assert app.dataframe[0].value.to_string() == before


def test_factory_pages_never_name_another_factory(env):
    register = load_register(REPO_ROOT / "config" / "factories.yaml")
    others = [f for f in register.factories if f.code != "F01"]
    app = log_in("factory")
    for page in ("upload", "benchmark", "definitions"):
        page_text = texts(open_page(app, page))
        for factory in others:
            assert factory.code not in page_text, (page, factory.code)
            assert factory.name not in page_text, (page, factory.name)


def test_cache_is_keyed_by_viewer(env):
    """The same question by two factories gets two answers (no cross-user cache hits)."""
    assert not data.own_series(F01, "oee", "network", START, END).equals(
        data.own_series(F02, "oee", "network", START, END)
    )


def test_submission_grid_marks_late_and_missing_factories(env):
    grid = data.submission_grid(COORDINATOR, month_count=3, today=dt.date(2026, 1, 10))
    status = {
        (r["factory_code"], r["dataset"], r["month"]): r["status"]
        for r in grid.iter_rows(named=True)
    }
    assert status[("F01", "people", "2025-12")] == "ok"
    assert status[("F03", "people", "2025-12")] == "late"  # F03 sent nothing
    assert status[("F03", "people", "2025-10")] == "missing"
    assert len(grid) == 12 * 4 * 3  # every factory of the register, dataset and month
