"""规则校验错误。"""


class RuleError(ValueError):
    """违反规则或输入无法识别时抛出；消息为中文，可直接展示给用户。"""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
