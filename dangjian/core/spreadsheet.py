"""The one spreadsheet reader behind every import (名册, 会议台账, 党费基数, 统计, 组织, 单位).

Public API (kept stable; other importers build on it):

    from dangjian.core.spreadsheet import Column, Spec, ReadError, read_table, IDENT, TEXT, NUMBER, DATE

    SPEC = Spec(
        title="党员名册",
        columns=(
            Column("name", "姓名", ("党员姓名",), kind=IDENT),
            Column("id_number", "公民身份号码", ("身份证号",), kind=IDENT),
            Column("phone", "联系电话", ("手机号码", "手机号"), kind=IDENT),
            Column("joined_on", "入党日期", ("入党时间",), kind=DATE),
            Column("note", "备注", kind=TEXT),
        ),
        must_have=("name",),     # fields the header row must name
        min_match=3,             # and at least this many recognised columns
    )
    try:
        table = read_table(content, filename="名册.xlsx", spec=SPEC)
    except ReadError as exc:
        show(exc.message)        # Chinese: 文件设有密码… / 文件是空的 / 没有找到表头… / 文件太大…
    for row in table.rows:       # every sheet whose header matches, in order
        row.values["name"]       # cleaned by the column's kind (see below); missing column → absent key
        row.where                # "第12行" or "“一支部”工作表第12行" when several sheets were read
        row.sheet, row.number    # sheet name, 1-based row number as the spreadsheet shows it
        row.column_of("name")    # (1-based column number or None, header text as typed)
    read_tables(content, specs=(SPEC_A, SPEC_B))   # one parse, one Table per spec (no ReadError for no header)
    table.notices()              # Chinese lines for the preview: sheets not read, rows skipped,
                                 # columns not used, values dropped, the rule for doubled columns
    table.notices(skipped=False) + table.skipped_rows()   # the same, skipped rows as (行号, 原因)
    table.sheets                 # [SheetTable(name, header_row, header, columns, rows)] as read
    table.to_state() / Table.from_state(state, spec)   # JSON-able, for keeping a preview

    token = keep_preview({"table": table.to_state(), ...})   # encrypted file, random token, 0600
    state = load_preview(token)                              # None when missing or older than an hour
    drop_preview(token)                                      # after confirming; sweep_previews() runs on keep
    parse_date(value, today=...)                             # the one date parser (dangjian.core.dates)

What the reader does for every import:
- formats .xlsx, .xls, .ods (python-calamine), .csv/.txt (UTF-8, UTF-8 with BOM, GB18030, UTF-16;
  comma, tab or semicolon), an HTML table saved as .xls; refuses with its own message a
  password-protected file, Excel 2003 XML, Word/PDF/images, an empty or broken file;
- bounded: before parsing, the file size, declared sheet dimensions, cell count, uncompressed
  size and compression ratio are checked against settings.SPREADSHEET_LIMITS; parsing runs in a
  child process with a memory cap (RLIMIT_AS) and a time limit, so no file can take the server down;
- every sheet: rows from all sheets whose header matches; a sheet not read is reported;
- the header row is found below title rows (the first `spec.header_search` rows);
- merged cells are filled down and across with their value (for .ods the ranges come from
  content.xml, which calamine does not report; a merged-over cell's hidden contents are dropped);
- blank rows, repeated header rows, section/title rows and rows starting with 合计/小计/总计/
  备注/填表人/审核人/说明/注： are skipped and reported as skipped;
- header aliases come from the importer's Spec (one table per importer);
- cleaning by column kind: IDENT (identifiers, names, codes, choices): full-width → half-width and
  all white space removed; NUMBER: the number, or the text half-width without spaces and
  thousands separators; TEXT: exactly as typed (only surrounding white space trimmed);
  DATE and RAW: the cell as read (dates go to dangjian.core.dates.parse_date, the one date parser);
- two columns for one field (手机号码 and 联系电话): the left one wins, the right one is used when the
  left is blank; a right value that differs is dropped and listed in table.notices().
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import re
import time as _time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings

from dangjian.core.dates import DateInput, parse_date  # noqa: F401 (re-exported: the one date parser)
from dangjian.rules.dates import to_halfwidth

__all__ = [
    "DATE",
    "IDENT",
    "NUMBER",
    "RAW",
    "TEXT",
    "Column",
    "DateInput",
    "ReadError",
    "Row",
    "SheetTable",
    "Spec",
    "Table",
    "blank",
    "cell_text",
    "clean_ident",
    "clean_number",
    "PostedPreview",
    "drop_preview",
    "hold_preview",
    "keep_preview",
    "load_preview",
    "posted_preview",
    "release_preview",
    "parse_date",
    "parse_sheets",
    "read_table",
    "read_tables",
    "sweep_previews",
]

TEXT, IDENT, NUMBER, DATE, RAW = "text", "ident", "number", "date", "raw"

SKIP_PREFIXES = ("合计", "小计", "总计", "共计", "备注", "填表人", "审核人", "制表人", "填报人", "说明", "注：", "注:")

DEFAULT_LIMITS = {
    "max_file_bytes": 10 * 1024 * 1024,
    "max_uncompressed_bytes": 200 * 1024 * 1024,
    "max_compression_ratio": 100,  # for zip members over 1 MB (sheet XML compresses ~10-20x)
    "max_rows": 200_000,
    "max_columns": 500,
    "max_cells": 5_000_000,
    "memory_mb": 1024,  # address space the parsing child may add
    "seconds": 60,
}


def limits() -> dict:
    out = dict(DEFAULT_LIMITS)
    out["max_file_bytes"] = getattr(settings, "UPLOAD_MAX_BYTES", out["max_file_bytes"])
    out.update(getattr(settings, "SPREADSHEET_LIMITS", {}) or {})
    return out


class ReadError(Exception):
    """The file cannot be read at all; `message` says why, in Chinese, for the person."""

    def __init__(self, message: str, code: str = "unreadable"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = TEXT


@dataclass(frozen=True)
class Spec:
    title: str
    columns: tuple[Column, ...]
    must_have: tuple[str, ...] = ()
    min_match: int = 2
    header_search: int = 20
    max_rows: int | None = None

    def header_index(self) -> dict[str, str]:
        idx: dict[str, str] = {}
        for c in self.columns:
            for name in (c.header, *c.aliases):
                idx.setdefault(normalize_header(name), c.field)
        return idx

    def kind_of(self, f: str) -> str:
        for c in self.columns:
            if c.field == f:
                return c.kind
        return RAW

    def label(self, f: str) -> str:
        for c in self.columns:
            if c.field == f:
                return c.header
        return f


def normalize_header(text) -> str:
    """“ 身份证号码* ”, “入党时间（年月日）”, “手机\\n号码” → comparable keys."""
    s = to_halfwidth(str(text if text is not None else ""))
    s = re.sub(r"\s+", "", s).strip("*:：")
    return s


def _strip_note(s: str) -> str:
    return re.sub(r"[(（][^)）]*[)）]$", "", s)


def field_for_header(spec_index: dict[str, str], text) -> str | None:
    key = normalize_header(text)
    if not key:
        return None
    return spec_index.get(key) or spec_index.get(_strip_note(key))


# --- cleaning ------------------------------------------------------------------------------


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def cell_text(v) -> str:
    """A cell as text, as typed: whole floats without .0, dates as 1968-03-05."""
    if type(v) is str:  # most cells: nothing to convert
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, date | time):
        return v.isoformat()
    return str(v)


def clean_ident(v) -> str:
    """Identifiers, names, codes, choices: half-width, no white space at all."""
    return "".join(to_halfwidth(cell_text(v)).split())


def clean_number(v):
    """A number cell as read; text half-width without spaces and thousands separators."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    s = clean_ident(v)
    return s.replace(",", "").replace("，", "")


def clean_text(v) -> str:
    return cell_text(v).strip()


def _as_read(v):
    return v


CLEANERS = {IDENT: clean_ident, NUMBER: clean_number, TEXT: clean_text}


def clean(kind: str, v):
    return CLEANERS.get(kind, _as_read)(v)


# --- results -------------------------------------------------------------------------------


@dataclass
class Row:
    sheet: str
    number: int
    values: dict
    cols: dict  # field -> 1-based column
    headers: dict  # field -> header text as typed
    multi_sheet: bool = False

    @property
    def where(self) -> str:
        return f"“{self.sheet}”工作表第{self.number}行" if self.multi_sheet else f"第{self.number}行"

    def column_of(self, f: str) -> tuple[int | None, str]:
        return self.cols.get(f), self.headers.get(f, "")


@dataclass
class SheetTable:
    name: str
    header_row: int  # 1-based
    header: list[str]
    columns: dict[int, str]  # 0-based column -> field (the winning column for each field)
    rows: list[list]  # the sheet as read, merged cells filled (for a marked copy of the file)
    wide: set[int] = field(default_factory=set)  # 0-based rows made by one merged range alone


@dataclass
class Table:
    spec: Spec
    sheets: list[SheetTable] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet, row, reason)
    sheets_not_read: list[tuple[str, str]] = field(default_factory=list)
    unused_columns: list[tuple[str, str]] = field(default_factory=list)  # (sheet, header)
    dropped: list[tuple[str, int, str, str, str]] = field(default_factory=list)  # sheet,row,header,value,why
    doubled: list[tuple[str, str, str]] = field(default_factory=list)  # (sheet, kept header, other header)

    @property
    def multi_sheet(self) -> bool:
        return len(self.sheets) > 1

    def _where(self, sheet: str, row: int) -> str:
        return f"“{sheet}”工作表第{row}行" if self.multi_sheet else f"第{row}行"

    def skipped_rows(self) -> list[tuple[str, str]]:
        """(行号, 原因) of every row skipped (blank rows aside), for a preview's own table."""
        return [(self._where(sheet, row), why) for sheet, row, why in self.skipped]

    def notices(self, *, skipped: bool = True) -> list[str]:
        """What was not read, in Chinese, for the preview (nothing is lost silently);
        skipped=False leaves out the skipped rows (a preview listing skipped_rows() itself)."""
        out = []
        if self.multi_sheet:
            out.append("读取了工作表：" + "、".join(f"“{s.name}”" for s in self.sheets))
        for name, why in self.sheets_not_read:
            out.append(f"工作表“{name}”未读取：{why}")
        by_reason: dict[str, list[str]] = {}
        for sheet, row, why in self.skipped if skipped else ():
            by_reason.setdefault(why, []).append(self._where(sheet, row))
        for why, places in by_reason.items():
            shown = "、".join(places[:20]) + (f"等{len(places)}行" if len(places) > 20 else "")
            out.append(f"跳过{why}：{shown}")
        if self.unused_columns:
            cols = []
            for sheet, h in self.unused_columns:
                label = f"“{h}”" if not self.multi_sheet else f"“{h}”（{sheet}）"
                if label not in cols:
                    cols.append(label)
            out.append("以下列不导入（系统中没有对应项）：" + "、".join(cols))
        for sheet, kept, other in self.doubled:
            where = f"（{sheet}）" if self.multi_sheet else ""
            out.append(
                f"“{kept}”与“{other}”是同一项{where}：取“{kept}”的值，“{kept}”为空时取“{other}”；"
                f"两列都有且不同时，“{other}”的值不导入（列在下方）"
            )
        for sheet, row, header, value, why in self.dropped[:200]:
            out.append(f"{self._where(sheet, row)}　{header}　“{value}”未导入：{why}")
        if len(self.dropped) > 200:
            out.append(f"另有{len(self.dropped) - 200}个值未导入")
        return out

    def to_state(self) -> dict:
        def enc(v):
            if isinstance(v, datetime):
                return {"dt": v.isoformat()}
            if isinstance(v, date):
                return {"d": v.isoformat()}
            if isinstance(v, time):
                return {"t": v.isoformat()}
            if isinstance(v, timedelta):
                return {"td": v.total_seconds()}
            return v

        return {
            "sheets": [
                {
                    "name": s.name,
                    "header_row": s.header_row,
                    "header": s.header,
                    "columns": {str(k): v for k, v in s.columns.items()},
                    "rows": [[enc(v) for v in r] for r in s.rows],
                    "wide": sorted(s.wide),
                }
                for s in self.sheets
            ],
            "sheets_not_read": self.sheets_not_read,
        }

    @classmethod
    def from_state(cls, state: dict, spec: Spec) -> Table:
        def dec(v):
            if isinstance(v, dict):
                if "dt" in v:
                    return datetime.fromisoformat(v["dt"])
                if "d" in v:
                    return date.fromisoformat(v["d"])
                if "t" in v:
                    return time.fromisoformat(v["t"])
                if "td" in v:
                    return timedelta(seconds=v["td"])
            return v

        sheets = [(s["name"], [[dec(v) for v in r] for r in s["rows"]], []) for s in state["sheets"]]
        filled = {s["name"]: set(s.get("wide", [])) for s in state["sheets"]}
        table = _build_table(sheets, spec, filled=filled)
        table.sheets_not_read = [tuple(x) for x in state.get("sheets_not_read", [])] + table.sheets_not_read
        return table


# --- format detection and limits (before parsing) -----------------------------------------

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIM = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _check_zip(content: bytes, lim: dict) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ReadError("文件已损坏，无法打开：请在Excel或WPS中打开后重新保存再上传", "broken") from None
    names = {i.filename for i in infos}
    if "word/document.xml" in names:
        raise ReadError("这是Word文档，不是表格：请上传Excel表格（.xlsx、.xls、.ods或.csv）", "not_sheet")
    if "ppt/presentation.xml" in names:
        raise ReadError("这是PPT演示文稿，不是表格：请上传Excel表格", "not_sheet")
    if "xl/workbook.xml" in names:
        kind = "xlsx"
    elif "content.xml" in names and b"opendocument.spreadsheet" in (
        zf.read("mimetype")[:100] if "mimetype" in names else b"opendocument.spreadsheet"
    ):
        kind = "ods"
    else:
        raise ReadError("这是一个压缩包，不是表格：请解压后上传其中的Excel表格", "not_sheet")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > 1024 * 1024 and i.file_size > lim["max_compression_ratio"] * max(i.compress_size, 1):
            raise ReadError(
                "文件解压后异常庞大（压缩比过高），不像正常的表格，未读取：请在Excel或WPS中打开后另存再上传",
                "too_large",
            )
    if total > lim["max_uncompressed_bytes"]:
        raise ReadError(
            f"表格内容过大（解压后约{total // 1024 // 1024} MB，上限{lim['max_uncompressed_bytes'] // 1024 // 1024} MB），请分成几个文件导入",
            "too_large",
        )
    if kind == "xlsx":
        cells = 0
        for i in infos:
            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
                try:
                    with zf.open(i) as fh:
                        head = fh.read(4096)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                    raise ReadError("文件已损坏，无法打开：请在Excel或WPS中打开后重新保存再上传", "broken") from None
                m = _DIM.search(head)
                if m and m.group(3):
                    rows, cols = int(m.group(4)), _col_number(m.group(3).decode())
                    _check_size(rows, cols, lim)
                    cells += rows * cols
        if cells > lim["max_cells"] * 4:  # declared areas; the real cell count is checked after reading
            raise ReadError(_too_many_cells(cells, lim), "too_large")
    return kind


def _too_many_cells(cells: int, lim: dict) -> str:
    return f"表格的单元格太多（约{cells}个，上限{lim['max_cells']}个），请删去空白行列或分成几个文件导入"


def _check_size(rows: int, cols: int, lim: dict) -> None:
    if rows > lim["max_rows"] + 100:
        raise ReadError(
            f"工作表有{rows}行，超过上限{lim['max_rows']}行（可能有远处的空白单元格被填写过）："
            "请删去多余的行，或分成几个文件导入",
            "too_large",
        )
    if cols > lim["max_columns"]:
        raise ReadError(
            f"工作表有{cols}列，超过上限{lim['max_columns']}列（可能有远处的单元格被填写过）：请删去多余的列后再上传",
            "too_large",
        )


def detect(content: bytes, filename: str = "") -> str:
    """'xlsx' | 'ods' | 'xls' | 'html' | 'csv', or ReadError saying what the file is."""
    lim = limits()
    if not content or not content.strip(b"\x00 \t\r\n"):
        raise ReadError("文件是空的，请选择填好的Excel表格重新上传", "empty")
    if len(content) > lim["max_file_bytes"]:
        raise ReadError(f"文件太大（上限 {lim['max_file_bytes'] // 1024 // 1024} MB），请分成几个文件导入", "too_large")
    head = content[:2048]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _check_zip(content, lim)
    if head.startswith(_CFB):
        if (
            "EncryptedPackage".encode("utf-16-le") in content[:1_000_000]
            or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in content[:1_000_000]
        ):
            raise ReadError("文件设有密码，请另存为无密码的文件", "password")
        if "WordDocument".encode("utf-16-le") in content[:1_000_000]:
            raise ReadError("这是Word文档，不是表格：请上传Excel表格（.xlsx、.xls、.ods或.csv）", "not_sheet")
        return "xls"
    if head.startswith(b"%PDF"):
        raise ReadError("这是PDF文件，不是表格：请上传Excel表格（.xlsx、.xls、.ods或.csv）", "not_sheet")
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM")):
        raise ReadError("这是图片，不是表格：请上传Excel表格（.xlsx、.xls、.ods或.csv）", "not_sheet")
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        raise ReadError("这是一个压缩包，不是表格：请解压后上传其中的Excel表格", "not_sheet")
    text = _decode(content)
    if text is None:
        raise ReadError("无法读取该文件：不是能识别的表格；请上传Excel表格（.xlsx、.xls、.ods）或CSV文件", "unknown")
    start = text.lstrip()[:4096].lower()
    if start.startswith("<?xml") or start.startswith("<workbook"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in start:
            raise ReadError(
                "这是Excel 2003 XML表格（扩展名虽是.xls，内容是XML）：请在Excel或WPS中打开，另存为.xlsx后再上传",
                "xml",
            )
        raise ReadError("这是XML文件，不是表格：请上传Excel表格（.xlsx、.xls、.ods或.csv）", "xml")
    if start.startswith(("<!doctype html", "<html", "<table", "<meta", "<head")) or "<table" in start:
        return "html"
    if not any(d in text[:8192] for d in ",\t;"):
        raise ReadError(
            "无法读取该文件：内容是普通文字，不是表格；请上传Excel表格（.xlsx、.xls、.ods）或CSV文件", "unknown"
        )
    return "csv"


def _decode(content: bytes) -> str | None:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in content[:4096]:
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


# --- parsing (in a child process) ---------------------------------------------------------


def _trim(rows: list[list]) -> list[list]:
    """Rows without trailing blank rows, padded to the widest used column.

    Equal text and date cells come out as one shared object: the rows go from the parsing
    child to the parent pickled, and pickle writes an object it has seen once as a short
    reference (a 30,000-row roster, full of repeated 男/汉族/正式党员/blank cells and dates,
    pickled in a tenth of the time), and the per-value caches of the readers hit on identity.
    Cells are immutable values, so sharing them changes nothing downstream."""
    while rows and all(blank(v) for v in rows[-1]):
        rows.pop()
    width = 0
    for r in rows:
        for j in range(len(r) - 1, width - 1, -1):  # only columns right of the widest so far
            if not blank(r[j]):
                width = j + 1
                break
    seen: dict = {}
    shared = seen.setdefault

    def other(v):
        cls = v.__class__
        if cls is date or (cls is datetime and v.tzinfo is None):
            return shared((cls, v), v)  # a str key never equals a tuple key
        return v

    out = []
    for r in rows:
        row = [shared(v, v) if v.__class__ is str else other(v) for v in r[:width]]
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        out.append(row)
    return out


def _parse_calamine(content: bytes, lim: dict) -> list[tuple[str, list[list], list]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except PasswordError:
        raise ReadError("文件设有密码，请另存为无密码的文件", "password") from None
    except Exception:  # noqa: BLE001 — calamine raises several types for broken files
        raise ReadError("文件已损坏，无法打开：请在Excel或WPS中打开后重新保存再上传", "broken") from None
    out = []
    cells = 0
    for meta in wb.sheets_metadata:
        if str(getattr(meta, "typ", "")).endswith(("ChartSheet", "Vba", "MacroSheet", "DialogSheet")):
            continue
        name = meta.name
        try:
            sheet = wb.get_sheet_by_name(name)
        except PasswordError:
            raise ReadError("文件设有密码，请另存为无密码的文件", "password") from None
        except Exception:  # noqa: BLE001
            out.append((name, None, []))
            continue
        _check_size(sheet.height, sheet.width, lim)
        cells += sheet.height * sheet.width
        if cells > lim["max_cells"]:
            raise ReadError(_too_many_cells(cells, lim), "too_large")
        rows = sheet.to_python(skip_empty_area=False)
        merges = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
        out.append((name, _trim(rows), merges))
    return out


_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _with_ods_merges(content: bytes, sheets: list, lim: dict) -> list:
    """Calamine reads an .ods's values but not its merged cells: add the ranges from content.xml."""
    grids = {n: r for n, r, _m in sheets if r}
    found = _ods_merges(content, grids, lim) if grids else {}
    return [(n, r, m or _cover(r, found.get(n, []))) for n, r, m in sheets]


def _ods_merges(content: bytes, grids: dict[str, list[list]], lim: dict) -> dict[str, list]:
    """{sheet: [((r0, c0), (r1, c1))]} from table:number-rows-spanned / number-columns-spanned,
    counting number-rows-repeated, number-columns-repeated and covered cells as positions.
    Streamed with lxml (no entities, DTD or network), in the bounded child like the rest of
    parsing; only ranges whose top-left lies in the sheet as read are kept, and their clipped
    area may not exceed the cell limit (real merges never overlap)."""
    from lxml import etree

    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        if "content.xml" not in zf.namelist() or not _has_spans(zf):
            return {}
        fh = zf.open("content.xml")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return {}
    out: dict[str, list] = {}
    table, row, cells = _ODS + "table", _ODS + "table-row", (_ODS + "table-cell", _ODS + "covered-table-cell")
    repeated, rows_spanned, cols_spanned = (
        _ODS + "number-columns-repeated",
        _ODS + "number-rows-spanned",
        _ODS + "number-columns-spanned",
    )
    depth = r = area = 0
    rows: list[list] = []
    merges: list | None = None
    try:
        for event, el in etree.iterparse(
            fh,
            events=("start", "end"),
            tag=(table, row),  # only these reach Python; a row's cells are read when it ends
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            if event == "start":
                if el.tag == table:
                    depth += 1
                    if depth == 1:  # a sheet (a sub-table inside a cell is not one)
                        name = el.get(_ODS + "name") or ""
                        rows = grids.get(name) or []
                        merges = out.setdefault(name, []) if rows else None
                        r = 0
                continue
            if el.tag == table:
                depth -= 1
            elif depth == 1:
                row_repeat = _ods_int(el.get(_ODS + "number-rows-repeated"))
                if merges is not None and r < len(rows):
                    c, width = 0, len(rows[r])
                    for cell in el:
                        if cell.tag not in cells:
                            continue
                        repeat = _ods_int(cell.get(repeated))
                        rs, cs = _ods_int(cell.get(rows_spanned)), _ods_int(cell.get(cols_spanned))
                        if (rs > 1 or cs > 1) and c < width:
                            for rr in range(r, min(r + row_repeat, len(rows))):
                                for cc in range(c, min(c + repeat, width)):
                                    merges.append(((rr, cc), (rr + rs - 1, cc + cs - 1)))
                                    area += (min(rr + rs, len(rows)) - rr) * (min(cc + cs, width) - cc)
                            if area > lim["max_cells"]:
                                raise ReadError(_too_many_cells(area, lim), "too_large")
                        c += repeat
                r += row_repeat
            el.clear()  # keep memory flat: drop what has been read
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    except etree.LxmlError:
        return {}  # content.xml calamine could read but lxml cannot: the values stand, unmerged
    finally:
        fh.close()
    return out


def _has_spans(zf: zipfile.ZipFile) -> bool:
    """Whether content.xml has a merged cell at all (a cheap scan before parsing it again)."""
    tail = b""
    with zf.open("content.xml") as fh:
        while chunk := fh.read(1 << 20):
            if b"-spanned=" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def _ods_int(v) -> int:
    try:
        return max(1, int(v)) if v else 1
    except ValueError:
        return 1


def _cover(rows: list[list], merges: list) -> list:
    """Blank the covered cells of each range: LibreOffice keeps the hidden contents of merged
    cells and calamine reads them, but the person sees only the top-left value."""
    for (r0, c0), (r1, c1) in merges:
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            line = rows[r]
            for c in range(c0, min(c1, len(line) - 1) + 1):
                if (r, c) != (r0, c0):
                    line[c] = None
    return merges


def _parse_csv(content: bytes, lim: dict) -> list[tuple[str, list[list], list]]:
    text = _decode(content) or ""
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    rows = []
    for r in csv.reader(io.StringIO(text), dialect):
        rows.append([v if v != "" else None for v in r])
        if len(rows) > lim["max_rows"] + 100:
            _check_size(len(rows), 0, lim)
    _check_size(len(rows), max((len(r) for r in rows), default=0), lim)
    return [("CSV", _trim(rows), [])]


def _parse_html(content: bytes, lim: dict) -> list[tuple[str, list[list], list]]:
    import lxml.html

    text = _decode(content) or ""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        doc = lxml.html.document_fromstring(text)
    except Exception:  # noqa: BLE001 — lxml raises several types
        raise ReadError("文件是网页（HTML），但无法读取其中的表格：请在Excel中打开后另存为.xlsx", "html") from None
    out = []
    for n, table in enumerate(doc.iter("table"), start=1):
        grid: dict[tuple[int, int], str] = {}
        merges = []
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                value = td.text_content().strip()
                rs = max(1, min(int(td.get("rowspan", "1") or 1), 1000)) if str(td.get("rowspan", "1")).isdigit() else 1
                cs = max(1, min(int(td.get("colspan", "1") or 1), 100)) if str(td.get("colspan", "1")).isdigit() else 1
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = value if (dr, dc) == (0, 0) else ""
                if rs > 1 or cs > 1:
                    merges.append(((r, c), (r + rs - 1, c + cs - 1)))
                c += cs
            if r > lim["max_rows"] + 100:
                _check_size(r, 0, lim)
        if not grid:
            continue
        h = max(k[0] for k in grid) + 1
        w = max(k[1] for k in grid) + 1
        _check_size(h, w, lim)
        rows = [[grid.get((i, j)) or None for j in range(w)] for i in range(h)]
        out.append((f"表格{n}", _trim(rows), merges))
    if not out:
        raise ReadError("文件是网页（HTML），其中没有表格：请上传Excel表格", "html")
    return out


def _parse(kind: str, content: bytes, lim: dict):
    if kind == "ods":
        return _with_ods_merges(content, _parse_calamine(content, lim), lim)
    if kind in ("xlsx", "xls"):
        return _parse_calamine(content, lim)
    if kind == "html":
        return _parse_html(content, lim)
    return _parse_csv(content, lim)


def _child(conn, kind: str, content: bytes, lim: dict) -> None:  # pragma: no cover (runs in the child)
    try:
        import faulthandler
        import resource

        faulthandler.disable()  # an abort in the child is expected and reported by the parent
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)  # a native allocation failure prints a backtrace; the parent reports it
        vm = 0
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmSize:"):
                        vm = int(line.split()[1]) * 1024
        except OSError:
            vm = 0
        cap = vm + lim["memory_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CPU, (lim["seconds"] + 1, lim["seconds"] + 2))
        try:
            conn.send(("ok", _parse(kind, content, lim)))
        except ReadError as exc:
            conn.send(("error", (exc.message, exc.code)))
        except MemoryError:
            conn.send(("error", (_TOO_BIG, "too_large")))
        conn.close()
    finally:
        os._exit(0)


_TOO_BIG = "文件太大或结构异常，读取时超出了内存限制，未读取：请删去多余的空白行列，或分成几个文件导入"


def parse_sheets(content: bytes, filename: str = "") -> list[tuple[str, list[list] | None, list]]:
    """[(sheet name, rows, merged ranges)] read in a bounded child process; ReadError if not."""
    kind = detect(content, filename)
    lim = limits()
    ctx = multiprocessing.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child_conn, kind, content, lim), daemon=True)
    proc.start()
    child_conn.close()
    deadline = _time.monotonic() + lim["seconds"]
    try:
        if not parent_conn.poll(lim["seconds"]):
            raise ReadError(f"文件太复杂，{lim['seconds']}秒内没有读完，未读取：请分成几个文件导入", "timeout")
        try:
            status, payload = parent_conn.recv()
        except (EOFError, OSError):
            raise ReadError(_TOO_BIG, "too_large") from None
    finally:
        parent_conn.close()
        proc.join(max(0.1, min(5, deadline - _time.monotonic())))
        if proc.is_alive():
            proc.kill()
            proc.join(1)
    if status == "error":
        raise ReadError(*payload)
    return payload


# --- from sheets to a table ----------------------------------------------------------------


def _fill_merges(rows: list[list], merges: list) -> tuple[list[list], set[int]]:
    """Fill each merged range with its top-left value; the rows a wide merge alone makes."""
    wide_rows: set[int] = set()
    for (r0, c0), (r1, c1) in merges:
        if r0 >= len(rows):
            continue
        r1 = min(r1, len(rows) - 1)
        width = max((len(rows[r]) for r in range(r0, r1 + 1)), default=0)
        c1 = min(c1, width - 1)
        if c0 > c1:
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, r1 + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0) and blank(row[c]):
                    row[c] = value
        if c1 - c0 >= 2 and r0 == r1:
            wide_rows.add(r0)
    return rows, wide_rows


def _find_header(rows: list[list], spec: Spec, index: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    best = None
    for i, row in enumerate(rows[: spec.header_search]):
        mapping: dict[int, str] = {}
        for j, cell in enumerate(row):
            if isinstance(cell, str):
                f = field_for_header(index, cell)
                if f:
                    mapping[j] = f
        fields = set(mapping.values())
        good = len(fields) >= spec.min_match and all(f in fields for f in spec.must_have)
        if good and (best is None or len(fields) > len(set(best[1].values()))):
            best = (i, mapping)
    return best


_SKIP_HALFWIDTH = tuple((p, to_halfwidth(p)) for p in SKIP_PREFIXES)
_SKIP_HALVES = tuple(half for _p, half in _SKIP_HALFWIDTH)


def _skip_reason(
    row: list, used: list[int], header_keys: list[str], wide: bool, memo: dict | None = None
) -> str | None:
    """Why a row is skipped, or None. `memo`: normalized header keys of cell values seen
    before in the sheet (each row is checked against the header; most cells repeat)."""
    first = None
    for v in row:
        if v is not None and not (isinstance(v, str) and not v.strip()):
            first = v
            break
    if first is None:
        return "空行"
    if isinstance(first, str):
        s = "".join(to_halfwidth(first).split())
        if s.startswith(_SKIP_HALVES):  # one test for all prefixes; which one only on a hit
            for p, half in _SKIP_HALFWIDTH:
                if s.startswith(half):
                    return f"“{p.rstrip('：:')}”行"
    width = len(row)
    if all(blank(row[j]) if j < width else True for j in used):
        return "没有填写内容的行"
    # A repeated header row: every used cell reads as its header (stops at the first that does not).
    if used:
        memo = {} if memo is None else memo
        for j in used:
            v = row[j] if j < width else ""
            if v.__class__ is str:
                key = memo.get(v)
                if key is None:
                    key = memo[v] = normalize_header(v)
            else:
                key = normalize_header(v)
            if key != header_keys[j]:
                break
        else:
            return "重复的表头行"
    if wide:
        values = {cell_text(v) for v in row if not blank(v)}
        if len(values) == 1:
            return "标题或分组行"
    return None


def _build_table(sheets, spec: Spec, *, filled: dict[str, set[int]] | None = None) -> Table:
    index = spec.header_index()
    table = Table(spec=spec)
    found = []
    for name, rows, merges in sheets:
        if rows is None:
            table.sheets_not_read.append((name, "无法读取该工作表"))
            continue
        if not rows:
            continue  # an empty sheet (Sheet2, Sheet3 of a new workbook): nothing to report
        rows, wide = (rows, filled.get(name, set())) if filled is not None else _fill_merges(rows, merges)
        head = _find_header(rows, spec, index)
        if head is None:
            must = "、".join(f"“{spec.label(f)}”" for f in spec.must_have)
            table.sheets_not_read.append((name, f"没有找到{spec.title}的表头行（应有{must}等列）"))
            continue
        found.append((name, rows, wide, head))
    multi = len(found) > 1
    for name, rows, wide, (hi, mapping) in found:
        header = [cell_text(v).strip() for v in rows[hi]]
        header_keys = [normalize_header(v) for v in rows[hi]]
        winners: dict[str, int] = {}
        others: dict[str, list[int]] = {}
        for j in sorted(mapping):
            f = mapping[j]
            if f in winners:
                others.setdefault(f, []).append(j)
            else:
                winners[f] = j
        columns = {j: f for f, j in winners.items()}
        table.sheets.append(SheetTable(name, hi + 1, header, columns, rows, wide))
        for j, h in enumerate(header):
            if h and j not in mapping:
                table.unused_columns.append((name, h))
        for f, js in others.items():
            for j in js:
                table.doubled.append((name, header[winners[f]], header[j]))
        used = sorted(mapping)
        cols = {f: j + 1 for f, j in winners.items()}
        headers = {f: header[j] for f, j in winners.items()}
        limit = spec.max_rows
        kinds = {f: spec.kind_of(f) for f in winners}  # once per sheet, not per cell
        cleaners = {f: CLEANERS.get(k, _as_read) for f, k in kinds.items()}
        # (field, column, cleaner, cache). The cache holds cleaned text by cell value, per
        # column: a roster repeats the same few values (男, 汉族, 正式党员, blank) in most
        # cells. Only text cells are kept (a number is kept as it is, and -0.0 == 0.0 would
        # share an entry). None: DATE and RAW columns, taken as read; False: a doubled field.
        steps = [
            (f, j, cleaners[f], False if f in others else (None if cleaners[f] is _as_read else {}))
            for f, j in winners.items()
        ]
        width = len(header)
        memo: dict = {}
        count = 0
        for i in range(hi + 1, len(rows)):
            row = rows[i]
            why = _skip_reason(row, used, header_keys, i in wide, memo)
            if why:
                if why != "空行":
                    table.skipped.append((name, i + 1, why))
                continue
            count += 1
            if limit is not None and count > limit:
                raise ReadError(f"一次最多导入{limit}行，请分批导入", "too_many_rows")
            # rows are as wide as the header row; a merged range can leave one shorter
            row_at = row if len(row) >= width else row + [None] * (width - len(row))
            values = {}
            for f, j, cleaner, cache in steps:
                v = row_at[j]
                if cache is None:
                    values[f] = v
                elif cache is not False:
                    if v.__class__ is str:
                        c = cache.get(v)
                        if c is None:
                            c = cache[v] = cleaner(v)
                        values[f] = c
                    else:
                        values[f] = cleaner(v)
                else:
                    kind = kinds[f]
                    for k in others[f]:
                        alt = row_at[k]
                        if blank(alt):
                            continue
                        if blank(v):
                            v = alt
                        elif clean(kind, alt) != clean(kind, v):
                            table.dropped.append(
                                (
                                    name,
                                    i + 1,
                                    header[k],
                                    cell_text(alt).strip()[:50],
                                    f"与“{header[j]}”不同，取“{header[j]}”的值",
                                )
                            )
                    values[f] = cleaner(v)
            table.rows.append(Row(name, i + 1, values, cols, headers, multi))
    return table


def read_tables(content: bytes, *, specs: tuple[Spec, ...], filename: str = "") -> list[Table]:
    """One parse, several tables (a workbook holding two kinds of sheet); a spec that matched
    no sheet gives an empty Table (its sheets_not_read say why). ReadError for unreadable files."""
    sheets = parse_sheets(content, filename)
    return [
        _build_table([(n, [list(r) for r in rows] if rows else rows, m) for n, rows, m in sheets], s) for s in specs
    ]


def read_table(content: bytes, *, spec: Spec, filename: str = "") -> Table:
    """Read every sheet of a spreadsheet file for `spec`; ReadError (Chinese) when nothing can be read."""
    sheets = parse_sheets(content, filename)
    table = _build_table(sheets, spec)
    if not table.sheets:
        reasons = "；".join(f"“{n}”{why}" for n, why in table.sheets_not_read) if table.sheets_not_read else ""
        must = "、".join(f"“{spec.label(f)}”" for f in spec.must_have)
        if not any(rows for _n, rows, _m in sheets):
            raise ReadError("文件中没有内容（所有工作表都是空的）", "empty")
        raise ReadError(
            f"没有找到{spec.title}的表头行：前{spec.header_search}行中应有一行包含{must}等列名"
            + (f"（{reasons}）" if len(table.sheets_not_read) > 1 else ""),
            "no_header",
        )
    return table


# --- keeping a preview between the upload and the confirmation ------------------------------

PREVIEW_DIR = "import_previews"
PREVIEW_MAX_AGE = 3600  # seconds; abandoned previews are swept within an hour


def _preview_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / PREVIEW_DIR
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def sweep_previews(max_age: int = PREVIEW_MAX_AGE) -> int:
    """Delete previews older than max_age seconds (and the old plaintext roster uploads)."""
    n = 0
    cutoff = _time.time() - max_age
    root = Path(settings.MEDIA_ROOT)
    for pattern in (f"{PREVIEW_DIR}/*.preview", "roster_imports/*.upload"):
        for old in root.glob(pattern):
            try:
                if old.stat().st_mtime < cutoff or old.suffix == ".upload":
                    old.unlink(missing_ok=True)
                    n += 1
            except OSError:
                continue
    return n


def keep_preview(state) -> str:
    """Store a JSON-able preview state encrypted (core.crypto) under a random token."""
    import json
    import secrets

    from dangjian.core import crypto

    sweep_previews()
    token = secrets.token_hex(16)
    path = _preview_dir() / f"{token}.preview"
    data = crypto.encrypt(json.dumps(state, ensure_ascii=False, default=str))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(data)
    return token


def load_preview(token: str | None):
    """The state kept under token, or None when it is missing, expired or not ours."""
    import json

    from dangjian.core import crypto

    if not token or not re.fullmatch(r"[0-9a-f]{32}", str(token)):
        return None
    path = _preview_dir() / f"{token}.preview"
    try:
        if path.stat().st_mtime < _time.time() - PREVIEW_MAX_AGE:
            path.unlink(missing_ok=True)
            return None
        return json.loads(crypto.decrypt(path.read_text()))
    except (OSError, ValueError):
        return None


def drop_preview(token: str | None) -> None:
    if token and re.fullmatch(r"[0-9a-f]{32}", str(token)):
        (_preview_dir() / f"{token}.preview").unlink(missing_ok=True)


# One upload → 预览 → 确认导入 round per session key: a new upload replaces the previous preview,
# and 确认 only accepts the token of the latest one, so an older tab cannot import stale rows.
PREVIEW_EXPIRED = "上传的文件已过期（超过1小时未确认）或已经导入过，请重新上传"
PREVIEW_SUPERSEDED = "这份预览已被之后上传的文件取代，未导入任何数据：请按最新的检查结果确认，或重新上传"


def hold_preview(session, key: str, state, name: str) -> str:
    """Keep `state` as this session's preview under `key`, dropping the one it replaces."""
    old = session.get(key) or {}
    drop_preview(old.get("token"))
    token = keep_preview(state)
    session[key] = {"token": token, "name": name[:200]}
    return token


@dataclass(frozen=True)
class PostedPreview:
    token: str
    state: dict | None  # None when refused
    refused: str  # why it was refused (Chinese, for the page); "" when state is there


def posted_preview(session, key: str, token: str) -> PostedPreview:
    """The preview a 确认 form posted back, if it is still this session's latest one."""
    info = session.get(key) or {}
    state = load_preview(token) if token and token == info.get("token") else None
    if state is not None:
        refused = ""
    elif token and info.get("token") and token != info.get("token"):
        refused = PREVIEW_SUPERSEDED
    else:
        refused = PREVIEW_EXPIRED
    return PostedPreview(token=token, state=state, refused=refused)


def release_preview(session, key: str, token: str | None = None) -> None:
    """Drop the kept preview (`token`, or the session's own) and forget it: imported, stale or cancelled."""
    drop_preview(token if token is not None else (session.get(key) or {}).get("token"))
    session.pop(key, None)
