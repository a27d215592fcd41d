import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.meetings.models import Kind, Meeting

pytestmark = pytest.mark.django_db


def test_compliance_command_json(world, record):
    record(world.branch_a, [Kind.THEME_DAY], date(2023, 1, 10))
    out = StringIO()
    call_command("compliance", "--year", "2023", "--branch", "东街", "--json", "--today", "2024-01-10", stdout=out)
    data = json.loads(out.getvalue())
    theme = next(r for r in data["branches"] if r["kind_code"] == "theme_day")
    assert (theme["required"], theme["held"], theme["shortfall"]) == (12, 1, 11)
    assert theme["periods"][0] == {"period": "2023年1月", "required": 1, "held": 1, "state": "required"}
    zhang = next(m for m in data["members"] if m["name"] == "张三")
    assert zhang["attended"] == 1 and zhang["longest_gap"] == 0
    out = StringIO()
    call_command("compliance", "--year", "2023", "--today", "2024-01-10", stdout=out)
    assert "落实率" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("compliance", "--branch", "不存在的支部")


def test_export_then_import_commands(world, record, tmp_path):
    record(world.branch_a, [Kind.THEME_DAY, Kind.PARTY_LECTURE], date(2023, 1, 10))
    path = tmp_path / "m.xlsx"
    call_command("export_meetings", str(path), "--year", "2023", stdout=StringIO())
    Meeting.objects.all().delete()
    call_command("import_meetings", str(path), "--dry-run", stdout=StringIO())
    assert not Meeting.objects.exists()
    call_command("import_meetings", str(path), "--user", "sec_a", stdout=StringIO())
    m = Meeting.objects.get()
    assert m.kinds_label == "党课、主题党日" and m.is_late
    with pytest.raises(CommandError):
        call_command("import_meetings", str(path), "--user", "sec_b", stdout=StringIO())
