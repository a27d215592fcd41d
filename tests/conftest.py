import pytest


@pytest.fixture
def world(db):
    """One 区委 → 镇党委 → branches A (with a 党小组) and B, members, one account per role."""
    from dangjian.core.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client, world):
    """client_for("secretary_a") → a test client logged in as that world user."""

    def login(key):
        from django.test import Client

        c = Client()
        c.force_login(world.user(key))
        return c

    return login
