"""`manage.py overview [--json] [--org NAME]`: the 基本情况 of the top organization(s)."""

import json

from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import AGE_BANDS, overview


class Command(BaseCommand):
    help = "输出组织基本情况（社区、居民小组、户数人口、党支部、党员结构）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--org", default=None, help="党组织全称或简称（默认：最上级组织）")

    def handle(self, *args, json: bool, org: str | None, **options):
        if org:
            roots = list(Organization.objects.filter(name=org)) or list(Organization.objects.filter(short_name=org))
            if not roots:
                raise CommandError(f"未找到党组织：{org}")
        else:
            roots = list(Organization.objects.get_root_nodes())
            if not roots:
                raise CommandError("数据库中还没有党组织。可先运行 manage.py load_demo 载入演示数据。")
        results = [overview(r) for r in roots]
        if json:
            payload = results[0] if len(results) == 1 else results
            self.stdout.write(_dumps(payload))
            return
        for r in results:
            self.stdout.write(_text(r))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _num(v) -> str:
    return "数据缺失" if v is None else f"{v:,}"


def _text(o: dict) -> str:
    m = o["members"]
    lines = [
        f"{o['org']}（截至 {o['as_of']}）",
        f"  社区（村）{o['communities']} 个，居民小组 {o['resident_groups']} 个",
        f"  户籍 {_num(o['households_registered'])} 户 {_num(o['people_registered'])} 人；"
        f"常住 {_num(o['households_resident'])} 户 {_num(o['people_resident'])} 人"
        f"（{o['population_year'] or '无'}年数据）",
        f"  党支部 {o['branches']} 个（"
        + "、".join(f"{k} {v}" for k, v in o["branches_by_category"].items())
        + f"），党总支 {o['general_branches']} 个，党小组 {o['party_groups']} 个",
        f"  党员 {m['total']:,} 名：正式 {m['full']:,}，预备 {m['probationary']:,}；女 {m['women']:,}，"
        f"少数民族 {m['minorities']:,}，35岁及以下 {m['age_35_or_under']:,}，大专及以上 {m['college_or_above']:,}，"
        f"流动 {m['mobile']:,}，失联 {m['lost']:,}",
        "  年龄：" + "，".join(f"{label} {o['age_bands'][label]:,}" for label, _lo, _hi in AGE_BANDS),
    ]
    return "\n".join(lines)
