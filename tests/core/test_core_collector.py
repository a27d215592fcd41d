"""core.collector.paused: the cyclic collector is off inside the block, back on after it, and
what became cyclic garbage inside is still collected later."""

import gc
import weakref

from dangjian.core import collector


class Node:
    pass


def test_the_collector_is_paused_inside_and_back_on_after():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: the inner block leaves it to the outer
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_stays_off_when_it_was_off():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_cycle_made_inside_is_collected_afterwards():
    with collector.paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
        assert ref() is not None  # only the cyclic collector can free it, and it is paused
    gc.collect()
    assert ref() is None


def test_objects_frozen_on_purpose_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused():
            pass
        # Not `== frozen`: a frozen object whose last reference goes (another thread, e.g.
        # xdist's) leaves the permanent generation meanwhile. An unfreeze would empty it.
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
