"""The benchmark behind `make bench` / `manage.py bench` (issue 10).

Every figure is printed beside a limit measured in the same run on the same data:
generation vs a raw bulk insert of the same rows, roster import vs read-and-executemany,
compliance vs one hand-written SQL query, pages with their query counts, HTTP under load vs
/healthz, the county report and the integrity scan, and the peak memory of each step.
"""
