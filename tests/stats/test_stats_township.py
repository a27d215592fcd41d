"""Township statistics: the yearly form, the Excel template and import, the economic picture."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dangjian.orgs.models import Organization, OrgCategory, OrgType
from dangjian.reports.testing import load_stats_demo
from dangjian.stats import services
from dangjian.stats.models import SpecialtyIndustry, TownshipYearStats
from dangjian.stats.selectors import economy, trend


@pytest.fixture
def demo_stats(world):
    load_stats_demo([world.township])
    return world


def _form_data(stats_version=None, **overrides):
    data = {
        "gdp": "5.08",
        "income_per_capita": "26987",
        "private_enterprises": "",
        "private_employees": "",
        "private_net_profit": "",
        "labour_workers": "",
        "labour_skills_trained": "",
        "labour_orientation_trained": "",
        "labour_income": "",
        "note": "",
        "version": stats_version or "",
        "ind-TOTAL_FORMS": "3",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "30",
        "ind-0-crop": "花椒",
        "ind-0-area_mu": "421",
        "ind-0-revenue": "",
        "ind-1-crop": "",
        "ind-1-area_mu": "",
        "ind-1-revenue": "",
        "ind-2-crop": "",
        "ind-2-area_mu": "",
        "ind-2-revenue": "",
    }
    data.update(overrides)
    return data


def test_demo_2022_is_the_source_and_花椒_revenue_stays_missing(demo_stats):
    s = TownshipYearStats.objects.get(org=demo_stats.township, year=2022)
    assert s.gdp == Decimal("5.08") and s.income_per_capita == 26987
    assert (s.private_enterprises, s.private_employees, s.private_net_profit) == (3392, 13980, Decimal("7590"))
    assert (s.labour_workers, s.labour_skills_trained, s.labour_orientation_trained, s.labour_income) == (
        1349,
        468,
        185,
        Decimal("852"),
    )
    crops = {i.crop: (i.area_mu, i.revenue) for i in s.industries.all()}
    assert crops == {
        "花椒": (Decimal("421"), None),
        "油橄榄": (Decimal("3342"), Decimal("1340")),
        "樱桃": (Decimal("2500"), Decimal("986")),
    }
    assert TownshipYearStats.objects.filter(org=demo_stats.township, year=2021).exists()


def test_admin_enters_a_year_blank_stays_missing(world, client_for):
    c = client_for("admin")
    resp = c.post(f"/stats/2023/edit/?org={world.township.pk}", _form_data())
    assert resp.status_code == 302
    s = TownshipYearStats.objects.get(org=world.township, year=2023)
    assert s.gdp == Decimal("5.08") and s.private_enterprises is None  # blank is missing, not zero
    ind = SpecialtyIndustry.objects.get(stats=s)
    assert (ind.crop, ind.area_mu, ind.revenue) == ("花椒", Decimal("421"), None)
    page = c.get(f"/stats/?org={world.township.pk}").content.decode()
    assert "数据缺失" in page and "2023年" in page


def test_stale_version_is_refused(world, client_for):
    c = client_for("admin")
    c.post(f"/stats/2023/edit/?org={world.township.pk}", _form_data())
    s = TownshipYearStats.objects.get(org=world.township, year=2023)
    c.post(f"/stats/2023/edit/?org={world.township.pk}", _form_data(stats_version=s.version, gdp="6"))
    resp = c.post(f"/stats/2023/edit/?org={world.township.pk}", _form_data(stats_version=s.version, gdp="7"))
    assert resp.status_code == 200 and "已被他人修改" in resp.content.decode()
    s.refresh_from_db()
    assert s.gdp == Decimal("6")


def test_bad_number_is_a_chinese_form_error_not_a_500(world, client_for):
    resp = client_for("admin").post(f"/stats/2023/edit/?org={world.township.pk}", _form_data(gdp="五亿"))
    assert resp.status_code == 200
    assert not TownshipYearStats.objects.exists()


@pytest.mark.parametrize("who, status", [("secretary_a", 403), ("inspector", 403), ("member_a", 403)])
def test_only_admin_edits(world, client_for, who, status):
    assert client_for(who).get("/stats/2023/edit/").status_code == status


def test_branch_secretary_sees_no_township_figures(demo_stats, client_for):
    page = client_for("secretary_a").get("/stats/").content.decode()
    assert "5.08" not in page and "没有镇（乡）党委" in page


def test_template_round_trip_and_import(demo_stats, client_for):
    c = client_for("admin")
    resp = c.get(f"/stats/template.xlsx?org={demo_stats.township.pk}")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb["全镇指标"]
    assert "全镇指标" in ws["A1"].value and demo_stats.township.name in ws["A1"].value
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows[2022][1] == 5.08
    ws.append([2023, 5.5, 28000, None, None, None, None, None, None, None, "初步数"])
    wb["特色产业"].append([2023, "花椒", 430, 300])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "stats.xlsx"
    resp = c.post(f"/stats/import/?org={demo_stats.township.pk}", {"org": demo_stats.township.pk, "file": buf})
    assert resp.status_code == 200 and "尚未保存" in resp.content.decode()
    assert not TownshipYearStats.objects.filter(year=2023).exists()  # nothing written on preview
    resp = c.post(
        f"/stats/import/?org={demo_stats.township.pk}",
        {"org": demo_stats.township.pk, "action": "confirm", "token": _token(c)},
    )
    assert resp.status_code == 302
    s = TownshipYearStats.objects.get(org=demo_stats.township, year=2023)
    assert s.gdp == Decimal("5.50") and s.private_enterprises is None and s.note == "初步数"
    assert s.industries.get().revenue == Decimal("300")
    # the 2022 round trip kept the missing 花椒 revenue missing
    assert SpecialtyIndustry.objects.get(stats__year=2022, crop="花椒").revenue is None


def _token(c):
    from dangjian.stats.views import IMPORT_SESSION_KEY

    return (c.session.get(IMPORT_SESSION_KEY) or {}).get("token")


def _workbook(township_rows, industry_rows=(), *, title_rows=()):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "全镇指标"
    for r in title_rows:
        ws.append(r)
    ws.append([*services.TOWNSHIP_HEADERS, "填报单位"])
    for r in township_rows:
        ws.append(r)
    ind = wb.create_sheet("特色产业")
    ind.append(services.INDUSTRY_HEADERS)
    for r in industry_rows:
        ind.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _post(c, org, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if "content" in data:
        data["file"] = SimpleUploadedFile("统计.xlsx", data.pop("content"))
    return c.post(f"/stats/import/?org={org.pk}", {"org": org.pk, **data})


def test_import_previews_then_confirm_writes_exactly_the_previewed_years(demo_stats, client_for):
    from dangjian.testsupport.fuzz import data_digest

    t = demo_stats.township
    c = client_for("admin")
    before = data_digest()
    assert c.get(f"/stats/import/?org={t.pk}").status_code == 200
    content = _workbook(
        [
            [2022, 5.2, 26987, 3392, 13980, 7590, 1349, 468, 185, 852, "修订", "镇统计站"],
            [2023, 5.5, 28000, None, None, None, None, None, None, None, "初步数", "镇统计站"],
            ["合计"],
        ],
        [[2023, "花椒", 430, 300], [2023, "核桃", None, 12]],
        title_rows=[["某镇年度统计"]],
    )
    resp = _post(c, t, content=content)
    html = resp.content.decode()
    assert resp.status_code == 200 and "尚未保存" in html and "确认导入" in html
    assert data_digest() == before  # nothing written on GET or on preview
    assert "替换现有" in html and "有变化：生产总值（亿元）、备注" in html and "新增" in html
    assert "<td>“全镇指标”工作表第5行</td><td>“合计”行</td>" in html  # skipped, with 行号/原因
    assert "“填报单位”" in html  # a column not used
    assert "核桃（面积缺失，12.00万元）" in html
    from dangjian.testsupport.words import english_words

    username = demo_stats.user("admin").username  # shown in the page header, not a UI word
    assert [w for w in english_words(html) if w != username] == []  # the preview reads in Chinese
    token = _token(c)
    resp = _post(c, t, action="confirm", token=token)
    assert resp.status_code == 302
    rows = {
        s.year: (s.gdp, s.income_per_capita, s.private_enterprises, s.note)
        for s in TownshipYearStats.objects.filter(org=t)
    }
    assert rows == {
        2021: (Decimal("4.79"), rows[2021][1], rows[2021][2], rows[2021][3]),  # not in the file: untouched
        2022: (Decimal("5.20"), 26987, 3392, "修订"),
        2023: (Decimal("5.50"), 28000, None, "初步数"),
    }
    crops = {(i.crop, i.area_mu, i.revenue) for i in SpecialtyIndustry.objects.filter(stats__year=2023)}
    assert crops == {("花椒", Decimal("430.00"), Decimal("300.00")), ("核桃", None, Decimal("12.00"))}
    assert not SpecialtyIndustry.objects.filter(stats__year=2022).exists()  # 2022's list replaced by none
    after = data_digest()
    resp = _post(c, t, action="confirm", token=token)  # a second click, after the first
    assert resp.status_code == 400 and "已过期" in resp.content.decode() and data_digest() == after


def test_a_stale_replaced_or_expired_stats_preview_is_refused(demo_stats, client_for):
    import os
    import time
    from pathlib import Path

    from django.conf import settings

    from dangjian.testsupport.fuzz import data_digest

    t = demo_stats.township
    c = client_for("admin")
    content = _workbook([[2022, 6, 1, 1, 1, 1, 1, 1, 1, 1, "", ""]])
    _post(c, t, content=content)
    token = _token(c)
    kept = Path(settings.MEDIA_ROOT) / "import_previews" / f"{token}.preview"
    assert kept.exists() and (kept.stat().st_mode & 0o777) == 0o600 and b"2022" not in kept.read_bytes()
    stats = TownshipYearStats.objects.get(org=t, year=2022)
    services.save_year_stats(
        org=t, year=2022, values={"gdp": Decimal("5.30")}, industries=[], expected_version=stats.version
    )
    before = data_digest()
    resp = _post(c, t, action="confirm", token=token)
    html = resp.content.decode()
    assert resp.status_code == 409 and "预览之后，2022年的统计数据已被修改，未导入任何数据" in html
    assert data_digest() == before and TownshipYearStats.objects.get(org=t, year=2022).gdp == Decimal("5.30")
    # replaced by a later upload
    _post(c, t, content=content)
    first = _token(c)
    _post(c, t, content=_workbook([[2024, 7, 1, 1, 1, 1, 1, 1, 1, 1, "", ""]]))
    resp = _post(c, t, action="confirm", token=first)
    assert resp.status_code == 400 and "已被之后上传的文件取代" in resp.content.decode()
    # expired
    kept = Path(settings.MEDIA_ROOT) / "import_previews" / f"{_token(c)}.preview"
    old = time.time() - 2 * 3600
    os.utime(kept, (old, old))
    resp = _post(c, t, action="confirm", token=_token(c))
    assert resp.status_code == 400 and "已过期（超过1小时未确认）" in resp.content.decode()
    assert data_digest() == before and not TownshipYearStats.objects.filter(year=2024).exists()


def test_import_is_all_or_nothing_with_row_errors(world):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "全镇指标"
    ws.append(["说明行"])
    ws.append(services.TOWNSHIP_HEADERS)
    ws.append([2022, 5.08, 26987, 3392, 13980, 7590, 1349, 468, 185, 852, ""])
    ws.append([2021, "很多", 25310, -1, None, None, None, None, None, None, ""])
    ws.append(["去年", 1, 1, 1, 1, 1, 1, 1, 1, 1, ""])
    ind = wb.create_sheet("特色产业")
    ind.append(services.INDUSTRY_HEADERS)
    ind.append([2022, "", 10, 10])
    buf = io.BytesIO()
    wb.save(buf)
    result = services.import_workbook(org=world.township, content=buf.getvalue())
    assert not result.ok
    found = {(e.sheet, e.row, e.column) for e in result.errors}
    assert ("全镇指标", 4, "生产总值（亿元）") in found
    assert ("全镇指标", 4, "非公有制企业（家）") in found
    assert ("全镇指标", 5, "年度") in found
    assert ("特色产业", 2, "产业（作物）") in found
    assert not TownshipYearStats.objects.exists()  # nothing written, not even the good row


def test_import_rejects_a_file_that_is_not_excel(world):
    result = services.import_workbook(org=world.township, content=b"not a workbook")
    assert not result.ok and "无法读取" in str(result.errors[0])


def test_economy_uses_latest_complete_year_and_lists_missing(demo_stats):
    TownshipYearStats.objects.create(org=demo_stats.township, year=2023, labour_workers=1400)  # incomplete
    eco = economy(demo_stats.district, upto_year=2023)
    assert eco.year == 2022
    assert eco.missing == ["2022年花椒收入"]
    assert any("2023年" in n for n in eco.notes)
    assert economy(demo_stats.branch_a, upto_year=2023) is None  # statistics belong to townships
    assert economy(demo_stats.township, upto_year=2020) is None


def test_district_sums_townships_and_lists_per_capita_income(demo_stats):
    other = Organization.objects.add_child(
        demo_stats.district, dict(name="第二镇党委", org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN)
    )
    s = TownshipYearStats.objects.create(
        org=other, year=2022, gdp=Decimal("2"), income_per_capita=20000, private_enterprises=8
    )
    SpecialtyIndustry.objects.create(stats=s, crop="樱桃", area_mu=Decimal("100"), revenue=Decimal("14"))
    eco = economy(demo_stats.district, upto_year=2023)
    assert eco.figures["gdp"] == Decimal("7.08")
    assert eco.figures["private_enterprises"] == 3400
    assert eco.figures["income_per_capita"] is None  # never an average of averages
    assert dict(eco.per_capita) == {demo_stats.township.name: 26987, "第二镇党委": 20000}
    assert ("樱桃", Decimal("2600"), Decimal("1000")) in eco.industries
    assert eco.figures["labour_workers"] is None and "2022年第二镇党委输出劳动力" in eco.missing


def test_trend_keeps_gaps(demo_stats):
    t = trend(demo_stats.township)
    assert t.years == [2021, 2022]
    assert t.series["gdp"] == [4.79, 5.08]
    assert t.industry["花椒"]["revenue"] == [276.0, None]


def test_stats_are_scoped_to_the_township(demo_stats):
    from dangjian.accounts.scope import visible_to

    assert visible_to(demo_stats.user("admin"), TownshipYearStats).count() == 2
    assert visible_to(demo_stats.user("secretary_a"), TownshipYearStats).count() == 0
    assert visible_to(demo_stats.user("member_a"), SpecialtyIndustry).count() == 0
