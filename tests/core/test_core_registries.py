"""What the apps hand to core at start-up (core imports none of them): home panels in order,
the export kinds the task worker runs, and the organisation tree the cache follows."""

from dangjian.core import cache, jobs
from dangjian.core.panels import HOME_PANELS, register_panel
from dangjian.orgs.models import Organization
from dangjian.shell.home import setup_checklist


def test_the_setup_checklist_is_the_first_home_panel_and_each_app_adds_its_own():
    assert HOME_PANELS[0] is setup_checklist
    owners = {fn.__module__.split(".")[1] for fn in HOME_PANELS}
    assert {"shell", "orgs", "meetings", "dues", "study", "reviews", "inspections", "actions", "integrity"} <= owners
    # registering again (a second ready() in a test run) adds nothing
    n = len(HOME_PANELS)
    register_panel(setup_checklist, first=True)
    assert len(HOME_PANELS) == n and HOME_PANELS[0] is setup_checklist


def test_every_export_kind_is_registered_without_opening_a_page():
    """The worker process never imports the views: each owning app registers its kind in ready()."""
    assert {"audit", "roster", "meetings"} <= set(jobs.KINDS)
    assert jobs.KINDS["roster"].build.__module__ == "dangjian.members.exports"
    assert jobs.KINDS["meetings"].build.__module__ == "dangjian.meetings.exports"
    assert jobs.KINDS["audit"].build.__module__ == "dangjian.shell.exports"


def test_the_cache_follows_the_organisation_tree_named_by_orgs():
    assert cache._org_model() is Organization
