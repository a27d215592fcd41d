"""Writes of township statistics: the browser form and the Excel import (all-or-nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from dangjian.core.concurrency import save_versioned
from dangjian.orgs.models import Organization
from dangjian.stats.models import SpecialtyIndustry, TownshipYearStats

INT_FIELDS = {f.name for f in TownshipYearStats._meta.fields if f.get_internal_type() == "PositiveIntegerField"}
MISSING_WORDS = {"", "—", "-", "--", "缺失", "数据缺失", "无数据", "暂无", "/"}
MIN_YEAR, MAX_YEAR = 1949, 2100

SHEET_TOWNSHIP = "全镇指标"
SHEET_INDUSTRY = "特色产业"
TOWNSHIP_HEADERS = (
    ["年度"] + [TownshipYearStats._meta.get_field(f).verbose_name for f, _l, _u in TownshipYearStats.FIGURES] + ["备注"]
)
INDUSTRY_HEADERS = ["年度", "产业（作物）", "种植面积（亩）", "收入（万元）"]


def save_year_stats(
    *,
    org: Organization,
    year: int,
    values: dict,
    industries: list[dict],
    expected_version: int | None,
) -> TownshipYearStats:
    """Create or update one year; industries are replaced by `industries` (crop, area_mu, revenue).

    Raises EditConflict when someone saved the year since `expected_version` was read."""
    with transaction.atomic():
        stats = TownshipYearStats.objects.filter(org=org, year=year).first()
        if stats is None:
            stats = TownshipYearStats(org=org, year=year)
            expected_version = None
        for name, value in values.items():
            setattr(stats, name, value)
        save_versioned(stats, expected_version=expected_version)
        _replace_industries(stats, industries)
    return stats


def _replace_industries(stats: TownshipYearStats, rows: list[dict]) -> None:
    existing = {i.crop: i for i in stats.industries.all()}
    keep = set()
    for pos, row in enumerate(rows):
        crop = row["crop"].strip()
        keep.add(crop)
        ind = existing.get(crop) or SpecialtyIndustry(stats=stats, crop=crop)
        if ind.pk and (ind.area_mu, ind.revenue, ind.position) == (row.get("area_mu"), row.get("revenue"), pos):
            continue
        ind.area_mu, ind.revenue, ind.position = row.get("area_mu"), row.get("revenue"), pos
        ind.save()  # one save per row (a handful): the audit log records each change
    for crop, ind in existing.items():
        if crop not in keep:
            ind.delete()


# --- Excel template and import ---------------------------------------------------------


def template_bytes(*, org: Organization, user=None) -> bytes:
    """The import template, pre-filled with the years already kept (edit and re-import)."""
    from dangjian.core.xlsx import ledger_bytes
    from dangjian.stats.selectors import years_of

    years = years_of(org)
    township_rows = [
        [s.year, *[_cell(getattr(s, f)) for f, _l, _u in TownshipYearStats.FIGURES], s.note] for s in years
    ]
    industry_rows = [[s.year, i.crop, _cell(i.area_mu), _cell(i.revenue)] for s in years for i in s.industries.all()]
    guide = [
        ["每个年度在“全镇指标”页占一行；每个年度的每种特色产业在“特色产业”页占一行。"],
        ["没有统计到的数字请留空（或填“缺失”），系统记为“数据缺失”，不会当作0。"],
        ["导入时，表中出现的年度整体替换为表中的数字；“特色产业”页中某年度的作物清单整体替换该年度已有清单。"],
        ["导入是“全部成功或全部不导入”：任何一行有错，系统列出行号、列和原因，数据库不作任何修改。"],
    ]
    return ledger_bytes(
        title=SHEET_TOWNSHIP,
        headers=TOWNSHIP_HEADERS,
        rows=township_rows,
        org=org.name,
        period="各年度",
        user=user,
        extra_sheets=[(SHEET_INDUSTRY, INDUSTRY_HEADERS, industry_rows), ("填表说明", ["说明"], guide)],
    )


def _cell(v):
    if v is None:
        return None
    if isinstance(v, Decimal):
        return float(v)
    return v


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet} 第{self.row}行 {self.column}：{self.reason}"


@dataclass
class ImportResult:
    years: list[int] = field(default_factory=list)
    industries: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _find_header(rows: list[list], first: str) -> int | None:
    for i, row in enumerate(rows[:10]):
        if row and str(row[0]).strip() == first:
            return i
    return None


def _parse_year(value, sheet, rowno, errors) -> int | None:
    try:
        year = int(float(str(value).strip()))
        if float(str(value).strip()) != year:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(RowError(sheet, rowno, "年度", f"“{value}”不是年份"))
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors.append(RowError(sheet, rowno, "年度", f"年份{year}不在{MIN_YEAR}—{MAX_YEAR}之间"))
        return None
    return year


def _parse_number(value, *, integer: bool, sheet, rowno, column, errors):
    if value is None or (isinstance(value, str) and value.strip() in MISSING_WORDS):
        return None
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.append(RowError(sheet, rowno, column, f"“{value}”不是数字（没有数据请留空）"))
        return None
    if number < 0:
        errors.append(RowError(sheet, rowno, column, "不能为负数"))
        return None
    if integer:
        if number != number.to_integral_value():
            errors.append(RowError(sheet, rowno, column, "应为整数"))
            return None
        return int(number)
    return number.quantize(Decimal("0.01"))


def read_workbook(content: bytes) -> dict[str, list[list]]:
    import io

    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def import_workbook(*, org: Organization, content: bytes) -> ImportResult:
    """Parse and validate everything first; write only when there is no error at all."""
    result = ImportResult()
    errors = result.errors
    try:
        sheets = read_workbook(content)
    except Exception:  # calamine raises several types for non-Excel input
        errors.append(RowError("文件", 0, "—", "无法读取：请上传从本系统下载的 .xlsx 模板"))
        return result
    if SHEET_TOWNSHIP not in sheets:
        errors.append(RowError(SHEET_TOWNSHIP, 0, "—", f"缺少工作表“{SHEET_TOWNSHIP}”"))
        return result
    township: dict[int, dict] = {}
    rows = sheets[SHEET_TOWNSHIP]
    head = _find_header(rows, "年度")
    if head is None:
        errors.append(RowError(SHEET_TOWNSHIP, 1, "—", "找不到以“年度”开头的表头行"))
        return result
    figure_fields = [f for f, _l, _u in TownshipYearStats.FIGURES]
    for i, row in enumerate(rows[head + 1 :], start=head + 2):
        row = list(row) + [None] * (len(TOWNSHIP_HEADERS) - len(row))
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        year = _parse_year(row[0], SHEET_TOWNSHIP, i, errors)
        values = {}
        for col, f in enumerate(figure_fields, start=1):
            values[f] = _parse_number(
                row[col],
                integer=f in INT_FIELDS,
                sheet=SHEET_TOWNSHIP,
                rowno=i,
                column=TOWNSHIP_HEADERS[col],
                errors=errors,
            )
        note = row[len(figure_fields) + 1]
        values["note"] = str(note).strip()[:200] if note not in (None, "") else ""
        if year is not None:
            if year in township:
                errors.append(RowError(SHEET_TOWNSHIP, i, "年度", f"{year}年重复出现"))
            township[year] = values
    industries: dict[int, list[dict]] = {}
    seen: set[tuple[int, str]] = set()
    rows = sheets.get(SHEET_INDUSTRY, [])
    head = _find_header(rows, "年度") if rows else None
    for i, row in enumerate(rows[head + 1 :] if head is not None else [], start=(head or 0) + 2):
        row = list(row) + [None] * (4 - len(row))
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        year = _parse_year(row[0], SHEET_INDUSTRY, i, errors)
        crop = str(row[1]).strip() if row[1] is not None else ""
        if not crop:
            errors.append(RowError(SHEET_INDUSTRY, i, "产业（作物）", "不能为空"))
        elif len(crop) > 30:
            errors.append(RowError(SHEET_INDUSTRY, i, "产业（作物）", "不超过30个字"))
        area = _parse_number(
            row[2], integer=False, sheet=SHEET_INDUSTRY, rowno=i, column="种植面积（亩）", errors=errors
        )
        revenue = _parse_number(
            row[3], integer=False, sheet=SHEET_INDUSTRY, rowno=i, column="收入（万元）", errors=errors
        )
        if year is None or not crop:
            continue
        if (year, crop) in seen:
            errors.append(RowError(SHEET_INDUSTRY, i, "产业（作物）", f"{year}年{crop}重复出现"))
        seen.add((year, crop))
        industries.setdefault(year, []).append({"crop": crop, "area_mu": area, "revenue": revenue})
    if not township and not industries:
        errors.append(RowError(SHEET_TOWNSHIP, head + 2, "—", "表中没有数据"))
    if errors:
        return result
    with transaction.atomic():
        for year in sorted(set(township) | set(industries)):
            stats = TownshipYearStats.objects.filter(org=org, year=year).first()
            if year in township:
                values = township[year]
                if stats is None:
                    stats = TownshipYearStats(org=org, year=year)
                for k, v in values.items():
                    setattr(stats, k, v)
                save_versioned(stats, expected_version=stats.version if stats.pk else None)
            elif stats is None:
                stats = TownshipYearStats.objects.create(org=org, year=year)
            _replace_industries(stats, industries.get(year, []))
            result.industries += len(industries.get(year, []))
            result.years.append(year)
    return result
