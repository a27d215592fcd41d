"""Checks on one member's data, shared by the edit form, the services and the importer.

Every message is plain Chinese and names the field (“公民身份号码：…”), so a secretary can
act on it without help. Sources: GB 11643-1999 (公民身份号码), 党章 Arts. 1 and 7 (ages and
probation) via dangjian.rules.
"""

from __future__ import annotations

from datetime import date

from dangjian.core import clock
from dangjian.members.models import Education, MemberKind, Sex
from dangjian.rules import idcard
from dangjian.rules.errors import RuleError
from dangjian.rules.membership import validate_member_dates

# Labels used in messages and in the roster file (RULES.md §10 names).
LABELS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "id_number": "公民身份号码",
    "birth_date": "出生日期",
    "education": "学历",
    "kind": "人员类别",
    "branch": "所在党支部",
    "group": "党小组",
    "joined_on": "入党日期",
    "full_on": "转为正式党员日期",
    "probation_extension_months": "延长预备期（月）",
    "phone": "联系电话",
    "lost_on": "失联日期",
    "mobile_since": "外出日期",
}

# The choices, computed once: Choices.values builds a new list on every access and the
# importer checks tens of thousands of rows.
SEX_VALUES = frozenset(Sex.values)
EDUCATION_VALUES = tuple(Education.values)
KIND_VALUES = frozenset(MemberKind.values)

REQUIRED = ("name", "sex", "ethnicity", "birth_date", "education", "kind", "branch", "joined_on")

# Which date problem belongs to which field (messages come from rules.membership).
_DATE_PROBLEM_FIELD = (
    ("出生日期", "birth_date"),
    ("十八岁", "joined_on"),
    ("预备党员不应有转正日期", "full_on"),
    ("正式党员应填写转正日期", "full_on"),
    ("延长预备期", "probation_extension_months"),
    ("转正日期", "full_on"),
    ("人员类别", "kind"),
)


def label(field: str) -> str:
    return LABELS.get(field, field)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message if message.startswith(label(field)) else f"{label(field)}：{message}")


def check_member(data: dict, *, today: date | None = None) -> dict[str, list[str]]:
    """Validate a member's fields. `data` holds model field names plus `id_number` (raw).

    Returns {field: [messages]}; empty when everything agrees. Does not touch the database
    (uniqueness is checked by the caller, which knows which record is being edited).
    """
    today = clock.or_today(today)
    errors: dict[str, list[str]] = {}
    for f in REQUIRED:
        v = data.get(f)
        if v is None or (isinstance(v, str) and not v.strip()):
            _add(errors, f, "必填，不能为空")
    if data.get("sex") and data["sex"] not in SEX_VALUES:
        _add(errors, "sex", f"应为“男”或“女”，当前为“{data['sex']}”")
    if data.get("education") and data["education"] not in EDUCATION_VALUES:
        _add(errors, "education", f"应为 {'、'.join(EDUCATION_VALUES)} 之一，当前为“{data['education']}”")
    if data.get("kind") and data["kind"] not in KIND_VALUES:
        _add(errors, "kind", f"应为正式党员或预备党员，当前为“{data['kind']}”")

    raw_id = data.get("id_number")
    if raw_id is None or not str(raw_id).strip():
        _add(errors, "id_number", "必填，不能为空")
    else:
        number = idcard.normalize_id(str(raw_id))
        try:
            idcard.validate_id(number, today=today)
        except RuleError as exc:
            _add(errors, "id_number", f"{exc.message}（GB 11643-1999）")
        else:
            # Birth date and sex must agree with the number (GB 11643-1999: digits 7–14, 17).
            id_birth = idcard._birth(number)  # validated just above: no second check
            id_sex = idcard._sex(number)
            if data.get("birth_date") and data["birth_date"] != id_birth:
                _add(
                    errors,
                    "birth_date",
                    f"与公民身份号码不一致（号码中为{id_birth.year}年{id_birth.month}月{id_birth.day}日）",
                )
            if data.get("sex") in SEX_VALUES and data["sex"] != id_sex:
                _add(errors, "sex", f"与公民身份号码不一致（号码第17位表示“{id_sex}”）")

    for f in ("joined_on", "full_on", "birth_date"):
        d = data.get(f)
        if isinstance(d, date) and d > today:
            _add(errors, f, "不能晚于今天")
    ext = data.get("probation_extension_months") or 0
    if data.get("kind") in KIND_VALUES:
        for problem in validate_member_dates(
            data.get("birth_date"), data.get("joined_on"), data.get("full_on"), data["kind"], ext
        ):
            field = next((f for key, f in _DATE_PROBLEM_FIELD if key in problem), "joined_on")
            _add(errors, field, problem)
    if data.get("is_lost") and not data.get("lost_on"):
        _add(errors, "lost_on", "失联党员应填写失联日期")
    return errors


def flat(errors: dict[str, list[str]]) -> list[str]:
    return [m for msgs in errors.values() for m in msgs]
