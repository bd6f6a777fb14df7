"""The self-scan page for each role (Streamlit AppTest): a factory saves half its scan,
finds it again, submits it whole into the landing zone; the coordinator and the city see
the network's profile only; the definitions page lists every statement."""

from __future__ import annotations

from kpi.maturity import drafts
from kpi.maturity.statements import statements, transformations
from kpi.settings import get_settings
from tests.dashboards.test_pages import log_in, open_page, rendered, texts


def answer_and_save(app, transformation, score: int):
    for statement in transformation.statements:
        app.radio(key=f"selfscan-2026-{statement.column}").set_value(score)
    save = next(
        b
        for b in app.button
        if b.label == "Bewaren" and b.key and transformation.key in str(b.id)  # its form's
    )
    return save.click().run()


def test_a_factory_saves_half_its_scan_and_submits_it_whole(env, monkeypatch):
    monkeypatch.setenv("KPI_TODAY", "2026-11-25")
    app = open_page(log_in("factory"), "selfscan")
    assert app.title[0].value == "Factory of the Future-zelfscan"
    assert "Er is nog geen zelfscan van uw fabriek verwerkt" in texts(app)
    first, *rest = transformations()
    app = answer_and_save(app, first, 4)
    assert not app.exception, [e.value for e in app.exception]
    page = texts(app)
    assert f"{first.label('nl')} bewaard. 4 van 28 stellingen beantwoord." in page
    assert "Nog niet in te dienen: 24 stelling(en) zonder antwoord" in page
    saved = drafts.load_draft(get_settings(), "F01", 2026)
    assert saved.scores == {s.column: 4 for s in first.statements}
    assert saved.saved_by == "f01@test.example" and saved.submitted_at is None

    # coming back in a new session: the answers are there
    app = open_page(log_in("factory"), "selfscan")
    assert app.radio(key=f"selfscan-2026-{first.statements[0].column}").value == 4
    assert "4 van 28 stellingen beantwoord" in texts(app) + str(
        [p.proto.text for p in app.get("progress")]
    )
    for transformation in rest:
        app = answer_and_save(app, transformation, 3)
    submit = next(b for b in app.button if b.label == "Scan 2026 indienen")
    assert not submit.disabled
    app = submit.click().run()
    assert "Scan 2026 ingediend" in texts(app)
    waiting = list((get_settings().pending_dir / "maturity" / "F01").glob("*.csv"))
    assert len(waiting) == 1
    assert drafts.load_draft(get_settings(), "F01", 2026).submitted_at is not None
    # the other factory has no draft: nothing of F01's answers reaches it
    assert drafts.load_draft(get_settings(), "F02", 2026).scores == {}
    app = open_page(log_in("other_factory"), "selfscan")
    assert "0 van 28" in str([p.proto.text for p in app.get("progress")])


def test_coordinator_and_city_see_the_networks_profile_only(env):
    for who in ("coordinator", "city"):
        app = open_page(log_in(who), "selfscan")
        page = texts(app)
        assert "Het profiel van het netwerk" in page
        assert "Er is nog geen zelfscan vrijgegeven." in page
        assert not app.tabs and not app.radio  # no form, no own profile
        assert "F01" not in page


def test_the_definitions_page_lists_every_statement(env):
    app = open_page(log_in("city"), "definitions")
    page = rendered(texts(app))
    assert "wcm_lean_flow" in page and "score 1-5" in page
    for statement in statements():
        assert statement.text("nl") in page


def test_the_network_page_lists_a_carried_out_self_scan_request(env):
    import datetime as dt

    from kpi.disclosure.requests import SCAN_ACTIONS, mark_done, pending_requests, place_request

    place_request(get_settings(), "close_scan", dt.date(2026, 1, 1), "coordinator@test.example")
    (request,) = pending_requests(get_settings(), SCAN_ACTIONS)
    mark_done(get_settings(), request, [{"period": "2026-01-01", "action": "released"}])
    app = open_page(log_in("coordinator"), "network")
    assert not app.exception
    assert "zelfscan vrijgeven 2026" in rendered(texts(app))
