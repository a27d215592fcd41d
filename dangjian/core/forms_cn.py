"""Plain-Chinese form messages and select placeholders for every form (DESIGN principle 8).

Django's own Chinese (“确保该变量包含不超过 40 字符”, “这个字段是必填项”) and its “---------”
placeholder read like programmer words; install() replaces them once at start-up, so every
form — ours and the libraries' — speaks the same plain Chinese.
"""

from __future__ import annotations

PLACEHOLDER = "（请选择）"


def install() -> None:
    from django import forms
    from django.core import validators
    from django.db.models import fields as model_fields

    validators.MaxLengthValidator.message = "最多%(limit_value)d个字，现在有%(show_value)d个字。"
    validators.MinLengthValidator.message = "至少%(limit_value)d个字，现在只有%(show_value)d个字。"
    validators.MaxValueValidator.message = "不能大于%(limit_value)s。"
    validators.MinValueValidator.message = "不能小于%(limit_value)s。"
    validators.EmailValidator.message = "电子邮箱格式不正确。"
    messages = {
        forms.Field: {"required": "请填写此项。"},
        forms.ChoiceField: {"invalid_choice": "所选的选项无效，请重新选择。"},
        forms.MultipleChoiceField: {"invalid_choice": "所选的选项无效，请重新选择。", "invalid_list": "请重新选择。"},
        forms.ModelChoiceField: {"invalid_choice": "所选的选项无效，请重新选择。"},
        forms.IntegerField: {"invalid": "请填写整数。"},
        forms.FloatField: {"invalid": "请填写数字。"},
        forms.DecimalField: {"invalid": "请填写数字。"},
        forms.DateField: {"invalid": "日期格式不正确，请按“2024-07-01”填写。"},
        forms.TimeField: {"invalid": "时间格式不正确，请按“15:00”填写。"},
        forms.DateTimeField: {"invalid": "日期时间格式不正确。"},
        forms.FileField: {
            "invalid": "没有收到文件，请重新选择。",
            "missing": "没有收到文件，请重新选择。",
            "empty": "上传的文件是空的。",
        },
    }
    for cls, msgs in messages.items():
        cls.default_error_messages = {**cls.default_error_messages, **msgs}
    model_fields.BLANK_CHOICE_DASH[:] = [("", PLACEHOLDER)]

    original = forms.ModelChoiceField.__init__
    if getattr(original, "_cn", False):
        return

    def __init__(self, queryset, *, empty_label="---------", **kwargs):
        original(self, queryset, empty_label=PLACEHOLDER if empty_label == "---------" else empty_label, **kwargs)

    __init__._cn = True
    forms.ModelChoiceField.__init__ = __init__
