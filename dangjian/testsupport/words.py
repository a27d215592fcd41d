"""The English-word check: every page a user sees is in Chinese (DESIGN principle 8).

english_words(html) returns the English words a person would read on the page — text nodes
and the placeholder/title/aria-label/alt attributes, outside <script>, <style>, <code> and
<pre> — minus addresses, file names, account names and the few abbreviations Chinese offices
use as they are (Excel, Word, PDF, QR …).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED = {
    "excel", "word", "wps", "pdf", "jpg", "jpeg", "png", "svg", "csv", "xlsx", "docx", "zip",
    "qr", "id", "ip", "https", "http", "url", "sha", "app", "gb", "kb", "mb", "ok", "cpu", "ai",
    "sqlite", "postgresql", "redis", "waitress", "gunicorn", "nginx", "minhash", "lsh",
    "tiny", "township", "county", "xls", "ods",
    "zhangsan", "zs",  # the pinyin search example (“可输入拼音 zhangsan 或 zs”)
}  # fmt: skip
SKIP_TAGS = {"script", "style", "code", "pre", "template", "noscript", "svg"}
ATTRS = {"placeholder", "title", "aria-label", "alt"}
TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]+")
IGNORE = re.compile(
    r"(?:https?://|/)\S*"  # addresses and paths
    r"|\S+@\S+"  # e-mail
    r"|\b[\w.-]+\.(?:xlsx|docx|pdf|csv|png|jpe?g|svg|zip|sqlite3?)\b"  # file names
    r"|\b\w*[_\d]\w*\b",  # account names and codes: scope_admin, demo01, A2
    re.IGNORECASE,
)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        for name, value in attrs:
            if name in ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(html: str, *, allowed: set[str] = frozenset()) -> list[str]:
    p = _Text()
    p.feed(html)
    found = []
    for part in p.parts:
        text = IGNORE.sub(" ", part)
        for w in TOKEN.findall(text):
            if len(w) >= 2 and w.lower() not in ALLOWED and w.lower() not in allowed:
                found.append(w)
    return found
