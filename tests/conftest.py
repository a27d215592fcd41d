import pytest


@pytest.fixture
def world(db):
    """One 区委 → 镇党委 → branches A (with a 党小组) and B, members, one account per role."""
    from dangjian.testsupport.world import build_world

    return build_world()


@pytest.fixture
def committed_world(transactional_db):
    """The same world committed for real, with the cache emptied: for tests of what a commit
    invalidates (core.cache tokens move on commit)."""
    from django.core.cache import cache

    from dangjian.testsupport.world import build_world

    cache.clear()
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


@pytest.fixture(autouse=True)
def _fresh_audit_context():
    """django-auditlog keeps the last request's actor in a context variable; a test must not
    inherit a user from an earlier test (who no longer exists in its database)."""
    from auditlog.context import auditlog_value

    token = auditlog_value.set({})
    yield
    auditlog_value.reset(token)


@pytest.fixture(scope="module", autouse=True)
def _fresh_audit_context_per_module():
    """The same for the module-scoped worlds (built before any test's own reset): a world must
    not be built under an actor an earlier module's fixture left behind and rolled back."""
    from auditlog.context import auditlog_value

    token = auditlog_value.set({})
    yield
    auditlog_value.reset(token)
