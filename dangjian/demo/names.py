"""Small deterministic helpers for the demo generator: place names, integer partitions,
cached pinyin and the fictional county's area codes.

Everything here takes an explicit `random.Random`, so the same seed gives the same data.
"""

from __future__ import annotations

import random
from functools import lru_cache

from dangjian.core.pinyin import full_pinyin, initials

# The fictional district and township. The area codes are real GB/T 2260 codes of
# 天水市 (6205xx) so the demo IDs look right; the people and places are made up.
DISTRICT_NAME = "陇川区"
CITY_NAME = "陇川市"
HOME_AREA_CODE = "620503"
NEIGHBOUR_AREA_CODES = ["620502", "620521", "620522", "620523", "620524", "620525"]
DEMO_TOWNSHIP = "桃川镇"

# The demo township's 17 communities (TOWNSHIP.md): fictional names.
DEMO_COMMUNITIES = [
    "东街",
    "西街",
    "南关",
    "北关",
    "河滨",
    "柳林",
    "桃园",
    "杏树湾",
    "樱桃沟",
    "李家坪",
    "王家庄",
    "石门",
    "花牛",
    "罗家堡",
    "渭滨",
    "新华",
    "清泉",
]

ORDINALS = "一二三四五六七八九十"

_PREFIXES = list("王李张刘杨赵陈马何吕罗朱高郭石柳杏桃梨枣槐松青红白黄牛羊龙凤金银铁沙泉云峡渭洛泾川秦陇安宁永平兴和")
_PREFIXES2 = ["家", "家", "家", "", "", "西", "东", "南", "北", "上", "下", "中", "新", "老", "大", "小"]
_SUFFIXES = list("坪湾沟庄河岔川塬山坡堡寨峪台峰岭坝滩梁洼口屯营集")

# Where the township's workers go (流动党员 外出流向), with rough weights.
DESTINATIONS = [
    ("甘肃省兰州市", 30),
    ("甘肃省天水市", 15),
    ("新疆乌鲁木齐市", 12),
    ("浙江省宁波市", 10),
    ("陕西省西安市", 10),
    ("江苏省苏州市", 8),
    ("广东省东莞市", 8),
    ("内蒙古鄂尔多斯市", 7),
]

PHONE_PREFIXES = ["138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "182", "187", "188", "133",
                  "153", "180", "189", "177", "173", "199"]  # fmt: skip


def ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (enough for branch and group numbering)."""
    if n <= 10:
        return ORDINALS[n - 1]
    if n < 20:
        return "十" + ORDINALS[n - 11]
    tens, ones = divmod(n, 10)
    return ORDINALS[tens - 1] + "十" + (ORDINALS[ones - 1] if ones else "")


def place_names(rng: random.Random, count: int, *, taken: set[str] | None = None) -> list[str]:
    """`count` distinct two- or three-character place names (王家坪, 柳湾, …)."""
    taken = taken if taken is not None else set()
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(_PREFIXES) + rng.choice(_PREFIXES2) + rng.choice(_SUFFIXES)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def partition(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` that sum to exactly `total`
    (largest remainder method; ties broken by position, so it is deterministic)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(x) for x in raw]
    short = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:short]:
        parts[i] += 1
    return parts


def fit_sizes(rng: random.Random, sizes: list[int], total: int, lo: int, hi: int) -> list[int]:
    """Nudge `sizes` one by one (within [lo, hi]) until they sum to `total`."""
    sizes = [min(hi, max(lo, s)) for s in sizes]
    if not lo * len(sizes) <= total <= hi * len(sizes):
        raise ValueError(f"cannot fit {total} into {len(sizes)} parts of {lo}..{hi}")
    while sum(sizes) != total:
        i = rng.randrange(len(sizes))
        if sum(sizes) < total and sizes[i] < hi:
            sizes[i] += 1
        elif sum(sizes) > total and sizes[i] > lo:
            sizes[i] -= 1
    return sizes


def weighted(rng: random.Random, table: list[tuple[object, float]]):
    """Pick a value from [(value, weight), …]."""
    total = sum(w for _v, w in table)
    x = rng.random() * total
    for value, w in table:
        x -= w
        if x < 0:
            return value
    return table[-1][0]


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name; cached because Faker names repeat a lot."""
    return full_pinyin(name), initials(name)


def phone_number(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
