"""manage.py compliance --year Y [--branch NAME] [--json]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dangjian.core import clock, rulesettings
from dangjian.meetings import selectors
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Organization


def _default(o):
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o))


class Command(BaseCommand):
    help = "组织生活落实情况：各支部各类会议每个周期应开、实开与缺口；每名党员参加、请假、缺席与最长连续未参加月数。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度（默认今年）")
        parser.add_argument("--branch", help="只看一个党支部（全称或简称）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--today", help="按该日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, year, branch, json: bool, today, **opts):
        today = date.fromisoformat(today) if today else clock.today()
        year = year or today.year
        if branch:
            found = list(Organization.objects.filter(Q(name=branch) | Q(short_name=branch), org_type__in=BRANCH_TYPES))
            if len(found) != 1:
                raise CommandError(f"找不到党支部“{branch}”" if not found else f"有多个党支部叫“{branch}”，请写全称")
            root = found[0]
        else:
            root = Organization.objects.get_first_root_node()
            if root is None:
                raise CommandError("还没有任何党组织。")
        summary = selectors.compliance_summary(root, year, today=today)
        stats = selectors.member_attendance(root, year, today=today)
        art9 = selectors.art9_members(root, today=min(today, date(year, 12, 31)))  # as the summary counts
        names = {
            m["id"]: m
            for m in Member.objects.filter(pk__in=list(stats)).values(
                "id", "name", "branch__name", "branch__short_name"
            )
        }
        members = [
            {
                "member_id": mid,
                "name": names[mid]["name"],
                "branch": names[mid]["branch__short_name"] or names[mid]["branch__name"],
                **v.as_dict(),
            }
            for mid, v in stats.items()
            if mid in names
        ]
        members.sort(key=lambda r: (r["branch"], r["name"]))
        report = {
            "org": root.name,
            "year": year,
            "as_of": today.isoformat(),
            "rate": summary.rate,
            "required_periods": summary.required_periods,
            "held_periods": summary.held_periods,
            "meetings_by_kind": summary.meetings_by_kind,
            "art9": {"over": summary.art9.over, "warning": summary.art9.warning},
            # 党章第九条: each member by name and branch, not only the counts.
            "art9_members": [
                {
                    k: a[k]
                    for k in (
                        "member_id",
                        "name",
                        "branch",
                        "status",
                        "gap_months",
                        "last_attended",
                        "is_mobile",
                        "is_lost",
                    )
                }
                for a in art9
            ],
            "branches": summary.branches,
            "members": members,
        }
        if json:
            import json as _json

            self.stdout.write(_json.dumps(report, ensure_ascii=False, indent=1, default=_default))
            return
        out = self.stdout
        out.write(
            f"{root.name} {year}年组织生活落实率 {summary.rate * 100:.1f}%"
            f"（{summary.held_periods}/{summary.required_periods} 个周期）"
        )
        for r in summary.branches:
            if r["shortfall"]:
                out.write(
                    f"  {r['branch']}　{r['kind']}　{r['period']}至少{r['minimum']}次：应{r['required']} 实{r['held']}"
                    f" 缺{r['shortfall']}（{'、'.join(r['missing'])}）"
                )
        out.write(f"党章第九条提醒：达到六个月 {summary.art9.over} 人，预警 {summary.art9.warning} 人")
        for a in art9:
            out.write(f"  {a['status']}　{a['branch']} {a['name']}：连续{a['gap_months']}个月未参加组织生活")
        for m in members:
            if rulesettings.art9_level(m["longest_gap"]):
                out.write(
                    f"  {m['branch']} {m['name']}：参加{m['attended']} 请假{m['excused']} 缺席{m['unexcused']}"
                    f" 最长连续未参加{m['longest_gap']}个月"
                )
