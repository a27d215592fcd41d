"""Spreadsheet files as offices make them, built by code for the import tests.

xlsx(rows, merges=("C3:C5",), sheets={"二支部": rows2})   # openpyxl, merged cells
csv_bytes(rows, encoding="gb18030")
convert(xlsx_bytes, "xls" | "ods")    # LibreOffice headless, cached per session; None if missing
sparse_xlsx(), zip_bomb_xlsx(), html_table(rows), excel2003_xml(rows), encrypted_ooxml()
ods_xml({"Sheet1": "<table:table-row>…</table:table-row>"})   # an .ods from hand-written table XML
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

_CACHE = Path(tempfile.gettempdir()) / "dangjian-spreadsheet-fixtures"


def xlsx(rows, *, merges=(), sheets=None, title="Sheet1") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    for name, (more, more_merges) in (sheets or {}).items():
        s = wb.create_sheet(name)
        for r in more:
            s.append(list(r))
        for m in more_merges:
            s.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, *, encoding="utf-8", delimiter=",") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding)


def convert(content: bytes, fmt: str) -> bytes | None:
    """xlsx → xls/ods with LibreOffice, cached on disk by content hash (one conversion per file)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    _CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(content).hexdigest()[:24]
    out = _CACHE / f"{key}.{fmt}"
    if out.exists():
        return out.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{key}.xlsx"
        src.write_bytes(content)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                tmp,
                str(src),
            ],
            check=False,
            capture_output=True,
            timeout=120,
        )
        made = Path(tmp) / f"{key}.{fmt}"
        if not made.exists():
            return None
        shutil.copy(made, out)
    return out.read_bytes()


def _rewrite(content: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, edit(info.filename, data))
    return buf.getvalue()


def sparse_xlsx(header=("姓名", "公民身份号码", "入党日期"), *, keep_dimension=True) -> bytes:
    """One header row and one cell at XFD1048576 (the probe's 4.8 KB file)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    if keep_dimension:
        return buf.getvalue()
    return _rewrite(
        buf.getvalue(),
        lambda name, data: re.sub(rb"<dimension[^>]*/>", b"", data) if name.startswith("xl/worksheets/") else data,
    )


def zip_bomb_xlsx(header=("姓名", "公民身份号码", "入党日期"), *, mb=210) -> bytes:
    """A valid xlsx whose sheet XML is `mb` MB and compresses ~400x (the probe's 549 KB → 210 MB).
    Written in chunks and cached on disk: the test process never holds the XML."""
    _CACHE.mkdir(parents=True, exist_ok=True)
    out = _CACHE / f"bomb-{mb}.xlsx"
    if out.exists():
        return out.read_bytes()
    base = zipfile.ZipFile(io.BytesIO(xlsx([header])))
    row = b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>'
    chunk = row * 10_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in base.infolist():
            data = base.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            data = re.sub(rb"<dimension[^>]*/>", b"", data)
            before, after = data.split(b"</sheetData>")
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                fh.write(before)
                for _ in range(mb * 1024 * 1024 // len(chunk)):
                    fh.write(chunk)
                fh.write(b"</sheetData>" + after)
    return out.read_bytes()


def html_table(rows, *, charset="utf-8") -> bytes:
    cells = "".join("<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in r) + "</tr>" for r in rows)
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body><table>{cells}</table></body></html>'
    return page.encode(charset)


def excel2003_xml(rows) -> bytes:
    cells = "".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' for v in r) + "</Row>" for r in rows
    )
    return (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        f'<Worksheet ss:Name="Sheet1"><Table>{cells}</Table></Worksheet></Workbook>'
    ).encode()


def encrypted_ooxml(rows=(("姓名", "公民身份号码"),), password="123456") -> bytes:
    """A password-protected .xlsx as Excel writes it (ECMA-376 agile encryption, msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx(rows))).encrypt(password, out)
    return out.getvalue()


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value=None, *, rows=1, cols=1, repeat=1, covered=False) -> str:
    """One <table:table-cell> (or covered cell) with spans and column repetition."""
    tag = "table:covered-table-cell" if covered else "table:table-cell"
    attrs = ""
    if repeat > 1:
        attrs += f' table:number-columns-repeated="{repeat}"'
    if rows > 1 or cols > 1:
        attrs += f' table:number-rows-spanned="{rows}" table:number-columns-spanned="{cols}"'
    if value is None:
        return f"<{tag}{attrs}/>"
    return f'<{tag}{attrs} office:value-type="string"><text:p>{value}</text:p></{tag}>'


def ods_row(*cells: str, repeat=1) -> str:
    attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attr}>{''.join(cells)}</table:table-row>"


def ods_xml(sheets: dict[str, str]) -> bytes:
    """A minimal .ods whose content.xml holds the given table XML per sheet: for the structures
    LibreOffice rarely writes (repeated rows holding merged cells, row groups, header rows)."""
    tables = "".join(f'<table:table table:name="{n}">{body}</table:table>' for n, body in sheets.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()
