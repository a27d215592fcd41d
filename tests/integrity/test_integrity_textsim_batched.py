"""The batched text scan (numpy shingling, bulk MinHash, LSH by sorting) finds exactly what
the per-text scan found before it (kept in textsim_reference.py, the code as it was): the same
pairs with the same scores on the hand-written evaluation set, on generated corpora with
rosters, excluded topics and published material, and the same hash values on the way."""

import random
import zlib
from dataclasses import astuple

import numpy as np
import pytest
import textsim_reference as before

from dangjian.integrity import textsim
from dangjian.integrity.evaluation import generate
from dangjian.integrity.evaluation_cases import case_roster, load_cases
from dangjian.integrity.textsim import Doc, Roster, contained_in_published, find_near_duplicates


def same(new, old) -> bool:
    """The same pairs with the same scores, in the same order (two Pair classes)."""
    return [astuple(p) for p in new] == [astuple(p) for p in old]


ALPHABET = "会议支部党员学习讨论决定樱桃防汛#\ue000\ue001abcXYZ0123，。 é€𠀀😀"


def test_window_crcs_are_zlib_crc32_of_each_windows_utf8():
    rng = random.Random(5)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(300)]
    keys = textsim.shingle_keys(texts)
    expected = sorted(
        (i << 32) | zlib.crc32(t[j : j + 4].encode()) for i, t in enumerate(texts) for j in range(len(t) - 3)
    )
    assert keys.tolist() == sorted(set(expected))


def test_nfkc_all_is_nfkc_of_each_text():
    import unicodedata

    texts = ["会议，学习（党章）：２０２６年\u3000三月", "Ａ\u0301ｂｃ", "㈠ﬁ①", "ｶﾞｷﾞ", "한글", "", "e\u0301，", "。"]
    assert textsim.nfkc_all(texts) == [unicodedata.normalize("NFKC", t) for t in texts]
    assert textsim.nfkc_all(["a\x00b"]) == ["a\x00b"]
    assert textsim.normalized_lengths(texts) == [len(textsim.normalize(t)) for t in texts]


def test_minhash_matrix_rows_are_datasketch_minhashes():
    rng = np.random.default_rng(3)
    sets = [rng.integers(0, 2**32, size=rng.integers(1, 400), dtype=np.uint64) for _ in range(60)]
    values = np.concatenate(sets)
    bounds = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
    matrix = textsim.minhash_matrix(values, bounds)
    for row, s in zip(matrix, sets, strict=True):
        assert np.array_equal(row, textsim.minhash(s.tolist()).hashvalues)


def test_lsh_candidates_are_the_pairs_minhashlsh_query_returns():
    from datasketch import MinHashLSH

    case = generate(branches=30, per_branch=5, planted=20, seed=2)
    sets = [sorted(before.shingles(d.text)) for d in case.docs]
    sets = [s for s in sets if s]
    matrix = textsim.minhash_matrix(np.array([x for s in sets for x in s]), np.cumsum([0] + [len(s) for s in sets]))
    lsh = MinHashLSH(threshold=0.2, num_perm=textsim.NUM_PERM)
    hashes = [before.minhash(s) for s in sets]
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    expected = {(min(i, j), max(i, j)) for i, m in enumerate(hashes) for j in lsh.query(m) if i != j}
    found = {(int(c >> 32), int(c & 0xFFFFFFFF)) for c in textsim.lsh_candidates(matrix, 0.2)}
    assert expected and found == expected


@pytest.fixture(scope="module")
def cases():
    return load_cases()


def test_hand_written_set_gives_the_same_pairs_as_before(cases):
    roster = case_roster(cases)
    docs = [Doc(t["key"], t["group"], t["text"]) for t in cases["honest"] + cases["copies"]]
    pubs = [Doc(p["key"], "published", p["text"]) for p in cases["published"]]
    for threshold, containment in ((0.5, 0.6), (0.5, None), (0.4, 0.4), (0.7, 0.8)):
        found = find_near_duplicates(docs, threshold=threshold, containment=containment, roster=roster)
        assert same(
            found, before.find_near_duplicates(docs, threshold=threshold, containment=containment, roster=roster)
        )
    assert len(found) > 5
    for share in (0.3, 0.5):
        copied = contained_in_published(docs, pubs, containment=share, roster=roster)
        assert copied and same(copied, before.contained_in_published(docs, pubs, containment=share, roster=roster))


def _corpus(seed: int):
    """A generated township: per-branch rosters (the scan's), topics excluded, duplicated
    keys, empty and very short texts, and published material pasted into some records."""
    rng = random.Random(seed)
    case = generate(branches=40, per_branch=7, planted=30, seed=seed)
    docs = list(case.docs)
    published = [Doc(f"published:{i}", "published", docs[rng.randrange(len(docs))].text) for i in range(6)]
    published.append(Doc("published:dup", "published", published[0].text))  # a tie between two texts
    docs = [Doc(d.key, d.group, d.text, exclude=d.text[:30] if rng.random() < 0.3 else "") for d in docs]
    docs += [Doc("short", "branch1", "会议按时结束。"), Doc("empty", "branch2", ""), docs[3]]
    # Two different published texts wholly pasted into one record: a tie, broken as before.
    pattern = [rng.randrange(30) for _ in range(70)]
    tie_a, tie_b = ("".join(pool[i] for i in pattern) for pool in (TIE_POOL_A, TIE_POOL_B))
    published += [Doc("published:tie-a", "published", tie_a), Doc("published:tie-b", "published", tie_b)]
    docs.append(Doc("both", "branch4", f"{tie_a}。{tie_b}"))
    rosters = {}
    for d in docs:
        if d.group not in rosters and len(d.text) > 40:  # names that occur in the group's texts
            rosters[d.group] = Roster([d.text[10:13], d.text[20:22]], [d.text[30:32]])
    return docs, published, rosters


TIE_POOL_A = "蝴蝶蜻蜓蚂蚁蜜蜂蝉螳螂蟋蟀萤火虫蜘蛛蚯蚓蜗牛蝌蚪青蛙鲤鱼鲫鳊鲢鳙鳜鲶鳝鳅虾蟹"
TIE_POOL_B = "樟榆槐柳桦椿楝榕桉杉柏桧杨栎栗椴檀楠棕榈桐梓楸枫槭榉朴檫椤柿"


@pytest.mark.parametrize("seed", [1, 8, 21])
def test_generated_corpora_give_the_same_pairs_as_before(seed):
    docs, published, rosters = _corpus(seed)
    new = find_near_duplicates(docs, rosters=rosters)
    assert same(new, before.find_near_duplicates(docs, rosters=rosters))
    # As the scan calls it: NFKC and the plain reading computed once, shared by both checks.
    nfkc = textsim.nfkc_texts(docs)
    plain = textsim.plain_canonical(nfkc)
    assert find_near_duplicates(docs, rosters=rosters, nfkc=nfkc, plain=plain) == new
    assert contained_in_published(docs, published, norms=plain) == contained_in_published(docs, published)
    assert len(new) >= 25
    small = dict(boilerplate_groups=3, habit_share=0.3)
    assert same(find_near_duplicates(docs[:60], **small), before.find_near_duplicates(docs[:60], **small))
    for share in (0.45, 0.5):
        copied = contained_in_published(docs, published, containment=share)
        assert same(copied, before.contained_in_published(docs, published, containment=share))
    tied = [p for p in contained_in_published(docs, published, containment=0.45) if p.b == "both"]
    assert len(tied) == 1 and tied[0].a.startswith("published:tie-")
    assert "published:0" in {p.a for p in copied}


@pytest.mark.parametrize("seed", [1, 21])
def test_the_scan_in_small_passes_gives_the_same_pairs(seed, monkeypatch):
    """The per-shingle counts by ranges of shingles and the shared-shingle look-ups by
    ranges of texts (what keeps a county's scan small in memory), forced to many passes on
    a township-sized corpus: the same pairs as the per-text reference."""
    docs, _published, rosters = _corpus(seed)
    expected = before.find_near_duplicates(docs, rosters=rosters)
    monkeypatch.setattr(textsim, "_RANGE_ENTRIES", 500)
    monkeypatch.setattr(textsim, "_SHARED_CHUNK", 300)
    passes = []
    ranges = textsim._shingle_ranges
    monkeypatch.setattr(textsim, "_shingle_ranges", lambda sh: passes.append(1) or ranges(sh))
    assert same(find_near_duplicates(docs, rosters=rosters), expected)
    assert len(list(ranges(textsim.shingle_columns([d.text for d in docs])[1]))) > 20
    assert len(expected) >= 25 and passes


def test_few_documents():
    assert find_near_duplicates([]) == []
    one = [Doc("a", "g", "会议由支部书记主持学习党章讨论樱桃销售和防汛工作" * 3)]
    assert find_near_duplicates(one) == []
    assert contained_in_published(one, []) == []


def test_texts_too_short_for_one_shingle():
    # Two branches whose minutes say only "学习。" / "开会。": no shingle at all (the browser test
    # of the 督查 page found the batched scan indexing an empty array here).
    short = [Doc("meeting:1", "a", "学习。"), Doc("meeting:2", "b", "开会。")]
    assert find_near_duplicates(short) == [] == before.find_near_duplicates(short)
    long_text = "会议由支部书记主持学习党章讨论樱桃销售和防汛工作" * 3
    mixed = [*short, Doc("meeting:3", "c", long_text)]
    assert find_near_duplicates(mixed) == [] == before.find_near_duplicates(mixed)
    assert contained_in_published(short, [Doc("published:1", "p", long_text)]) == []


def test_all_wording_shared_or_nothing_alike():
    same = "会议由支部书记主持学习党章讨论樱桃销售和防汛工作并安排下月主题党日活动" * 2
    everywhere = [Doc(f"meeting:{i}", f"g{i}", same) for i in range(5)]  # boilerplate in every branch
    assert find_near_duplicates(everywhere) == before.find_near_duplicates(everywhere)
    apart = [
        Doc("meeting:1", "a", "春耕时节组织党员帮助困难户翻地播种并检查灌溉渠道的清淤进度安排值守" * 2),
        Doc("meeting:2", "b", "冬季防火检查覆盖全村各户讲解电器使用常识更换老化线路登记独居老人名单" * 2),
    ]
    assert find_near_duplicates(apart) == [] == before.find_near_duplicates(apart)


def test_what_the_scan_copies_from_datasketch_is_datasketchs():
    """The scan does not import datasketch (and scipy with it); the permutations, the pre-mix
    and the LSH bands it uses instead are datasketch's own."""
    import subprocess
    import sys

    from datasketch import MinHash, MinHashLSH
    from datasketch.minhash import _fmix

    template = MinHash(num_perm=textsim.NUM_PERM, seed=1)
    assert template.scheme == textsim._SCHEME
    assert textsim._PERMUTATIONS.dtype == template.permutations.dtype
    assert np.array_equal(textsim._PERMUTATIONS, template.permutations)
    values = np.random.default_rng(1).integers(0, 2**32, size=10_000, dtype=np.uint64).astype(np.uint32)
    assert np.array_equal(textsim._fmix(values, 32), _fmix(values, 32))
    for threshold in textsim._BANDS:
        expected = MinHashLSH(threshold=threshold, num_perm=textsim.NUM_PERM).hashranges
        assert textsim._hashranges.__wrapped__(threshold) == expected, threshold
    code = (
        "import sys, dangjian.integrity.textsim; assert 'datasketch' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
