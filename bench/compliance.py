"""Compliance for a whole county and year: the application's selector versus one
hand-written SQL query over the same tables returning the same numbers.

The SQL carries the regulation's default requirements (dangjian.rules.orglife
DEFAULT_REQUIREMENTS: kind, period, minimum) as a VALUES list; it applies the same rules as
meetings.selectors._compute: a period counts once it has ended, or while current once it is
met; periods before a branch was founded (and the period it was founded in, unless setting
FOUNDED_MID_PERIOD_OWES) are left out; 党小组会 only where a branch has 党小组, and a period
counts as held only when every 党小组 met; 支委会 only where a committee is required (7 正式党员,
rules.structure.committee_required) or 委员 besides the 书记/副书记 are in post; 谈心谈话 once a
year per member of the branch (a talk held in the branch with a member now on its roster).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from dangjian.core.rulesettings import founded_mid_period_owes
from dangjian.members.models import MemberKind, Standing
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType, Post
from dangjian.rules import orglife, structure


def _d(value: date):
    return value.isoformat() if connection.vendor == "sqlite" else value


def _month(col: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%m', {col}) AS INTEGER)"
    return f"CAST(EXTRACT(MONTH FROM {col}) AS INTEGER)"


def sql_compliance(root: Organization, year: int, today: date) -> dict:
    """{required_periods, held_periods, meetings, by_kind{code: n}} in one SQL statement."""
    jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
    last = min(today, dec31)
    kind_rows, kind_params, period_rows, period_params = [], [], [], []
    for req in orglife.DEFAULT_REQUIREMENTS:
        if not req.per_member:
            kind_rows.append("(%s, %s, %s, %s)")
            kind_params += [req.kind.value, req.period, req.minimum, int(req.only_with_groups)]
    for period in ("month", "quarter", "year"):
        for _label, start, end in orglife.periods_in_year(year, period):
            if start <= today:  # future periods never count
                period_rows.append("(%s, %s, %s, %s, %s)")
                period_params += [period, _d(start), _d(end), start.month, end.month]
    branch_types = ", ".join(["%s"] * len(BRANCH_TYPES))
    like = root.path + "%"
    talk_required = "1" if dec31 < today else "CASE WHEN done = 1 THEN 1 ELSE 0 END"
    owed = "pd.p_end >= eff.founded_on" if founded_mid_period_owes() else "eff.founded_on <= pd.p_start"
    talk_owed = "br.founded_on <= %s" if not founded_mid_period_owes() else "br.founded_on <= %s"
    talk_owed_date = jan1 if not founded_mid_period_owes() else dec31
    others = [k for k in Post.Kind.values if k not in (Post.Kind.SECRETARY, Post.Kind.DEPUTY, Post.Kind.GROUP_LEADER)]
    others_in = ", ".join(["%s"] * len(others))
    sql = f"""
WITH br AS (
  SELECT id, path, founded_on FROM orgs_organization
  WHERE path LIKE %s AND org_type IN ({branch_types}) AND is_active
),
grp AS (
  SELECT DISTINCT substr(path, 1, length(path) - 4) AS parent FROM orgs_organization
  WHERE path LIKE %s AND org_type = %s AND is_active
),
dflt (kind, period, minimum, only_groups) AS (VALUES {", ".join(kind_rows)}),
pd (period, p_start, p_end, m1, m2) AS (VALUES {", ".join(period_rows)}),
kr AS (
  SELECT o.path AS spath, k.kind, k.period, k.minimum
  FROM meetings_kindrequirement k JOIN orgs_organization o ON o.id = k.org_id
  WHERE %s LIKE o.path || '%%' OR o.path LIKE %s
),
best AS (
  SELECT br.id AS branch_id, kr.kind, kr.period, kr.minimum,
         ROW_NUMBER() OVER (PARTITION BY br.id, kr.kind ORDER BY length(kr.spath) DESC) AS rn
  FROM br JOIN kr ON br.path LIKE kr.spath || '%%'
),
eff AS (
  SELECT br.id, br.path, br.founded_on, d.kind, COALESCE(b.period, d.period) AS period,
         COALESCE(b.minimum, d.minimum) AS minimum, d.only_groups
  FROM br CROSS JOIN dflt d LEFT JOIN best b ON b.branch_id = br.id AND b.kind = d.kind AND b.rn = 1
),
mc AS (
  SELECT l.branch_id, l.kind, {_month("l.date")} AS month, COUNT(*) AS n
  FROM meetings_meetingkindlink l JOIN br ON br.id = l.branch_id
  WHERE l.date >= %s AND l.date <= %s
  GROUP BY l.branch_id, l.kind, {_month("l.date")}
),
fm AS (
  SELECT m.branch_id, COUNT(*) AS n FROM members_member m JOIN br ON br.id = m.branch_id
  WHERE m.is_current AND m.kind = %s AND m.standing <> %s GROUP BY m.branch_id
),
co AS (
  SELECT p.org_id, COUNT(DISTINCT p.member_id) AS n FROM orgs_post p JOIN br ON br.id = p.org_id
  WHERE p.ended_on IS NULL AND p.kind IN ({others_in}) GROUP BY p.org_id
),
per0 AS (
  SELECT eff.id, eff.kind, pd.p_start, pd.p_end, eff.minimum, COALESCE(SUM(mc.n), 0) AS n
  FROM eff JOIN pd ON pd.period = eff.period
  LEFT JOIN mc ON mc.branch_id = eff.id AND mc.kind = eff.kind AND mc.month BETWEEN pd.m1 AND pd.m2
  LEFT JOIN fm ON fm.branch_id = eff.id LEFT JOIN co ON co.org_id = eff.id
  WHERE eff.only_groups = 0
    AND (eff.founded_on IS NULL OR {owed})
    AND (eff.kind <> 'committee_meeting' OR COALESCE(fm.n, 0) >= %s OR COALESCE(co.n, 0) > 0)
  GROUP BY eff.id, eff.kind, pd.p_start, pd.p_end, eff.minimum
),
gp AS (
  SELECT id AS gid, substr(path, 1, length(path) - 4) AS parent FROM orgs_organization
  WHERE path LIKE %s AND org_type = %s AND is_active
),
gmc AS (
  SELECT mt.org_id, {_month("mt.date")} AS month, COUNT(DISTINCT mt.id) AS n
  FROM meetings_meeting mt JOIN gp ON gp.gid = mt.org_id
  WHERE mt.date >= %s AND mt.date <= %s
    AND EXISTS (SELECT 1 FROM meetings_meetingkindlink l WHERE l.meeting_id = mt.id AND l.kind = 'group_meeting')
  GROUP BY mt.org_id, {_month("mt.date")}
),
gsum AS (
  SELECT eff.id, eff.kind, pd.p_start, pd.p_end, eff.minimum, gp.gid, COALESCE(SUM(gmc.n), 0) AS n
  FROM eff JOIN pd ON pd.period = eff.period JOIN gp ON gp.parent = eff.path
  LEFT JOIN gmc ON gmc.org_id = gp.gid AND gmc.month BETWEEN pd.m1 AND pd.m2
  WHERE eff.only_groups = 1 AND (eff.founded_on IS NULL OR {owed})
  GROUP BY eff.id, eff.kind, pd.p_start, pd.p_end, eff.minimum, gp.gid
),
per AS (
  SELECT id, kind, p_start, p_end, minimum, n FROM per0
  UNION ALL
  SELECT id, kind, p_start, p_end, minimum, MIN(n) FROM gsum GROUP BY id, kind, p_start, p_end, minimum
),
mem AS (
  SELECT m.branch_id, COUNT(*) AS n FROM members_member m JOIN br ON br.id = m.branch_id
  WHERE m.is_current GROUP BY m.branch_id
),
tk AS (
  SELECT t.branch_id, COUNT(DISTINCT t.to_member_id) AS n
  FROM meetings_talk t JOIN br ON br.id = t.branch_id JOIN members_member m ON m.id = t.to_member_id
  WHERE t.date >= %s AND t.date <= %s AND m.is_current AND m.branch_id = t.branch_id GROUP BY t.branch_id
),
talk AS (
  SELECT CASE WHEN COALESCE(mem.n, 0) = 0 OR COALESCE(tk.n, 0) >= COALESCE(mem.n, 0) THEN 1 ELSE 0 END AS done
  FROM br LEFT JOIN mem ON mem.branch_id = br.id LEFT JOIN tk ON tk.branch_id = br.id
  WHERE br.founded_on IS NULL OR {talk_owed}
)
SELECT 'required', (SELECT COALESCE(SUM(CASE WHEN p_end < %s OR n >= minimum THEN 1 ELSE 0 END), 0) FROM per)
                 + (SELECT COALESCE(SUM({talk_required}), 0) FROM talk)
UNION ALL
SELECT 'held', (SELECT COALESCE(SUM(CASE WHEN n >= minimum THEN 1 ELSE 0 END), 0) FROM per)
             + (SELECT COALESCE(SUM(CASE WHEN ({talk_required}) = 1 THEN done ELSE 0 END), 0) FROM talk)
UNION ALL
SELECT 'meetings', COUNT(*) FROM meetings_meeting mt JOIN orgs_organization o ON o.id = mt.branch_id
  WHERE o.path LIKE %s AND mt.date >= %s AND mt.date <= %s
UNION ALL
SELECT 'kind:' || l.kind, COUNT(*) FROM meetings_meetingkindlink l JOIN orgs_organization o ON o.id = l.branch_id
  WHERE o.path LIKE %s AND l.date >= %s AND l.date <= %s GROUP BY l.kind
"""
    all_params = (
        [like, *BRANCH_TYPES, like, OrgType.GROUP]
        + kind_params
        + period_params
        + [root.path, like]
        + [_d(jan1), _d(last)]
        + [MemberKind.FULL, Standing.SUSPENDED, *others, structure.COMMITTEE_MIN_FULL_MEMBERS]
        + [like, OrgType.GROUP, _d(jan1), _d(last)]
        + [_d(jan1), _d(last), _d(talk_owed_date)]
        + [_d(today)]
        + [like, _d(jan1), _d(last), like, _d(jan1), _d(last)]
    )  # fmt: skip
    with connection.cursor() as c:
        c.execute(sql, all_params)
        rows = c.fetchall()
    out = {"required_periods": 0, "held_periods": 0, "meetings": 0, "by_kind": {}}
    for key, value in rows:
        if key == "required":
            out["required_periods"] = int(value)
        elif key == "held":
            out["held_periods"] = int(value)
        elif key == "meetings":
            out["meetings"] = int(value)
        else:
            out["by_kind"][key[5:]] = int(value)
    return out


def app_numbers(summary) -> dict:
    """The same numbers from meetings.selectors.compliance_summary's result (ComplianceSummary)."""
    from dangjian.meetings.models import Kind

    by_label = summary.meetings_by_kind
    by_kind = {k: by_label.get(Kind(k).label, 0) for k in Kind.values}
    return {
        "required_periods": summary.required_periods,
        "held_periods": summary.held_periods,
        "meetings": summary.meetings,
        "by_kind": {k: v for k, v in by_kind.items() if v},
    }
