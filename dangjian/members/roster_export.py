"""Roster export (xlsx with a title row) in the column layout the importer reads back."""

from __future__ import annotations

from collections.abc import Iterable

from dangjian.core import clock
from dangjian.core.xlsx import ledger_bytes
from dangjian.members.models import Member
from dangjian.members.roster_columns import COLUMNS, HEADERS


def _bool(v: bool) -> str:
    return "是" if v else "否"


def member_row(m: Member, *, full: bool, show_birth: bool = True) -> list:
    row = []
    for f, _, _ in COLUMNS:
        if f == "birth_date" and not show_birth:
            row.append(m.age_band)  # the birth date is part of the 公民身份号码
        elif f == "mobile_contact":
            row.append(m.mobile_contact if full else m.mobile_contact_mask)
        elif f == "id_number":
            row.append(m.id_number if full else m.id_number_mask)
        elif f == "phone":
            row.append(m.phone if full else m.phone_mask)
        elif f == "branch":
            row.append(m.branch.name)
        elif f == "group":
            row.append(m.group.name if m.group_id else "")
        else:
            v = getattr(m, f)
            row.append(_bool(v) if isinstance(v, bool) else v)
    return row


def roster_rows(qs, *, full: bool, show_birth: bool = True):
    """Rows for a roster queryset: one query (branch and group joined), values only, the
    encrypted columns decrypted with one key object (core.crypto). Without `show_birth`
    (roles not entitled to the full number) the birth date becomes the age band."""

    from dangjian.core import crypto
    from dangjian.rules.membership import age_band, age_on

    today = clock.today()
    names = [f for f, _, _ in COLUMNS]
    plain = [f for f in names if f not in ("id_number", "phone", "branch", "group", "mobile_contact")]
    secret = (
        ["id_number_enc", "phone_enc", "mobile_contact_enc"]
        if full
        else ["id_number_mask", "phone_mask", "mobile_contact_mask"]
    )
    fields = [*plain, *secret, "branch__name", "group__name"]
    decrypt = crypto.decrypt if full else (lambda v: v)
    for values in qs.values_list(*fields).iterator(chunk_size=2000):
        d = dict(zip(fields, values, strict=True))
        row = []
        for f in names:
            if f == "id_number":
                row.append(decrypt(d[secret[0]]))
            elif f == "phone":
                row.append(decrypt(d[secret[1]]))
            elif f == "mobile_contact":
                row.append(decrypt(d[secret[2]]))
            elif f == "birth_date" and not show_birth:
                row.append(age_band(age_on(d[f], today)) if d[f] else "")
            elif f == "branch":
                row.append(d["branch__name"])
            elif f == "group":
                row.append(d["group__name"] or "")
            else:
                v = d[f]
                row.append(_bool(v) if isinstance(v, bool) else v)
        yield row


def roster_bytes(members: Iterable[Member], *, full: bool, user=None, org: str = "", filters: str = "") -> bytes:
    title = "党员名册（含完整身份证号）" if full else "党员名册"
    show_birth = full or bool(getattr(user, "sees_full_ids", False))
    headers = HEADERS if show_birth else ["年龄段" if h == "出生日期" else h for h in HEADERS]
    return ledger_bytes(
        title=title,
        headers=headers,
        rows=(member_row(m, full=full, show_birth=show_birth) for m in members),
        org=org,
        user=user,
        filters=filters,
    )


def national_bytes(
    members: Iterable[Member], *, full: bool, user=None, org: str = "", uncoded: list[str] | None = None
) -> bytes:
    """The 全国党员管理信息系统 member record layout (members.national), readable by import_roster.
    性别, 民族 and 学历 are written as their national codes (rules.codes); a stored value that has
    no code is written as it is and named in `uncoded` (the caller reports it)."""
    from dangjian.members.national import NATIONAL_LAYOUT
    from dangjian.rules.codes import CODED_FIELDS, encode

    index = {f: i for i, (f, _, _) in enumerate(COLUMNS)}
    labels = dict(NATIONAL_LAYOUT)

    def rows():
        for m in members:
            r = member_row(m, full=full)
            out = []
            for f, _ in NATIONAL_LAYOUT:
                v = r[index[f]]
                if f in CODED_FIELDS and v not in (None, ""):
                    code = encode(f, v)
                    if code is None:
                        if uncoded is not None:
                            uncoded.append(f"{m.name}（{m.branch.name}）的{labels[f]}“{v}”没有国家代码，按原文写出")
                    else:
                        v = code
                out.append(v)
            yield out

    return ledger_bytes(
        title="党员信息（全国党员管理信息系统格式）",
        headers=[h for _, h in NATIONAL_LAYOUT],
        rows=rows(),
        org=org,
        user=user,
    )


def template_bytes() -> bytes:
    """An empty roster with the headers, the ID column formatted as text, and notes."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append(["党员名册导入模板（第2行为表头，请从第3行起填写；带*为必填）"])
    required = {"姓名", "公民身份号码", "民族", "学历", "人员类别", "所在党支部", "入党日期"}
    ws.append([f"{h}*" if h in required else h for h in HEADERS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
    id_col = HEADERS.index("公民身份号码") + 1
    phone_col = HEADERS.index("联系电话") + 1
    for r in range(3, 1003):  # text format, so Excel keeps all 18 digits
        ws.cell(row=r, column=id_col).number_format = "@"
        ws.cell(row=r, column=phone_col).number_format = "@"
    from openpyxl.utils import get_column_letter

    for i, h in enumerate(HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 22 if h == "公民身份号码" else max(10, len(h) * 2 + 2)
    notes = wb.create_sheet("填写说明")
    for line in [
        "1. 公民身份号码请按文本填写（本模板该列已设为文本）；存成数字会丢失末几位，系统将拒收该行。",
        "2. 日期可写 2019年7月1日、2019.07.01、2019-7-1、2019/07/01 或 20190701。",
        "3. 人员类别填“正式党员”或“预备党员”（也可写 正式/预备、中共党员/中共预备党员）。",
        "4. 正式党员须填转为正式党员日期（入党一年后；延长预备期的请填延长月数）；预备党员不填。",
        "5. 学历：研究生、大学本科、大学专科、中专、高中、初中及以下（本科、大专等写法也可）。",
        "6. 所在党支部填全称或简称，须是您有权管理的支部。出生日期、性别可不填，系统按身份证号补全。",
        "7. 已在册的党员（按公民身份号码识别）再次导入时会更新其信息，不会重复登记。",
        "8. 任何一行有错时整份文件都不导入，系统会列出每一行的错误并提供标注了错误单元格的文件。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
