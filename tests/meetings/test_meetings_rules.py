from dangjian.rules.membership import attendance_gap_runs


def test_gap_runs_skip_months_without_meetings_and_reset_on_excuse():
    ok = {(2023, 1), (2023, 9)}
    missed = {(2023, 2), (2023, 3), (2023, 5), (2023, 6), (2023, 7), (2023, 10)}
    # April had no meeting: it neither breaks nor extends the run 2,3,(4),5,6,7 -> 5
    assert attendance_gap_runs(ok, missed, (2023, 1), (2023, 12)) == (5, 1)
    assert attendance_gap_runs(set(), set(), (2023, 1), (2023, 12)) == (0, 0)
