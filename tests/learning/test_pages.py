"""The learning pages for their roles (Streamlit AppTest), on the dashboards' test data:
six factories with the same figures, so nobody lies below a median."""

from __future__ import annotations

from tests.dashboards.conftest import env, published  # noqa: F401 (fixtures)
from tests.dashboards.test_pages import log_in, open_page, texts


def test_a_factory_is_told_why_it_cannot_ask_and_sees_no_names(env):  # noqa: F811
    app = open_page(log_in("factory"), "learning")
    assert [t.value for t in app.title] == ["Leerpartners"]
    shown = texts(app)
    assert "U hebt geen open vragen." in shown
    assert "minder dan 5 andere fabrieken bieden aan (aantal niet getoond)" in shown
    app.selectbox[0].set_value("oee")
    ask = next(b for b in app.button if b.label == "Partner vragen")
    ask.click().run()
    assert [e.value for e in app.error] == [
        "Uw waarde van OEE in 2025-12 ligt niet onder de mediaan van het netwerk: u kunt "
        "een partner vragen op een KPI waar u onder de mediaan ligt."
    ]
    assert "U hebt geen open vragen." in texts(app)


def test_the_coordinator_sees_the_learning_network(env):  # noqa: F811
    app = open_page(log_in("coordinator"), "learning_network")
    assert [t.value for t in app.title] == ["Leerpartners"]
    assert "Kennismakingen" in [h.value for h in app.subheader]
    assert "Geen." in texts(app)


def test_other_roles_have_no_learning_pages(env):  # noqa: F811
    import pytest

    for who in ("city", "admin"):
        app = log_in(who)
        for page in ("learning", "learning_network"):
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                app.switch_page(f"views/{page}.py")
