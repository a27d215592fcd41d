"""Issue 21, done-when: the hand-written evaluation set scores ≥ 0.9, and the demo's honest,
template-heavy minutes raise no text signal (the tiny demo, built once for this module)."""

from collections import defaultdict
from difflib import SequenceMatcher
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.integrity import detectors
from dangjian.integrity.evaluation_cases import CONTAINMENT, evaluate_cases, evaluate_pairwise, load_cases, sweep
from dangjian.integrity.models import SignalKind
from dangjian.testsupport.world import module_data
from dangjian.testsupport.world import tiny_demo as load_tiny_demo

TEXT_KINDS = {SignalKind.NEAR_DUPLICATE_TEXT, SignalKind.COPIED_PUBLISHED}


def test_the_hand_written_set_has_enough_cases_of_several_kinds():
    cases = load_cases()
    assert len(cases["copied_pairs"]) >= 40 and len(cases["honest_pairs"]) >= 40
    hows = {c["how"] for c in cases["copies"]}
    assert {"reordered", "renamed", "partial", "published"} <= hows
    kinds = {t["kind"] for t in cases["honest"]}
    assert {"主题党日", "支委会", "党员大会", "心得体会"} <= kinds
    # Honest pairs are different texts that share their opening (the template).
    texts = {t["key"]: t["text"] for t in cases["honest"]}
    for a, b in cases["honest_pairs"]:
        ta, tb = texts[a], texts[b]
        common = SequenceMatcher(None, ta, tb, autojunk=False).find_longest_match(0, len(ta), 0, len(tb))
        assert ta != tb and common.size >= 15, (a, b)
    # Both townships appear, and copies cross between them.
    groups = {c["group"].split("/")[0] for c in cases["copies"]}
    assert groups == {"甲镇", "乙镇"}


def test_copied_text_precision_and_recall_on_the_hand_written_set():
    r = evaluate_cases()
    assert r["precision"] >= 0.9 and r["recall"] >= 0.9, r
    assert all(v["found"] >= 0.8 * v["pairs"] for v in r["by_how"].values()), r["by_how"]
    alone = evaluate_pairwise()
    assert alone["precision"] >= 0.9 and alone["recall"] >= 0.9, alone


def test_the_stated_threshold_is_the_one_that_passes_both_readings():
    rows = {row["containment"]: row for row in sweep((0.5, 0.6, 0.7))}
    chosen = rows[CONTAINMENT]
    assert min(chosen["precision"], chosen["recall"], chosen["pairwise_precision"], chosen["pairwise_recall"]) >= 0.9
    # Lower lets template-sharing honest pairs through when judged alone.
    assert rows[0.5]["pairwise_precision"] < 0.9


@pytest.mark.django_db
def test_integrity_eval_reports_the_hand_written_set_separately():
    out = StringIO()
    call_command("integrity_eval", "--branches", "30", "--per-branch", "4", "--planted", "8", stdout=out)
    text = out.getvalue()
    assert "一、手写评估集" in text and "二、程序生成的样例" in text
    assert text.index("手写评估集") < text.index("程序生成的样例")


@pytest.fixture(scope="module")
def tiny_demo(django_db_setup, django_db_blocker):
    """The tiny demo's honest records (every step before the integrity plants), once."""
    with module_data(django_db_blocker):
        yield load_tiny_demo(4)  # township, lifecycle, meetings, study


def test_honest_demo_minutes_raise_no_text_signal(tiny_demo, db):
    root = tiny_demo.townships[0]
    years = range(tiny_demo.start.year, tiny_demo.today.year + 1)
    found = {y: [f.title for f in detectors.near_duplicate_text(root, y) if f.kind in TEXT_KINDS] for y in years}
    assert all(not titles for titles in found.values()), found
    docs, _meta = detectors.text_documents(root, tiny_demo.start.year)
    assert len(docs) > 100  # there was text to compare


def test_honest_demo_raises_none_of_the_new_record_signals(tiny_demo, db):
    root = tiny_demo.townships[0]
    for year in range(tiny_demo.start.year, tiny_demo.today.year + 1):
        for detector in (detectors.dated_after_entry, detectors.unexpected_signin, detectors.signin_burst):
            assert detector(root, year) == [], (year, detector.__name__)
        quarters = [f for f in detectors.late_entry_patterns(root, year) if f.kind == SignalKind.QUARTER_SITTING]
        assert quarters == [], year


def test_demo_plants_are_still_found(tiny_demo, db, settings, tmp_path):
    from dangjian.integrity import demo

    settings.MEDIA_ROOT = tmp_path
    demo.load(tiny_demo)
    root = tiny_demo.townships[0]
    found = [f for f in detectors.near_duplicate_text(root, demo.YEAR) if f.kind == SignalKind.NEAR_DUPLICATE_TEXT]
    types = sorted(f.records[0]["type"] for f in found)
    assert types == ["meeting", "talk"], [f.title for f in found]


PASTED = (
    "红色基因是中国共产党人的精神血脉。从南湖红船到井冈山，从长征路上到延安窑洞，一代代共产党人用鲜血和生命"
    "铸就了伟大的建党精神。新时代传承红色基因，就是要坚定理想信念，把对党忠诚落实到具体行动中；就是要践行"
    "初心使命，始终把人民群众放在心上；就是要发扬斗争精神，在急难险重任务面前冲锋在前。"
)


def test_the_streaming_text_and_attendance_detectors_find_what_they_found_before(tiny_demo, db, settings, tmp_path):
    """The scan reads its rows streamed and keeps only the texts (issue 16 item 6): on the demo
    with its plants, a pasted published text and a copied attendance list, the same signals
    as the detectors as they were (detectors_reference.py), field for field, in order."""
    from dataclasses import asdict

    import detectors_reference as before

    from dangjian.integrity import demo
    from dangjian.integrity.models import PublishedText
    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.study.models import StudyRecord

    settings.MEDIA_ROOT = tmp_path
    demo.load(tiny_demo)
    root = tiny_demo.townships[0]
    year = demo.YEAR
    PublishedText.objects.create(org=root, title="党课讲稿：传承红色基因", text=PASTED)
    meetings = Meeting.objects.filter(org__path__startswith=root.path, date__year=year).order_by("id")
    pasted = meetings.exclude(minutes="").last()
    Meeting.objects.filter(pk=pasted.pk).update(minutes="支部书记讲党课。党课指出，" + PASTED + "党员们进行了讨论。")
    record = StudyRecord.objects.filter(member__branch__path__startswith=root.path, activity__date__year=year).first()
    if record:
        StudyRecord.objects.filter(pk=record.pk).update(reflection="学习体会：" + PASTED)
    # One attendance list on five meetings with the same members expected.
    expected = defaultdict(set)
    for meeting_id, member_id in Attendance.objects.filter(meeting__in=meetings).values_list("meeting", "member"):
        expected[meeting_id].add(member_id)
    same = defaultdict(list)
    for m in meetings:
        if len(expected[m.pk]) >= 8:
            same[(m.branch_id, frozenset(expected[m.pk]))].append(m.pk)
    copied = max(same.values(), key=len)[:5]
    for rows in (list(Attendance.objects.filter(meeting=pk).order_by("member")) for pk in copied):
        for i, a in enumerate(rows):
            a.status = "absent" if i % 2 else "present"  # one unlikely list, five times
        Attendance.objects.bulk_update(rows, ["status"])
    kinds = set()
    for detector, former in (
        (detectors.near_duplicate_text, before.near_duplicate_text),
        (detectors.identical_attendance, before.identical_attendance),
    ):
        new, old = detector(root, year), former(root, year)
        assert [asdict(f) | {"key": f.key} for f in new] == [asdict(f) | {"key": f.key} for f in old]
        kinds |= {f.kind for f in new}
    assert kinds == {SignalKind.NEAR_DUPLICATE_TEXT, SignalKind.COPIED_PUBLISHED, SignalKind.IDENTICAL_ATTENDANCE}
