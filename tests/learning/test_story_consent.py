"""Finding 5 of the attack review: one success-story consent kept publishing the plant's
new quartiles every month for a year (the coordinator could follow its quartile month by
month, and the story's disappearing said it fell back). A consent is to the story as the
plant saw it: its two months and its two quartiles; the next release asks again."""

from __future__ import annotations

import datetime as dt

from dashboards import learning
from tests.disclosure.test_attacks import MONTHS


def test_a_story_consent_covers_that_story_only(net):
    """The network of tests/learning/conftest.py, which this test module then moves on
    by a month."""
    loop = learning.learning(net.coordinator)
    agreed = {}
    for kpi in loop.requestable():
        for story in loop.qualifying(kpi):
            learning.set_story_consent(net.factory(story.factory), kpi, True)
            agreed[(story.factory, kpi)] = story
    assert len(learning.success_stories(net.coordinator)) == len(agreed)
    # the next month is released: the stories now run a month later
    net.store_months(MONTHS[-1:])
    net.cycle(dt.date(2026, 2, 25))
    loop = learning.learning(net.coordinator)
    still = [
        story
        for kpi in loop.requestable()
        for story in loop.qualifying(kpi)
        if (story.factory, kpi) in agreed
    ]
    assert still, "no plant of the demo network qualifies in both months"
    assert all(s.until == dt.date(2026, 1, 1) for s in still)
    # none of them is published on the consent given to last month's story ...
    assert learning.success_stories(net.coordinator) == []
    story = still[0]
    viewer = net.factory(story.factory)
    [mine] = [s for s in learning.own_stories(viewer) if s["story"].kpi == story.kpi]
    assert not mine["named"]
    # ... until the plant agrees to the new one
    learning.set_story_consent(viewer, story.kpi, True)
    [shown] = learning.success_stories(net.coordinator)
    assert (shown["story"], shown["partner"].name) == (story, f"Demo Attack Plant {story.factory}")
    learning.set_story_consent(viewer, story.kpi, False)
    assert learning.success_stories(net.coordinator) == []
