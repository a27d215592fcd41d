"""Near-duplicate text among minutes, talk summaries and study reflections.

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

At county scale (50,000–100,000 texts) everything after the regular expressions is batched
with numpy: the shingles of all texts at once, MinHash values for all texts at once (the same
values datasketch computes one text at a time), LSH candidates by sorting each band, and the
exact scores of all candidates at once. tests/integrity/textsim_reference.py keeps the
per-text version the results are checked against.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

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


@dataclass(frozen=True, slots=True)  # a county scan holds 50,000–100,000 of them
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


def normalized_lengths(texts: list[str]) -> list[int]:
    """[len(normalize(t)) for t in texts], with NFKC done for all texts at once (`nfkc_all`)."""
    return [len(_DIGITS.sub("#", _DROP.sub("", t))) for t in nfkc_all([t or "" for t in texts])]


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
    return _canonical_nfkc(unicodedata.normalize("NFKC", text or ""), roster)


def _canonical_nfkc(text: str, roster: Roster | None) -> str:
    """`canonical` of a text already in NFKC form."""
    return _placeholders((roster or _EMPTY).fold(text))


def plain_canonical(nfkc: Sequence[str]) -> list[str]:
    """`canonical` without a roster of texts already in NFKC form (`nfkc_texts`): the published
    check's reading, and the folded reading of every text no roster name occurs in."""
    return [_placeholders(t) for t in nfkc]


_RUNS = re.compile(r"([#\ue000\ue001])\1+")


def _placeholders(text: str) -> str:
    text = _NAME_PATTERN.sub(PERSON, text)
    text = _NUMBERS.sub("#", text)
    text = _DROP.sub("", text)
    return _RUNS.sub(r"\1", text)


def shingles(text: str, k: int = SHINGLE, roster: Roster | None = None) -> set[int]:
    norm = canonical(text, roster)
    if len(norm) < k:
        return set()
    return {zlib.crc32(norm[i : i + k].encode()) for i in range(len(norm) - k + 1)}


def _identity(x):
    return x


# datasketch itself is not imported by the scan: with it comes scipy (~45 MB resident in the
# worker, for the one optimisation `_hashranges` tables). What the scan takes from it is copied
# here and checked against it (tests/integrity/test_integrity_textsim_batched.py).
_SCHEME = "affine32"


def _affine32_permutations(seed: int = 1, num_perm: int = NUM_PERM) -> np.ndarray:
    """datasketch MinHash(num_perm, seed).permutations for its affine32 scheme: (a odd, b)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


_PERMUTATIONS = _affine32_permutations()  # made once: costly per MinHash


def _fmix(hv: np.ndarray, width: int = 32) -> np.ndarray:
    """datasketch.minhash._fmix(hv, 32): MurmurHash3's finalizer, its pre-mix of 32-bit values."""
    assert width == 32
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash(sh: Iterable[int]) -> MinHash:
    """One datasketch MinHash of pre-hashed 32-bit shingles (the per-text way; the scan uses
    `minhash_matrix`, which gives the same values for many texts at once)."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, permutations=_PERMUTATIONS, scheme=_SCHEME)
    values = list(sh)
    if values:
        m.update_batch(values)
    return m


# --- batched shingling and hashing ------------------------------------------------------------
# A scan of a county's 100,000 texts cannot afford a Python set of ints per text (memory) nor a
# Python loop per shingle (time). The texts are concatenated into one array of code points and
# every k-character window's zlib.crc32 (of its UTF-8 bytes, exactly as `shingles` computes it)
# is computed with numpy. CRC-32 is affine over GF(2): the register after a byte string s,
# started from c, is L^|s|(c) xor R(0, s), so a window's CRC is 4 table steps of one character
# each (its precomputed R(0, utf8(char)) and byte length), not 12 byte steps.
_M32 = np.uint64(0xFFFFFFFF)


def _crc_tables():
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c

    def zero_bytes(v: np.ndarray, n: int) -> np.ndarray:  # L^n: the register after n zero bytes
        for _ in range(n):
            v = table[v & 0xFF] ^ (v >> np.uint32(8))
        return v

    base = np.arange(256, dtype=np.uint32)
    shift = np.zeros((5, 4, 256), dtype=np.uint32)
    for n in range(5):
        for j in range(4):
            shift[n, j] = zero_bytes(base << np.uint32(8 * j), n)
    start = np.array([zero_bytes(np.array([0xFFFFFFFF], dtype=np.uint32), n)[0] for n in range(5)], dtype=np.uint32)
    return table, shift.reshape(-1), start


_CRC, _SHIFT, _START = _crc_tables()


def _char_crc(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per code point: R(0, its UTF-8 bytes) and the number of those bytes."""
    cp = cp.astype(np.uint32)
    n = np.where(cp < 0x80, 1, np.where(cp < 0x800, 2, np.where(cp < 0x10000, 3, 4))).astype(np.uint32)
    lead = np.where(
        n == 1, cp, np.where(n == 2, 0xC0 | (cp >> 6), np.where(n == 3, 0xE0 | (cp >> 12), 0xF0 | (cp >> 18)))
    )
    reg = _CRC[lead & 0xFF]
    for i in range(1, 4):  # continuation bytes, most significant first
        byte = 0x80 | ((cp >> np.uint32(6 * (n.astype(np.int64) - 1 - i).clip(0))) & 0x3F)
        step = _CRC[(reg ^ byte) & 0xFF] ^ (reg >> np.uint32(8))
        reg = np.where(n > i, step, reg)
    return reg.astype(np.uint32), n


_BMP_CRC, _BMP_LEN = _char_crc(np.arange(0x10000, dtype=np.uint32))


def _window_crcs(texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(text index, crc32) of every k-character window of `texts`, in order."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    n_windows = len(cp) - k + 1
    if n_windows <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.uint32)
    if cp.size and cp.max() >= 0x10000:
        reg, nbytes = _char_crc(cp)
    else:
        reg, nbytes = _BMP_CRC[cp], _BMP_LEN[cp]
    s = _START[nbytes[:n_windows]] ^ reg[:n_windows]
    for j in range(1, k):
        base = nbytes[j : j + n_windows].astype(np.intp) * 1024
        s = (
            _SHIFT[base + (s & 0xFF)]
            ^ _SHIFT[base + 256 + ((s >> 8) & 0xFF)]
            ^ _SHIFT[base + 512 + ((s >> 16) & 0xFF)]
            ^ _SHIFT[base + 768 + (s >> 24)]
            ^ reg[j : j + n_windows]
        )
    s = ~s
    ends = np.cumsum(lengths)
    text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[:n_windows]
    valid = np.arange(n_windows, dtype=np.int64) + k <= ends[text_of]
    return text_of[valid], s[valid]


_BATCH_CHARS = 250_000  # code points per numpy pass: ~15 MB of temporaries


def _batches(texts: Sequence[str]):
    """(first, last + 1) of consecutive texts of at most _BATCH_CHARS code points (one text at least)."""
    i = 0
    while i < len(texts):
        j, chars = i, 0
        while j < len(texts) and (chars == 0 or chars + len(texts[j]) <= _BATCH_CHARS):
            chars += len(texts[j])
            j += 1
        yield i, j
        i = j


def shingle_keys(texts: Sequence[str], k: int = SHINGLE) -> np.ndarray:
    """The shingle sets of already-normalised `texts` as one sorted array of unique uint64
    keys (text index << 32 | crc32 of the window): the batched `shingles`."""
    # Filled in place (at most one key per window), not concatenated from parts: one copy.
    out = np.empty(sum(max(0, len(t) - k + 1) for t in texts), dtype=np.uint64)
    filled = 0
    for i, j in _batches(texts):
        doc, crc = _window_crcs(texts[i:j], k)
        part = _unique(((doc + i).astype(np.uint64) << np.uint64(32)) | crc.astype(np.uint64))
        out[filled : filled + part.size] = part
        filled += part.size
    return out[:filled]


def shingle_columns(texts: Sequence[str], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """`shingle_keys` as two 32-bit columns, (text index, crc32), in the same order: half the
    memory of the 64-bit keys, and no moment when both are held (a county has millions)."""
    n = sum(max(0, len(t) - k + 1) for t in texts)
    doc = np.empty(n, dtype=np.int32)
    sh = np.empty(n, dtype=np.uint32)
    filled = 0
    for i, j in _batches(texts):
        d, crc = _window_crcs(texts[i:j], k)
        part = _unique((d.astype(np.uint64) << np.uint64(32)) | crc.astype(np.uint64))
        del d, crc
        doc[filled : filled + part.size] = (part >> np.uint64(32)).astype(np.int32) + i
        sh[filled : filled + part.size] = part & _M32
        filled += part.size
    return doc[:filled], sh[:filled]


def _in_sorted(values: np.ndarray, sorted_set: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """values ∈ sorted_set, element-wise (in chunks: searchsorted's int64 positions)."""
    out = np.zeros(values.shape, dtype=bool)
    if not sorted_set.size:
        return out
    for i in range(0, len(values), chunk):
        part = values[i : i + chunk]
        idx = np.searchsorted(sorted_set, part)
        idx[idx == sorted_set.size] = 0
        out[i : i + chunk] = sorted_set[idx] == part
    return out


def _in_sorted_packed(high, low, sorted_set, *, high_index=None, chunk: int = 1 << 20) -> np.ndarray:
    """`_in_sorted(_pack(high, low, high_index=…), sorted_set)` without the full-size packed array."""
    n = len(low)
    out = np.zeros(n, dtype=bool)
    if not sorted_set.size:
        return out
    for i in range(0, n, chunk):
        h = high[high_index[i : i + chunk]] if high_index is not None else high[i : i + chunk]
        part = (h.astype(np.uint64) << np.uint64(32)) | low[i : i + chunk].astype(np.uint64)
        out[i : i + chunk] = _in_sorted(part, sorted_set, chunk=chunk)
    return out


def _compact(values: np.ndarray, keep: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """values[keep], written over `values` itself chunk by chunk (no second full-size array)."""
    filled = 0
    for i in range(0, len(values), chunk):
        part = values[i : i + chunk][keep[i : i + chunk]]
        values[filled : filled + part.size] = part
        filled += part.size
    return values[:filled]


def _pack(high, low, *, high_index=None, low_index=None, chunk: int = 1 << 20) -> np.ndarray:
    """high << 32 | low as uint64, element-wise, built in chunks; high[high_index] or
    low[low_index] where an index is given (a per-text column spread over its shingles)."""
    n = len(high_index) if high_index is not None else len(high)
    out = np.empty(n, dtype=np.uint64)
    for i in range(0, n, chunk):
        h = high[high_index[i : i + chunk]] if high_index is not None else high[i : i + chunk]
        lo = low[low_index[i : i + chunk]] if low_index is not None else low[i : i + chunk]
        out[i : i + chunk] = (h.astype(np.uint64) << np.uint64(32)) | lo.astype(np.uint64)
    return out


def _bounds(doc: np.ndarray, n: int) -> np.ndarray:
    """Start offsets of each document's run in a doc-sorted array (n + 1 entries)."""
    return np.searchsorted(doc, np.arange(n + 1, dtype=doc.dtype))  # same dtype: `doc` is not copied to cast it


def _mixed(values: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """datasketch's affine32 pre-mix (_fmix) of 32-bit values, in chunks: its temporaries are
    a few MB instead of several copies of `values`."""
    out = np.empty(len(values), dtype=np.uint32)
    for i in range(0, len(values), chunk):
        out[i : i + chunk] = _fmix(values[i : i + chunk].astype(np.uint32), 32)
    return out


def minhash_matrix(
    values: np.ndarray, bounds: np.ndarray, step: int = 512, *, premixed: np.ndarray | None = None
) -> np.ndarray:
    """The datasketch MinHash hash values (affine32 scheme, seed 1) of many sets at once: set i
    is values[bounds[i]:bounds[i+1]] (pre-hashed 32-bit shingles, non-empty). Row i equals
    `minhash(set i).hashvalues`. `premixed`: `_mixed(values)`, when the caller has it (then
    `values` is not read). `step` shingles per pass: a 512 × 128 block (256 KB) stays
    in the CPU cache."""
    a, b = _PERMUTATIONS
    mixed = _mixed(values) if premixed is None else premixed
    n = len(bounds) - 1
    out = np.empty((n, NUM_PERM), dtype=np.uint32)
    buf = np.empty((step, NUM_PERM), dtype=np.uint32)
    d0 = 0
    while d0 < n:
        lo = bounds[d0]
        d1 = min(n, max(d0 + 1, int(np.searchsorted(bounds, lo + step, side="right")) - 1))
        hi = bounds[d1]
        block = buf[: hi - lo] if hi - lo <= step else np.empty((hi - lo, NUM_PERM), dtype=np.uint32)
        np.multiply(mixed[lo:hi, None], a, out=block)
        block += b
        out[d0:d1] = np.minimum.reduceat(block, bounds[d0:d1] - lo, axis=0)
        d0 = d1
    return out


# (bands, rows per band) that datasketch's MinHashLSH(threshold, num_perm=128) chooses (by
# integrating its error probabilities with scipy), for the thresholds the scan uses.
_BANDS = {0.1: (64, 2), 0.15: (51, 2), 0.2: (28, 2), 0.25: (42, 3), 0.3: (37, 3), 0.35: (32, 4), 0.4: (32, 4),
          0.45: (25, 5), 0.5: (25, 5), 0.55: (21, 6), 0.6: (18, 7), 0.65: (16, 8), 0.7: (14, 9)}  # fmt: skip


@cache
def _hashranges(threshold: float) -> list[tuple[int, int]]:
    """MinHashLSH(threshold, num_perm=NUM_PERM).hashranges: its bands of the MinHash row."""
    if threshold in _BANDS:
        bands, rows = _BANDS[threshold]
        return [(i * rows, (i + 1) * rows) for i in range(bands)]
    from datasketch import MinHashLSH

    return MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges  # costly to find


def lsh_candidates(matrix: np.ndarray, threshold: float) -> np.ndarray:
    """Pairs (i < j, as i << 32 | j, sorted) of rows sharing a band of MinHashLSH(threshold):
    exactly the pairs `MinHashLSH.query` returns for these MinHashes, found by sorting each
    band's values instead of inserting into and querying hash tables one text at a time."""
    found = []
    for start, end in _hashranges(threshold):
        band = matrix[:, start:end]
        order = np.lexsort(band.T[::-1])
        ordered = band[order]
        same = np.all(ordered[1:] == ordered[:-1], axis=1)  # row k+1 in the bucket of row k
        if not same.any():
            continue
        # Runs of equal rows: [first, last] positions in `order`.
        edges = np.diff(np.concatenate([[False], same, [False]]).astype(np.int8))
        firsts, lasts = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        sizes = lasts - firsts + 1
        for m in np.unique(sizes).tolist():  # buckets of m rows: all their pairs at once
            at = firsts[sizes == m]
            members = np.sort(order[at[:, None] + np.arange(m)], axis=1)
            i, j = np.triu_indices(m, 1)
            found.append(((members[:, i].astype(np.uint64) << np.uint64(32)) | members[:, j].astype(np.uint64)).ravel())
    return _unique(np.concatenate(found)) if found else np.zeros(0, np.uint64)


def _unique(a: np.ndarray, counts: bool = False):
    """np.unique (sorted) by sorting: numpy's hashing path is several times slower on uint64."""
    a = np.sort(a)
    first = np.concatenate([[True], a[1:] != a[:-1]]) if a.size else np.zeros(0, dtype=bool)
    if not counts:
        return a[first]
    at = np.nonzero(first)[0]
    return a[first], np.diff(np.append(at, a.size))


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
    nfkc: Sequence[str] | None = None,
    plain: Sequence[str] | None = None,
) -> list[Pair]:
    """Pairs of documents whose distinctive text overlaps: Jaccard at least `threshold`, or
    the shorter text contained in the other at least `containment`, with at least
    `min_shared` distinctive shingles in common (so a short note is not "contained" by
    chance). `roster` folds names known to all groups; `rosters` per group (its members).

    Two readings, the higher score wins: the text with names, figures and places folded
    (a copy with those changed), and the text as written (names and figures kept). The second
    catches a copy of formula-built minutes that kept the names and figures: folded, such
    minutes are all alike and their phrases are set phrases; as written, only the copy matches.

    `nfkc` and `plain`, when the caller has them: the texts in NFKC form (`nfkc_texts`) and
    their `plain_canonical` reading."""
    rosters = rosters or {}
    if nfkc is None:
        nfkc = nfkc_texts(docs)
    # One entry per key (the last document given with it wins, as a dict would).
    plain = plain if plain is not None else [None] * len(docs)
    entries = list({d.key: (d, t, c) for d, t, c in zip(docs, nfkc, plain, strict=True)}.values())
    docs = [d for d, _t, _c in entries]
    merged: dict[str, Roster | None] = {}
    folded_texts: list[str] = []
    excluded: list[int] = []
    exclude_nfkc: dict[str, str] = {}  # topics repeat (every branch's 主题党日)
    folded_exclude: list[str] = []
    literal_exclude: list[str] = []
    for i, (d, text, no_roster) in enumerate(entries):
        if d.group not in merged:
            merged[d.group] = _merge(roster, rosters.get(d.group))
        r = merged[d.group]
        folded = r.fold(text) if r is not None else text
        # No roster name in the text: its folded reading is the plain one, if the caller has it.
        folded_texts.append(no_roster if no_roster is not None and folded == text else _placeholders(folded))
        if d.exclude:
            ex = exclude_nfkc.setdefault(d.exclude, unicodedata.normalize("NFKC", d.exclude))
            excluded.append(i)
            folded_exclude.append(_canonical_nfkc(ex, r))
            literal_exclude.append(_DROP.sub("", ex))
    options = dict(
        threshold=threshold,
        containment=containment,
        min_shingles=min_shingles,
        min_shared=min_shared,
        boilerplate_groups=boilerplate_groups,
        habit_share=habit_share,
        formula_docs=formula_docs,
    )
    group_names = {g: i for i, g in enumerate(dict.fromkeys(d.group for d in docs))}
    group_of = np.array([group_names[d.group] for d in docs], dtype=np.int64)
    keys = [d.key for d in docs]
    # Each reading's shingles are handed over in a list the callee empties, so that it can free
    # them (an argument stays referenced by the caller until the call returns).
    shingled = [_minus_excluded(folded_texts, excluded, folded_exclude)]
    del folded_texts, folded_exclude
    pairs = _pairs(shingled, keys, group_of, **options)
    literal_texts = [_DROP.sub("", text) for _d, text, _c in entries]  # after the folded reading: memory
    shingled = [_minus_excluded(literal_texts, excluded, literal_exclude)]
    del literal_texts, literal_exclude
    literal = _pairs(shingled, keys, group_of, **options)
    for key, pair in literal.items():
        if key not in pairs or pair.similarity > pairs[key].similarity:
            pairs[key] = pair
    return sorted(pairs.values(), key=lambda p: (-p.similarity, p.a, p.b))


def nfkc_texts(docs: Sequence[Doc]) -> list[str]:
    """The documents' texts in NFKC form, once for both readings and the published check
    (NFKC is idempotent: `canonical` of the result is `canonical` of the text)."""
    return nfkc_all([d.text or "" for d in docs])


def nfkc_all(texts: list[str]) -> list[str]:
    """[NFKC(t) for t in texts], faster: Chinese text is rarely NFKC only because of its
    full-width punctuation (，：（）) and ideographic spaces, whose NFKC forms are single ASCII
    characters. Those are mapped for all texts at once with numpy; NFKC then changes nothing
    in most texts (unicodedata.is_normalized, a quick check) and runs only on the others. The
    result is the same: NFKC composes the compatibility decomposition, which the mapping
    does not change."""
    sep = "\x00"
    if not texts or any(sep in t for t in texts):
        return [unicodedata.normalize("NFKC", t) for t in texts]
    if len(texts) > 5_000:  # in batches: a few MB of temporaries at a time
        return [t for i in range(0, len(texts), 5_000) for t in nfkc_all(texts[i : i + 5_000])]
    cp = np.frombuffer(sep.join(texts).encode("utf-32-le"), dtype=np.uint32).copy()
    wide = (cp >= 0xFF01) & (cp <= 0xFF5E)
    cp[wide] -= 0xFEE0
    cp[cp == 0x3000] = 0x20
    mapped = cp.tobytes().decode("utf-32-le").split(sep)
    return [t if unicodedata.is_normalized("NFKC", t) else unicodedata.normalize("NFKC", t) for t in mapped]


def _minus_excluded(texts: list[str], excluded: list[int], exclude_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Shingles of `texts` as (text, shingle) columns (`shingle_columns`), without those of
    document excluded[i]'s exclude_texts[i]."""
    doc, sh = shingle_columns(texts)
    if not excluded:
        return doc, sh
    ex = shingle_keys(exclude_texts)
    owner = np.array(excluded, dtype=np.uint64)[(ex >> np.uint64(32)).astype(np.int64)]
    ex = _unique((owner << np.uint64(32)) | (ex & _M32))
    keep = ~_in_sorted_packed(doc, sh, ex)
    return _compact(doc, keep), _compact(sh, keep)


_RANGE_ENTRIES = 1 << 20  # shingles per pass of the per-shingle counts: ~20 MB of temporaries


def _shingle_ranges(sh: np.ndarray):
    """Masks selecting `sh` by ranges of its top byte, each range at most ~_RANGE_ENTRIES
    entries (crc32 values are spread evenly), in ascending order of the shingle."""
    if sh.size <= _RANGE_ENTRIES:
        yield None
        return
    top = np.empty(sh.size, dtype=np.uint8)
    counts = np.zeros(256, dtype=np.int64)
    for i in range(0, sh.size, 1 << 20):  # in chunks: bincount counts in int64 copies
        top[i : i + (1 << 20)] = sh[i : i + (1 << 20)] >> np.uint32(24)
        counts += np.bincount(top[i : i + (1 << 20)], minlength=256)
    lo = filled = 0
    for hi in range(256):
        filled += int(counts[hi])
        if filled >= _RANGE_ENTRIES or hi == 255:
            # lo ≤ top ≤ hi as one comparison (uint8 wraps around below lo).
            yield (top - np.uint8(lo)) <= np.uint8(hi - lo)
            lo, filled = hi + 1, 0


def _pairs(
    shingled: list[tuple[np.ndarray, np.ndarray]],
    names: list[str],
    group_of: np.ndarray,
    *,
    threshold: float,
    containment: float | None,
    min_shingles: int,
    min_shared: int,
    boilerplate_groups: int | None,
    habit_share: float,
    formula_docs: int | None,
) -> dict[tuple[str, str], Pair]:
    """The candidate pairs and their exact scores. `shingled`: [every document's shingles as
    (document, shingle) columns sorted by both], emptied here; `group_of[document]`: its
    organization."""
    doc, sh = shingled.pop()
    n_docs = len(names)
    if n_docs < 2 or sh.size == 0:  # no text long enough for one shingle: nothing to compare
        return {}
    n_groups = len(_unique(group_of))
    if boilerplate_groups is None:
        # Shared by 4 or more organizations (or a tenth of them, whichever is larger) = boilerplate;
        # in a scope of only a few organizations, shared by more than half of them (at least 3).
        boilerplate_groups = max(4, n_groups // 10)
        if n_groups < 2 * boilerplate_groups:
            boilerplate_groups = max(3, min(boilerplate_groups, n_groups // 2 + 1))
    group_of = group_of.astype(np.int32)
    sizes = np.bincount(group_of)
    # Per shingle: in how many texts (each text's shingles are distinct) and in how many
    # organizations' texts; per (shingle, organization), in how many of that organization's
    # texts. One sort by (shingle, organization) answers all three; done for one range of
    # shingles at a time (a shingle's entries are all in its range), so that the sorted
    # 64-bit array is never the size of all of a county's shingles.
    common_parts: list[np.ndarray] = []
    habit_parts: list[np.ndarray] = []
    for part in _shingle_ranges(sh):
        if part is None:
            by_sh = _pack(sh, group_of, low_index=doc)
        else:
            by_sh = _pack(sh[part], group_of, low_index=doc[part])
        del part
        if not by_sh.size:
            continue
        by_sh.sort()
        common_sh, habit = _shingle_counts(by_sh, n_groups, boilerplate_groups, formula_docs, habit_share, sizes)
        del by_sh
        common_parts.append(common_sh)
        habit_parts.append(habit)
    common_sh = np.concatenate(common_parts)  # the ranges ascend: still sorted
    habit = np.sort(np.concatenate(habit_parts))  # (organization, shingle)
    del common_parts, habit_parts
    keep = ~_in_sorted(sh, common_sh)
    doc, sh = _compact(doc, keep), _compact(sh, keep)
    del keep, common_sh
    has_habit = sizes >= 3
    bounds = _bounds(doc, n_docs)
    size = np.diff(bounds)
    hashed = np.nonzero(size >= min_shingles)[0]
    if len(hashed) < 2:
        return {}
    mixed = _mixed(sh)
    if len(hashed) < n_docs:
        mixed = _compact(mixed, np.repeat(size >= min_shingles, size))
    matrix = minhash_matrix(None, np.concatenate([[0], np.cumsum(size[hashed])]), premixed=mixed)
    del mixed
    # Candidates by LSH on Jaccard, low enough that a contained (shorter) text is still found.
    lsh_threshold = max(0.1, threshold - 0.15) if containment is None else 0.2
    candidates = lsh_candidates(matrix, lsh_threshold)
    del matrix
    ia = hashed[(candidates >> np.uint64(32)).astype(np.int64)]
    ib = hashed[(candidates & _M32).astype(np.int64)]
    del candidates
    # Exact scores of all candidates at once. Between two texts of one organization with
    # habitual wording, that wording is left out of both sets (and of what they share).
    in_habit = _in_sorted_packed(group_of, sh, habit, high_index=doc)
    n_habit = np.bincount(doc[in_habit], minlength=n_docs).astype(np.int64)
    own = (group_of[ia] == group_of[ib]) & has_habit[group_of[ia]]
    la = size[ia] - np.where(own, n_habit[ia], 0)
    lb = size[ib] - np.where(own, n_habit[ib], 0)
    keep = ~own | (np.minimum(la, lb) >= min_shingles)
    ia, ib, own, la, lb = ia[keep], ib[keep], own[keep], la[keep], lb[keep]
    both = _shared(ia, ib, own, doc, sh, in_habit, bounds, size)
    ok = both >= min_shared
    jac = np.zeros(len(both))
    cont = np.zeros(len(both))
    jac[ok] = both[ok] / (la[ok] + lb[ok] - both[ok])
    cont[ok] = both[ok] / np.minimum(la[ok], lb[ok])
    ok &= (jac >= threshold) | ((cont >= containment) if containment is not None else False)
    pairs: dict[tuple[str, str], Pair] = {}
    for i, j, n, jc, ct in zip(*(x[ok].tolist() for x in (ia, ib, both, jac, cont)), strict=True):
        a, b = sorted((names[i], names[j]))
        pairs[(a, b)] = Pair(a, b, round(max(jc, ct), 3), round(jc, 3), round(ct, 3), n)
    return pairs


def _shingle_counts(by_sh, n_groups, boilerplate_groups, formula_docs, habit_share, sizes):
    """From sorted (shingle << 32 | organization) entries, one per (text, shingle): the
    boilerplate shingles (sorted) and each organization's habitual ones, as sorted
    (organization << 32 | shingle) — before the boilerplate is left out of them."""
    high = (by_sh >> np.uint64(32)).astype(np.uint32)
    first_sh = np.concatenate([[True], high[1:] != high[:-1]])
    at_sh = np.nonzero(first_sh)[0]
    del first_sh
    shingle = high[at_sh]
    del high
    first_pair = np.concatenate([[True], by_sh[1:] != by_sh[:-1]])
    n_in_docs = np.diff(np.append(at_sh, by_sh.size)).astype(np.int32)
    n_in_groups = np.add.reduceat(first_pair, at_sh, dtype=np.int32)
    del at_sh
    # (shingle, organization) in 3 or more of its texts (a habit is in at least 3): runs of
    # by_sh of length ≥ 3, found from their first entries without listing every run.
    first_pair[: max(0, by_sh.size - 2)] &= by_sh[2:] == by_sh[:-2]
    first_pair[max(0, by_sh.size - 2) :] = False
    at_pair = np.nonzero(first_pair)[0]
    del first_pair
    pair = by_sh[at_pair]
    n_pair = (np.searchsorted(by_sh, pair, side="right") - at_pair).astype(np.int32)
    del at_pair
    common = np.zeros(shingle.size, dtype=bool)
    if n_groups >= boilerplate_groups:
        common |= n_in_groups >= boilerplate_groups
    if formula_docs:
        # Set phrases of the trade: in `formula_docs` texts of at least two organizations.
        common |= (n_in_docs >= formula_docs) & (n_in_groups >= 2)
    common_sh = shingle[common]
    del shingle, common, n_in_docs, n_in_groups
    # Each organization's habitual wording (in `habit_share` of its own texts, at least 3; for
    # organizations with 3 or more texts): ignored between that organization's own texts.
    distinct = ~_in_sorted((pair >> np.uint64(32)).astype(np.uint32), common_sh)
    pair, n_pair = pair[distinct], n_pair[distinct]
    g = (pair & _M32).astype(np.int64)
    mine = pair[(n_pair >= np.maximum(3, habit_share * sizes[g])) & (sizes[g] >= 3)]
    return common_sh, ((mine & _M32) << np.uint64(32)) | (mine >> np.uint64(32))


_SHARED_CHUNK = 500_000  # looked-up shingles, and other texts' keys, per pass of `_shared`


def _shared(ia, ib, own, doc, sh, in_habit, bounds, size) -> np.ndarray:
    """Per pair (ia[p], ib[p]): shingles of both texts (not counting the organization's habitual
    ones where own[p]). The smaller set's shingles are looked up in the other's, in chunks of
    pairs taken in order of the other text, so that only those texts' (text, shingle) keys
    are packed for the look-up (not the whole corpus's)."""
    chunk = _SHARED_CHUNK
    small = size[ia] > size[ib]
    ia, ib = np.where(small, ib, ia), np.where(small, ia, ib)
    order = np.argsort(ib, kind="stable")
    out = np.zeros(len(ia), dtype=np.int64)
    n = size[ia[order]]
    ends = np.cumsum(n)
    p0 = 0
    while p0 < len(order):
        p1 = max(p0 + 1, int(np.searchsorted(ends, (ends[p0 - 1] if p0 else 0) + chunk, side="right")))
        # …and the other texts' keys spanning at most `chunk` entries (one text at least).
        d0 = int(ib[order[p0]])
        d_last = max(d0, int(np.searchsorted(bounds, bounds[d0] + chunk, side="right")) - 2)
        p1 = min(p1, max(p0 + 1, p0 + int(np.searchsorted(ib[order[p0:p1]], d_last, side="right"))))
        sel = order[p0:p1]
        d1 = int(ib[sel[-1]]) + 1
        keys = _pack(doc[bounds[d0] : bounds[d1]], sh[bounds[d0] : bounds[d1]])  # sorted: by text, then shingle
        counts = size[ia[sel]]
        pair = np.repeat(np.arange(p1 - p0), counts)
        offset = np.arange(pair.size) - np.repeat(np.cumsum(counts) - counts, counts)
        at = bounds[ia[sel][pair]] + offset
        hit = _in_sorted(_pack(ib[sel][pair], sh[at]), keys)
        hit &= ~(own[sel][pair] & in_habit[at])
        out[sel] = np.bincount(pair, weights=hit, minlength=p1 - p0).astype(np.int64)
        p0 = p1
    return out


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
    nfkc: Sequence[str] | None = None,
    norms: Sequence[str] | None = None,
) -> list[Pair]:
    """Records whose text is mostly taken from published material (上级文件, a materials
    library). No boilerplate rule here: every branch pasting the same article is exactly what
    is looked for. Pair.a is the published text's key, Pair.b the record's. `nfkc`: the
    records' texts already in NFKC form (`nfkc_texts`), or `norms`, already `canonical(text,
    roster)`, when the caller has them."""
    if not published:
        return []
    pub_docs = list({p.key: p for p in published}.values())
    pub_keys = shingle_keys([canonical(p.text, roster) for p in pub_docs])
    pub_sizes = np.bincount((pub_keys >> np.uint64(32)).astype(np.int64), minlength=len(pub_docs))
    # Published texts with the same shingles (one article entered by several organizations)
    # count as their first: each such record ties between them, and the first one the per-text
    # reading meets is the first in order (every shingle lists them in that order).
    bounds = _bounds((pub_keys >> np.uint64(32)).astype(np.int64), len(pub_docs))
    first_of: dict[bytes, int] = {}
    for i in range(len(pub_docs)):
        first_of.setdefault((pub_keys[bounds[i] : bounds[i + 1]] & _M32).tobytes(), i)
    kept = np.zeros(len(pub_docs), dtype=bool)
    kept[list(first_of.values())] = True
    pub_keys = pub_keys[kept[(pub_keys >> np.uint64(32)).astype(np.int64)]]
    # Published shingles sorted by shingle: the texts containing one shingle are a run.
    by_shingle = np.lexsort(((pub_keys >> np.uint64(32)), pub_keys & _M32))
    p_sh = (pub_keys & _M32)[by_shingle]
    p_owner = (pub_keys >> np.uint64(32)).astype(np.int64)[by_shingle]
    index: dict[int, list[str]] | None = None  # the per-text reading's, built only if a tie needs it
    out = []
    step = 5_000  # records per pass: bounds the (record, published text) expansion
    for first in range(0, len(docs), step):
        batch = docs[first : first + step]
        if norms is not None:
            texts = norms[first : first + step]
        elif nfkc is not None:
            texts = [_canonical_nfkc(t, roster) for t in nfkc[first : first + step]]
        else:
            texts = [canonical(d.text, roster) for d in batch]
        keys = shingle_keys(texts)
        doc = (keys >> np.uint64(32)).astype(np.int64)
        sizes = np.bincount(doc, minlength=len(batch))
        sh = keys & _M32
        lo, hi = np.searchsorted(p_sh, sh, side="left"), np.searchsorted(p_sh, sh, side="right")
        n = hi - lo
        hit = n > 0
        if not hit.any():
            continue
        # Every (record shingle, published text containing it), then shared shingles per pair.
        d_rep = np.repeat(doc[hit], n[hit])
        starts = np.repeat(lo[hit] - np.cumsum(np.concatenate([[0], n[hit][:-1]])), n[hit])
        owner = p_owner[starts + np.arange(d_rep.size)]
        pair, both = _unique((d_rep.astype(np.uint64) << np.uint64(32)) | owner.astype(np.uint64), counts=True)
        del d_rep, starts, owner
        pd = (pair >> np.uint64(32)).astype(np.int64)
        po = (pair & _M32).astype(np.int64)
        best = np.zeros(len(batch), dtype=np.int64)
        np.maximum.at(best, pd, both)
        top = np.nonzero(both == best[pd])[0]  # per record, its published texts with the most in common
        top_at = _bounds(pd[top], len(batch))
        for i in np.nonzero(best > 0)[0].tolist():
            b, size = int(best[i]), int(sizes[i])
            cont = b / size
            if size < min_shared or not (cont >= containment and b >= min_shared):
                continue
            tied = po[top[top_at[i] : top_at[i + 1]]]
            if len(tied) == 1:
                p = int(tied[0])
            else:
                # Equal counts for several published texts: the first one the per-text reading
                # meets wins, as before.
                index = index if index is not None else _published_index(pub_docs, roster)
                p = _first_met(texts[i], set(tied.tolist()), index)
            union = size + int(pub_sizes[p]) - b
            out.append(Pair(pub_docs[p].key, batch[i].key, round(cont, 3), round(b / union, 3), round(cont, 3), b))
    return sorted(out, key=lambda p: (-p.similarity, p.a, p.b))


def _published_index(pub_docs: Sequence[Doc], roster: Roster | None) -> dict[int, list[int]]:
    """Shingle → the published texts (their positions) with it, in order, the per-text way."""
    index: dict[int, list[int]] = {}
    for i, p in enumerate(pub_docs):
        for s in shingles(p.text, roster=roster):
            index.setdefault(s, []).append(i)
    return index


def _first_met(norm: str, tied: set[int], index: dict[int, list[int]], k: int = SHINGLE) -> int:
    """Which of the tied published texts the per-text reading counted first: the record's
    shingles as the same Python set iterates them (built the same way, so in the same order)."""
    for s in {zlib.crc32(norm[i : i + k].encode()) for i in range(len(norm) - k + 1)}:
        for p in index.get(s, ()):
            if p in tied:
                return p
    raise AssertionError("a tied published text shares no shingle")


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
