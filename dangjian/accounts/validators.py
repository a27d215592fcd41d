"""Password policy messages in Chinese.

Django's zh-hans catalogue translates every built-in validator message except the
plural "too short" one of MinimumLengthValidator (the msgid changed in Django 5 and the
catalogue has not caught up), which then shows in English. This subclass says it in Chinese.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator as _Base
from django.core.exceptions import ValidationError


class MinimumLengthValidator(_Base):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
