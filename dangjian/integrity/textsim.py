"""Near-duplicate text among minutes, talk summaries and study reflections.

MinHash over character shingles with locality-sensitive hashing (datasketch), so a scan is
close to linear in the number of texts rather than quadratic. Text every branch legitimately
shares (a meeting's standard opening, the title of a document studied) is removed first: a
shingle that appears in the texts of many different organizations is boilerplate and does not
count towards similarity. What remains must also be long enough to mean something.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE = 4  # characters; Chinese text has no spaces, so characters are the unit
NUM_PERM = 128
_DROP = re.compile(r"[\s\u3000,，.。;；:：!！?？、\"'“”‘’（）()《》<>【】\[\]—\-_/·…]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Doc:
    key: str  # e.g. "meeting:123"
    group: str  # who wrote it: the organization (boilerplate = shared by many groups)
    text: str


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    similarity: float  # Jaccard of the non-boilerplate shingles


def normalize(text: str) -> str:
    """Half-width, no punctuation or spaces, numbers folded (dates and counts changed by a
    copier should not hide a copy)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _DROP.sub("", text)
    return _DIGITS.sub("#", text)


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    norm = normalize(text)
    if len(norm) < k:
        return set()
    return {zlib.crc32(norm[i : i + k].encode()) for i in range(len(norm) - k + 1)}


def boilerplate(docs_shingles: dict[str, set[int]], groups: dict[str, str], *, min_groups: int) -> set[int]:
    """Shingles used by at least `min_groups` different organizations."""
    per_group: dict[str, set[int]] = {}
    for key, sh in docs_shingles.items():
        per_group.setdefault(groups[key], set()).update(sh)
    counts: Counter[int] = Counter()
    for sh in per_group.values():
        counts.update(sh)
    return {s for s, n in counts.items() if n >= min_groups}


def _identity(x):
    return x


def minhash(sh: Iterable[int]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, hashfunc=_identity)
    values = list(sh)
    if values:
        # Vectorised update with pre-hashed 32-bit values (faster than hashing bytes again).
        m.update_batch(values)
    return m


def habits(docs_shingles: dict[str, set[int]], groups: dict[str, str], *, share: float) -> dict[str, set[int]]:
    """Per organization, the phrases it uses in at least `share` of its own texts (its
    secretary's habitual wording); ignored when comparing that organization's texts with
    each other, so only copied substance counts across time."""
    counts: dict[str, Counter[int]] = {}
    sizes: Counter[str] = Counter()
    for key, sh in docs_shingles.items():
        g = groups[key]
        sizes[g] += 1
        counts.setdefault(g, Counter()).update(sh)
    return {g: {s for s, n in c.items() if n >= max(3, share * sizes[g])} for g, c in counts.items() if sizes[g] >= 3}


def find_near_duplicates(
    docs: Sequence[Doc],
    *,
    threshold: float = 0.5,
    min_shingles: int = 10,
    boilerplate_groups: int | None = None,
    habit_share: float = 0.1,
) -> list[Pair]:
    """Pairs of documents whose distinctive text overlaps by at least `threshold`."""
    groups = {d.key: d.group for d in docs}
    raw = {d.key: shingles(d.text) for d in docs}
    n_groups = len(set(groups.values()))
    if boilerplate_groups is None:
        # Shared by 4 or more organizations (or a tenth of them, whichever is larger) = boilerplate.
        boilerplate_groups = max(4, n_groups // 10)
    common = boilerplate(raw, groups, min_groups=boilerplate_groups) if n_groups >= boilerplate_groups else set()
    distinctive = {k: v - common for k, v in raw.items()}
    habit = habits(distinctive, groups, share=habit_share)
    lsh = MinHashLSH(threshold=max(0.1, threshold - 0.15), num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    for key, sh in distinctive.items():
        if len(sh) < min_shingles:
            continue
        hashes[key] = minhash(sh)
        lsh.insert(key, hashes[key])
    pairs: dict[tuple[str, str], float] = {}
    for key, m in hashes.items():
        for other in lsh.query(m):
            if other == key:
                continue
            a, b = sorted((key, other))
            if (a, b) in pairs:
                continue
            sa, sb = distinctive[a], distinctive[b]
            if groups[a] == groups[b] and groups[a] in habit:
                sa, sb = sa - habit[groups[a]], sb - habit[groups[a]]
                if min(len(sa), len(sb)) < min_shingles:
                    continue
            jac = len(sa & sb) / len(sa | sb)
            if jac >= threshold:
                pairs[(a, b)] = jac
    return [Pair(a, b, round(s, 3)) for (a, b), s in sorted(pairs.items(), key=lambda kv: -kv[1])]


def shared_passages(a: str, b: str, *, min_chars: int = 8) -> list[tuple[int, int, int]]:
    """Blocks (start in a, start in b, length) the two texts share, for side-by-side highlight."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size >= min_chars]


def highlight(text: str, blocks: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split `text` into (segment, shared?) runs given (start, length) blocks."""
    marks = np.zeros(len(text), dtype=bool)
    for start, length in blocks:
        marks[start : start + length] = True
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        out.append((text[i:j], bool(marks[i])))
        i = j
    return out
