"""Writes of township statistics: the browser form and the Excel import (all-or-nothing).

The import has two steps, as the roster and meetings imports: `plan_workbook()` reads and
checks the file and writes nothing; its `to_state()` is kept encrypted (core.spreadsheet.
keep_preview) until the person confirms; `apply_state()` then writes exactly the years shown,
or refuses when one of them was changed since the preview (StalePreview)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from dangjian.core.concurrency import EditConflict, save_versioned
from dangjian.core.errors import ServiceError
from dangjian.core.spreadsheet import NUMBER, TEXT, Column, ReadError, Spec, read_tables
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


class StalePreview(ServiceError):
    """The preview no longer matches the database: nothing was written; upload again."""

    status = 409


@dataclass
class YearPlan:
    """One year as the import will write it, and what it replaces."""

    year: int
    values: dict | None  # figure field → value, and "note"; None: the year is only in 特色产业
    industries: list[dict]  # crop, area_mu, revenue (the year's whole list)
    exists: bool  # the year is kept already (its figures and crop list are replaced)
    before: str  # snapshot of the year now; a change since makes the preview stale
    changed: list[str] = field(default_factory=list)  # labels of the figures that differ from now

    def figures(self) -> list[tuple[str, object, str, bool]]:
        """(label, value, unit, changed) for the preview table."""
        if self.values is None:
            return []
        return [
            (label, self.values.get(f), unit, label in self.changed) for f, label, unit in TownshipYearStats.FIGURES
        ]


@dataclass
class ImportResult:
    years: list[int] = field(default_factory=list)
    industries: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (行号, 原因)
    plan: list[YearPlan] = field(default_factory=list)
    org_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_state(self) -> dict:
        def enc(v):
            return str(v) if isinstance(v, Decimal) else v

        return {
            "kind": "township_stats",
            "org": self.org_id,
            "years": [
                {
                    "year": p.year,
                    "values": None if p.values is None else {k: enc(v) for k, v in p.values.items()},
                    "industries": [[i["crop"], enc(i["area_mu"]), enc(i["revenue"])] for i in p.industries],
                    "exists": p.exists,
                    "before": p.before,
                    "changed": p.changed,
                }
                for p in self.plan
            ],
            "skipped": self.skipped,
            "notices": self.notices,
        }

    @classmethod
    def from_state(cls, state: dict) -> ImportResult:
        def dec(f, v):
            if v is None or f == "note":
                return v
            return int(v) if f in INT_FIELDS else Decimal(v)

        plan = [
            YearPlan(
                year=y["year"],
                values=None if y["values"] is None else {k: dec(k, v) for k, v in y["values"].items()},
                industries=[
                    {"crop": c, "area_mu": dec("area_mu", a), "revenue": dec("revenue", r)}
                    for c, a, r in y["industries"]
                ],
                exists=y["exists"],
                before=y["before"],
                changed=list(y.get("changed", [])),
            )
            for y in state["years"]
        ]
        return cls(
            years=[p.year for p in plan],
            industries=sum(len(p.industries) for p in plan),
            skipped=[tuple(x) for x in state.get("skipped", [])],
            notices=list(state.get("notices", [])),
            plan=plan,
            org_id=state.get("org"),
        )


def _snapshot(stats: TownshipYearStats | None) -> str:
    """The year as kept now, as text to compare at confirmation (version, figures, crop list)."""
    if stats is None:
        return ""
    figures = [str(getattr(stats, f)) for f in FIGURE_FIELDS]
    crops = [f"{i.crop}:{i.area_mu}:{i.revenue}:{i.version}" for i in stats.industries.order_by("position", "pk")]
    return "|".join([str(stats.version), *figures, stats.note or "", *crops])


def _parse_year(value, sheet, rowno, errors) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(RowError(sheet, rowno, "年度", "不能为空"))
        return None
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


FIGURE_FIELDS = [f for f, _l, _u in TownshipYearStats.FIGURES]
TOWNSHIP_SPEC = Spec(
    title="全镇指标",
    columns=(
        Column("year", "年度", ("年份",), kind=NUMBER),
        *(Column(f, h, kind=NUMBER) for f, h in zip(FIGURE_FIELDS, TOWNSHIP_HEADERS[1:-1], strict=True)),
        Column("note", "备注", kind=TEXT),
    ),
    must_have=("year",),
    min_match=3,
)
INDUSTRY_SPEC = Spec(
    title="特色产业",
    columns=(
        Column("year", "年度", ("年份",), kind=NUMBER),
        Column("crop", "产业（作物）", ("产业", "作物", "特色产业"), kind=TEXT),
        Column("area", "种植面积（亩）", ("种植面积", "面积"), kind=NUMBER),
        Column("revenue", "收入（万元）", ("收入",), kind=NUMBER),
    ),
    must_have=("year", "crop"),
    min_match=2,
)


def import_workbook(*, org: Organization, content: bytes, filename: str = "") -> ImportResult:
    """Check and write in one step (tests and commands): nothing is written when there is an error."""
    result = plan_workbook(org=org, content=content, filename=filename)
    if result.ok:
        return apply_state(org=org, state=result.to_state())
    return result


def plan_workbook(*, org: Organization, content: bytes, filename: str = "") -> ImportResult:
    """Parse and validate everything; write nothing. Sheets are recognised by their header row
    (any name, any column order), through the one reader. When ok, `result.plan` lists each
    year as it will be written and `result.skipped`/`notices` what the reader left out."""
    result = ImportResult(org_id=org.pk)
    errors = result.errors
    try:
        township_table, industry_table = read_tables(content, specs=(TOWNSHIP_SPEC, INDUSTRY_SPEC), filename=filename)
    except ReadError as exc:
        errors.append(RowError("文件", 0, "—", exc.message))
        return result
    if not township_table.sheets and not industry_table.sheets:
        errors.append(
            RowError(SHEET_TOWNSHIP, 0, "—", f"没有找到“{SHEET_TOWNSHIP}”或“{SHEET_INDUSTRY}”的表头行（以“年度”开头）")
        )
        return result
    # a sheet not read is the other kind's sheet (each kind's spec reads the whole workbook)
    result.notices = [
        n for n in township_table.notices(skipped=False) + industry_table.notices(skipped=False) if "未读取" not in n
    ]
    # two kinds of sheet: each skipped row names its sheet
    result.skipped = [
        (f"“{sheet}”工作表第{row}行", why) for t in (township_table, industry_table) for sheet, row, why in t.skipped
    ]
    township: dict[int, dict] = {}
    for row in township_table.rows:
        sheet, i = row.sheet, row.number
        year = _parse_year(row.values.get("year"), sheet, i, errors)
        values = {}
        for f, header in zip(FIGURE_FIELDS, TOWNSHIP_HEADERS[1:-1], strict=True):
            values[f] = _parse_number(
                row.values.get(f), integer=f in INT_FIELDS, sheet=sheet, rowno=i, column=header, errors=errors
            )
        values["note"] = (row.values.get("note") or "")[:200]
        if year is not None:
            if year in township:
                errors.append(RowError(sheet, i, "年度", f"{year}年重复出现"))
            township[year] = values
    industries: dict[int, list[dict]] = {}
    seen: set[tuple[int, str]] = set()
    for row in industry_table.rows:
        sheet, i = row.sheet, row.number
        year = _parse_year(row.values.get("year"), sheet, i, errors)
        crop = row.values.get("crop") or ""
        if not crop:
            errors.append(RowError(sheet, i, "产业（作物）", "不能为空"))
        elif len(crop) > 30:
            errors.append(RowError(sheet, i, "产业（作物）", "不超过30个字"))
        area = _parse_number(
            row.values.get("area"), integer=False, sheet=sheet, rowno=i, column="种植面积（亩）", errors=errors
        )
        revenue = _parse_number(
            row.values.get("revenue"), integer=False, sheet=sheet, rowno=i, column="收入（万元）", errors=errors
        )
        if year is None or not crop:
            continue
        if (year, crop) in seen:
            errors.append(RowError(sheet, i, "产业（作物）", f"{year}年{crop}重复出现"))
        seen.add((year, crop))
        industries.setdefault(year, []).append({"crop": crop, "area_mu": area, "revenue": revenue})
    if not township and not industries and not errors:
        errors.append(RowError(SHEET_TOWNSHIP, 0, "—", "表中没有数据"))
    if errors:
        return result
    years = sorted(set(township) | set(industries))
    kept = {s.year: s for s in TownshipYearStats.objects.filter(org=org, year__in=years).prefetch_related("industries")}
    labels = dict(zip(FIGURE_FIELDS, TOWNSHIP_HEADERS[1:-1], strict=True))
    for year in years:
        stats = kept.get(year)
        values = township.get(year)
        changed = []
        if values is not None and stats is not None:
            changed = [labels[f] for f in FIGURE_FIELDS if getattr(stats, f) != values[f]]
            changed += ["备注"] if (stats.note or "") != values["note"] else []
        result.plan.append(
            YearPlan(year, values, industries.get(year, []), stats is not None, _snapshot(stats), changed)
        )
    result.years = years
    result.industries = sum(len(v) for v in industries.values())
    return result


def apply_state(*, org: Organization, state: dict) -> ImportResult:
    """Write exactly the previewed years, all or nothing; StalePreview when one of them was
    saved, created or deleted after the preview was made."""
    result = ImportResult.from_state(state)
    if state.get("kind") != "township_stats" or result.org_id != org.pk or not result.plan:
        raise StalePreview("这份预览不是本镇（乡）的统计数据导入，请重新上传")
    try:
        _apply(org, result)
    except (IntegrityError, EditConflict):  # the same year saved at the same moment
        raise StalePreview("有人同时修改了这些年度的统计数据，未导入任何数据：请重新上传文件") from None
    return result


def _apply(org: Organization, result: ImportResult) -> None:
    with transaction.atomic():
        kept = {s.year: s for s in TownshipYearStats.objects.select_for_update().filter(org=org, year__in=result.years)}
        moved = [p.year for p in result.plan if _snapshot(kept.get(p.year)) != p.before]
        if moved:
            raise StalePreview(
                f"预览之后，{'、'.join(f'{y}年' for y in moved)}的统计数据已被修改，未导入任何数据："
                "请重新上传文件，按新的检查结果确认"
            )
        for p in result.plan:
            stats = kept.get(p.year)
            if p.values is not None:
                if stats is None:
                    stats = TownshipYearStats(org=org, year=p.year)
                for k, v in p.values.items():
                    setattr(stats, k, v)
                save_versioned(stats, expected_version=stats.version if stats.pk else None)
            elif stats is None:
                stats = TownshipYearStats.objects.create(org=org, year=p.year)
            _replace_industries(stats, p.industries)
