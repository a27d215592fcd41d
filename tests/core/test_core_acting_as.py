"""core.audit.acting_as: an actor set outside a request ends with its block.

auditlog's own set_actor never resets its context variable, so a user set while building one
test module's data (and rolled back with it) became the actor of the next module's writes:
their audit entries pointed at a missing user, and SQLite's foreign-key check at teardown
failed three tests in CI depending on which files shared a worker."""

from auditlog.context import auditlog_value
from auditlog.models import LogEntry

from dangjian.core.audit import acting_as
from dangjian.testsupport.world import make_member


def _actor():
    return auditlog_value.get({}).get("actor")


def test_actor_is_restored_after_the_block(world):
    secretary, admin = world.user("secretary_a"), world.user("admin")
    assert _actor() is None
    with acting_as(secretary):
        assert _actor() == secretary
        with acting_as(admin):
            assert _actor() == admin
        assert _actor() == secretary
    assert _actor() is None


def test_entries_written_inside_carry_the_actor_and_after_it_none(world):
    secretary = world.user("secretary_a")
    with acting_as(secretary):
        inside = make_member(world.branch_a, name="审计甲")
    after = make_member(world.branch_a, name="审计乙")
    entry = LogEntry.objects.get_for_object(inside).get(action=LogEntry.Action.CREATE)
    assert entry.actor_id == secretary.pk
    assert LogEntry.objects.get_for_object(after).get(action=LogEntry.Action.CREATE).actor_id is None


def test_the_actor_is_restored_even_when_the_block_fails(world):
    try:
        with acting_as(world.user("secretary_a")):
            raise ValueError("保存失败")
    except ValueError:
        pass
    assert _actor() is None
