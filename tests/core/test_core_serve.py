"""manage.py serve: refuses nonsense counts; starts and stops its task workers."""

import pytest
from django.core.management import CommandError, call_command


def test_serve_refuses_negative_counts():
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("serve", workers=-1)
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("serve", task_workers=-2)


def test_task_workers_are_real_db_workers():
    from dangjian.ops.management.commands.serve import Command

    cmd = Command()
    assert cmd._start_task_workers(0) == []
    procs = cmd._start_task_workers(1)
    try:
        assert len(procs) == 1 and procs[0].args[-4:] == ["db_worker", "--interval", "1", "--no-reload"]
        assert procs[0].poll() is None
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
