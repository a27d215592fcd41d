"""Names searchable by full pinyin or initials (`zs` finds 张三), via pypinyin."""

from pypinyin import Style, lazy_pinyin


def full_pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name, errors="ignore")).lower()


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full_pinyin, initials) from one pypinyin pass: the initials are the first letter of
    each syllable, which is what Style.FIRST_LETTER gives (the same phrase-based reading of
    多音字; tests/core compare the two), at half the cost for a large import."""
    syllables = lazy_pinyin(name, errors="ignore")
    return "".join(syllables).lower(), "".join(s[0] for s in syllables if s).lower()
