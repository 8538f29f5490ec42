from __future__ import annotations

import pytest

from relais.actor import Actor
from training.services.assessments import framework_ensure


@pytest.fixture
def framework_a(world_a):
    """The seeded framework in tenant A (the test worlds are made without the workspace setup hooks)."""
    framework_ensure(actor=Actor.system(world_a.tenant))
    return world_a


@pytest.fixture
def frameworks(worlds):
    for world in worlds:
        framework_ensure(actor=Actor.system(world.tenant))
    return worlds
