"""REFERENCE ONLY (tests): dangjian/integrity/textsim.py as it was before the batched scan
(issue 16 item 6), one Python set and one MinHash per text. test_integrity_textsim_batched.py
checks that the batched module finds exactly the same pairs with the same scores.

Near-duplicate text among minutes, talk summaries and study reflections.

MinHash over character shingles with locality-sensitive hashing (datasketch), so a scan is
close to linear in the number of texts rather than quadratic. Text every branch legitimately
shares (a meeting's standard opening, the title of a document studied) is removed first: a
shingle that appears in the texts of many different organizations is boilerplate and does not
count towards similarity. What remains must also be long enough to mean something.

Copies as people make them (issue 21): the copier reorders sentences and changes the names,
figures, dates and places. Before shingling, `canonical()` folds numbers and dates to "#",
people's names (the roster's, and any surname + 同志/书记/说… pattern) to one placeholder and
known places (村、社区 and meeting places from the org tree) to another, so those edits no
longer break shingles; sentence order does not matter to a set of shingles. A pair is scored
by Jaccard AND by containment of the shorter text (|A∩B| / min(|A|,|B|)): a copy padded with
new sentences, or a partial copy, keeps a high containment although its Jaccard falls.
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
PERSON = "\ue000"  # placeholder for a person's name
PLACE = "\ue001"  # placeholder for a place
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿半"
_MEASURE = "名户人次条个项元角万亩天周年月日号时点分岁批件所处位家场期轮组棵斤吨米届份本篇期遍回"
_NUMBERS = re.compile(rf"第?[{_CN_NUMERAL}\d.]+(?=[{_MEASURE}%％])|第[{_CN_NUMERAL}\d]+|\d+")
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余"
    "潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    "牛蔺包安祁辛党鲁焦巩岳俞"
)
_TITLES = "同志|书记|主任|支书|委员|会计|老人|大爷|大妈|大娘|阿姨|老师|提出|汇报|发言|表示|建议|谈到|介绍|说"
_NAME_PATTERN = re.compile(rf"[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?={_TITLES})|[{_SURNAMES}](?=书记|主任|支书|会计)")


@dataclass(frozen=True)
class Doc:
    key: str  # e.g. "meeting:123"
    group: str  # who wrote it: the organization (boilerplate = shared by many groups)
    text: str
    # Text whose wording does not count (the meeting's topic: a theme or document title that
    # the 镇党委 hands every branch), removed from this document's shingles.
    exclude: str = ""


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    similarity: float  # the larger of jaccard and containment (what the threshold is compared with)
    jaccard: float = 0.0  # of the non-boilerplate shingles
    containment: float = 0.0  # share of the shorter text's non-boilerplate shingles found in the other
    shared: int = 0  # non-boilerplate shingles in common


def normalize(text: str) -> str:
    """Half-width, no punctuation or spaces, numbers folded (dates and counts changed by a
    copier should not hide a copy)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _DROP.sub("", text)
    return _DIGITS.sub("#", text)


class Roster:
    """Known names of people and places, folded to placeholders before shingling."""

    def __init__(self, people: Iterable[str] = (), places: Iterable[str] = ()):
        self.people = sorted({p for p in people if len(p) >= 2}, key=len, reverse=True)
        self.places = sorted({p for p in places if len(p) >= 2}, key=len, reverse=True)
        self._people = _alternation(self.people)
        self._places = _alternation(self.places)

    def fold(self, text: str) -> str:
        if self._places is not None:
            text = self._places.sub(PLACE, text)
        if self._people is not None:
            text = self._people.sub(PERSON, text)
        return text


def _alternation(words: Sequence[str]):
    return re.compile("|".join(map(re.escape, words))) if words else None


_EMPTY = Roster()


def canonical(text: str, roster: Roster | None = None) -> str:
    """`normalize` plus placeholders: the text as a copier's edits leave it unchanged."""
    text = unicodedata.normalize("NFKC", text or "")
    text = (roster or _EMPTY).fold(text)
    text = _NAME_PATTERN.sub(PERSON, text)
    text = _NUMBERS.sub("#", text)
    text = _DROP.sub("", text)
    return re.sub(r"([#\ue000\ue001])\1+", r"\1", text)


def shingles(text: str, k: int = SHINGLE, roster: Roster | None = None) -> set[int]:
    norm = canonical(text, roster)
    if len(norm) < k:
        return set()
    return {zlib.crc32(norm[i : i + k].encode()) for i in range(len(norm) - k + 1)}


def _group_counts(docs_shingles: dict[str, set[int]], groups: dict[str, str]) -> Counter[int]:
    """Per shingle, how many different organizations use it."""
    per_group: dict[str, set[int]] = {}
    for key, sh in docs_shingles.items():
        per_group.setdefault(groups[key], set()).update(sh)
    counts: Counter[int] = Counter()
    for sh in per_group.values():
        counts.update(sh)
    return counts


def boilerplate(
    docs_shingles: dict[str, set[int]], groups: dict[str, str], *, min_groups: int, counts: Counter | None = None
) -> set[int]:
    """Shingles used by at least `min_groups` different organizations."""
    counts = counts if counts is not None else _group_counts(docs_shingles, groups)
    return {s for s, n in counts.items() if n >= min_groups}


def formulaic(
    docs_shingles: dict[str, set[int]], groups: dict[str, str], *, min_docs: int, counts: Counter | None = None
) -> set[int]:
    """Shingles in at least `min_docs` documents of at least two organizations: set phrases
    of the trade (a 支委会 agenda item worded the same way everywhere, a study theme), which
    honest records repeat however few organizations there are. A copied passage is in two or
    three documents, not five."""
    in_groups = counts if counts is not None else _group_counts(docs_shingles, groups)
    docs: Counter[int] = Counter()
    for sh in docs_shingles.values():
        docs.update(sh)
    return {s for s, n in docs.items() if n >= min_docs and in_groups[s] >= 2}


def _identity(x):
    return x


_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)
_PERMUTATIONS, _SCHEME = _TEMPLATE.permutations, _TEMPLATE.scheme  # made once: costly per MinHash


def minhash(sh: Iterable[int]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, permutations=_PERMUTATIONS, scheme=_SCHEME)
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
    containment: float | None = 0.6,
    min_shingles: int = 10,
    min_shared: int = 20,
    boilerplate_groups: int | None = None,
    habit_share: float = 0.1,
    formula_docs: int | None = 5,
    roster: Roster | None = None,
    rosters: dict[str, Roster] | None = None,
) -> list[Pair]:
    """Pairs of documents whose distinctive text overlaps: Jaccard at least `threshold`, or
    the shorter text contained in the other at least `containment`, with at least
    `min_shared` distinctive shingles in common (so a short note is not "contained" by
    chance). `roster` folds names known to all groups; `rosters` per group (its members).

    Two readings, the higher score wins: the text with names, figures and places folded
    (a copy with those changed), and the text as written (names and figures kept). The second
    catches a copy of formula-built minutes that kept the names and figures: folded, such
    minutes are all alike and their phrases are set phrases; as written, only the copy matches."""
    rosters = rosters or {}
    folded: dict[str, set[int]] = {}
    literal: dict[str, set[int]] = {}
    for d in docs:
        r = _merge(roster, rosters.get(d.group))
        folded[d.key] = shingles(d.text, roster=r) - (shingles(d.exclude, roster=r) if d.exclude else set())
        literal[d.key] = _literal_shingles(d.text) - (_literal_shingles(d.exclude) if d.exclude else set())
    options = dict(
        threshold=threshold,
        containment=containment,
        min_shingles=min_shingles,
        min_shared=min_shared,
        boilerplate_groups=boilerplate_groups,
        habit_share=habit_share,
        formula_docs=formula_docs,
    )
    groups = {d.key: d.group for d in docs}
    pairs = _pairs(folded, groups, **options)
    for key, pair in _pairs(literal, groups, **options).items():
        if key not in pairs or pair.similarity > pairs[key].similarity:
            pairs[key] = pair
    return sorted(pairs.values(), key=lambda p: (-p.similarity, p.a, p.b))


def _literal_shingles(text: str, k: int = SHINGLE) -> set[int]:
    """Shingles of the text as written: width and punctuation only, names and figures kept."""
    norm = _DROP.sub("", unicodedata.normalize("NFKC", text or ""))
    if len(norm) < k:
        return set()
    return {zlib.crc32(norm[i : i + k].encode()) for i in range(len(norm) - k + 1)}


def _pairs(
    raw: dict[str, set[int]],
    groups: dict[str, str],
    *,
    threshold: float,
    containment: float | None,
    min_shingles: int,
    min_shared: int,
    boilerplate_groups: int | None,
    habit_share: float,
    formula_docs: int | None,
) -> dict[tuple[str, str], Pair]:
    n_groups = len(set(groups.values()))
    if boilerplate_groups is None:
        # Shared by 4 or more organizations (or a tenth of them, whichever is larger) = boilerplate;
        # in a scope of only a few organizations, shared by more than half of them (at least 3).
        boilerplate_groups = max(4, n_groups // 10)
        if n_groups < 2 * boilerplate_groups:
            boilerplate_groups = max(3, min(boilerplate_groups, n_groups // 2 + 1))
    counts = _group_counts(raw, groups)
    common = (
        boilerplate(raw, groups, min_groups=boilerplate_groups, counts=counts)
        if n_groups >= boilerplate_groups
        else set()
    )
    if formula_docs:
        common |= formulaic(raw, groups, min_docs=formula_docs, counts=counts)
    distinctive = {k: v - common for k, v in raw.items()}
    habit = habits(distinctive, groups, share=habit_share)
    # Candidates by LSH on Jaccard, low enough that a contained (shorter) text is still found.
    lsh_threshold = max(0.1, threshold - 0.15) if containment is None else 0.2
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    for key, sh in distinctive.items():
        if len(sh) < min_shingles:
            continue
        hashes[key] = minhash(sh)
        lsh.insert(key, hashes[key])
    pairs: dict[tuple[str, str], Pair] = {}
    seen: set[tuple[str, str]] = set()
    for key, m in hashes.items():
        for other in lsh.query(m):
            if other == key:
                continue
            a, b = sorted((key, other))
            if (a, b) in seen:
                continue
            seen.add((a, b))
            sa, sb = distinctive[a], distinctive[b]
            if groups[a] == groups[b] and groups[a] in habit:
                sa, sb = sa - habit[groups[a]], sb - habit[groups[a]]
                if min(len(sa), len(sb)) < min_shingles:
                    continue
            both = len(sa & sb)
            jac = both / len(sa | sb)
            cont = both / min(len(sa), len(sb))
            if both >= min_shared and (jac >= threshold or (containment is not None and cont >= containment)):
                pairs[(a, b)] = Pair(a, b, round(max(jac, cont), 3), round(jac, 3), round(cont, 3), both)
    return pairs


def _merge(a: Roster | None, b: Roster | None) -> Roster | None:
    if a is None or b is None:
        return a or b
    return Roster(a.people + b.people, a.places + b.places)


def contained_in_published(
    docs: Sequence[Doc],
    published: Sequence[Doc],
    *,
    containment: float = 0.5,
    min_shared: int = 20,
    roster: Roster | None = None,
) -> list[Pair]:
    """Records whose text is mostly taken from published material (上级文件, a materials
    library). No boilerplate rule here: every branch pasting the same article is exactly what
    is looked for. Pair.a is the published text's key, Pair.b the record's."""
    if not published:
        return []
    pub = {p.key: shingles(p.text, roster=roster) for p in published}
    index: dict[int, list[str]] = {}
    for key, sh in pub.items():
        for s in sh:
            index.setdefault(s, []).append(key)
    out = []
    for d in docs:
        sh = shingles(d.text, roster=roster)
        if len(sh) < min_shared:
            continue
        hits: Counter[str] = Counter()
        for s in sh:
            for key in index.get(s, ()):
                hits[key] += 1
        if not hits:
            continue
        best, both = hits.most_common(1)[0]
        cont = both / len(sh)
        if cont >= containment and both >= min_shared:
            jac = both / len(sh | pub[best])
            out.append(Pair(best, d.key, round(cont, 3), round(jac, 3), round(cont, 3), both))
    return sorted(out, key=lambda p: (-p.similarity, p.a, p.b))


_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?\n]?")


def sentences(text: str) -> list[tuple[int, str]]:
    """(start, sentence) for each sentence of `text`."""
    return [(m.start(), m.group()) for m in _SENTENCE.finditer(text or "")]


def aligned_sentences(a: str, b: str, *, roster: Roster | None = None, share: float = 0.5) -> list[tuple[int, int]]:
    """Pairs (i, j): sentence j of `b` is mostly (≥ `share` of its shingles) sentence i of `a`
    once names, figures and places are folded — whatever order the sentences are in."""
    sa = [shingles(t, roster=roster) for _s, t in sentences(a)]
    out = []
    for j, (_s, t) in enumerate(sentences(b)):
        sh = shingles(t, roster=roster)
        if len(sh) < 3:
            continue
        best, score = None, 0.0
        for i, other in enumerate(sa):
            if other:
                c = len(sh & other) / min(len(sh), len(other))
                if c > score:
                    best, score = i, c
        if best is not None and score >= share:
            out.append((best, j))
    return out


def shared_passages(a: str, b: str, *, min_chars: int = 8, roster: Roster | None = None) -> list[tuple[int, int, int]]:
    """Blocks (start in a, start in b, length) the two texts share, for side-by-side highlight.

    Sentence by sentence, so that reordered sentences are still shown side by side: each
    sentence of `b` is matched to the sentence of `a` it was most likely copied from, and the
    identical runs inside the two are marked (runs of 4 characters or more, so a changed name
    or figure shows as a gap). Without any matching sentence, the plain longest common runs."""
    sa, sb = sentences(a), sentences(b)
    blocks: list[tuple[int, int, int]] = []
    for i, j in aligned_sentences(a, b, roster=roster):
        (oa, ta), (ob, tb) = sa[i], sb[j]
        matcher = SequenceMatcher(None, ta, tb, autojunk=False)
        blocks.extend((oa + m.a, ob + m.b, m.size) for m in matcher.get_matching_blocks() if m.size >= 4)
    if not blocks:
        matcher = SequenceMatcher(None, a, b, autojunk=False)
        blocks = [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size >= min_chars]
    return sorted(blocks, key=lambda x: (x[1], x[0]))


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
