"""Labelled cases for the near-duplicate signal: honest records that share legitimate
boilerplate, and planted copies with light edits (reordered sentences, changed names and
dates, a few words swapped). `evaluate()` reports precision and recall.

Planted cases live only here and in `integrity.demo` (a handful, labelled); the demo's honest
records are generated elsewhere and never copied from each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from dangjian.integrity.textsim import Doc, find_near_duplicates

OPENINGS = [
    "会议由支部书记主持，应到党员{n}名，实到{m}名，符合规定人数。",
    "本次会议由党支部书记主持，组织委员记录，全体参会党员认真学习。",
    "会议开始，全体党员重温入党誓词，支部书记传达上级有关文件精神。",
]
DOCUMENTS = [
    "学习《习近平新时代中国特色社会主义思想学习纲要》有关章节",
    "学习《中国共产党支部工作条例（试行）》",
    "学习习近平总书记视察甘肃重要讲话和指示精神",
    "学习《中国共产党纪律处分条例》",
    "观看警示教育片《零容忍》",
]
CLOSINGS = ["会议在庄严的国际歌声中结束。", "支部书记作总结讲话，要求全体党员抓好落实。", "会议按时结束。"]
SUBSTITUTES = {"党员": "同志", "认真": "切实", "要求": "强调", "群众": "居民", "工作": "事务", "开展": "组织"}


@dataclass(frozen=True)
class Case:
    docs: list[Doc]
    planted: set[tuple[str, str]]  # pairs that are copies (sorted keys)


def _honest_text(fake: Faker, rng: random.Random, branch: str) -> str:
    parts = [rng.choice(OPENINGS).format(n=rng.randint(15, 50), m=rng.randint(10, 45))]
    parts.append(rng.choice(DOCUMENTS) + "。")
    # The substance: what this branch discussed — its own people, places and matters.
    for _ in range(rng.randint(4, 7)):
        parts.append(
            f"{fake.name()}{rng.choice(['提出', '汇报了', '建议', '谈到'])}{branch}{fake.street_name()}"
            f"{rng.choice(['道路硬化', '樱桃销售', '油橄榄采摘', '低保评议', '环境整治', '防汛', '疫苗接种', '矛盾调解', '老年人照护'])}"
            f"的情况，{fake.sentence(nb_words=rng.randint(8, 14)).rstrip('.')}。"
        )
    parts.append(rng.choice(CLOSINGS))
    return "".join(parts)


def _light_edit(text: str, fake: Faker, rng: random.Random) -> str:
    sentences = [s for s in text.split("。") if s]
    body = sentences[1:-1]
    rng.shuffle(body)  # reordered sentences
    edited = [sentences[0], *body, sentences[-1]]
    out = "。".join(edited) + "。"
    for old, new in rng.sample(sorted(SUBSTITUTES.items()), 2):
        out = out.replace(old, new, 1)
    # Changed names and dates.
    out = out.replace("主持", f"{fake.name()}主持", 1)
    return out + f"会议时间{rng.randint(1, 12)}月{rng.randint(1, 28)}日。"


def generate(*, branches: int = 60, per_branch: int = 8, planted: int = 40, seed: int = 7) -> Case:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    docs: list[Doc] = []
    for b in range(branches):
        group = f"branch{b}"
        for i in range(per_branch):
            docs.append(Doc(f"{group}:m{i}", group, _honest_text(fake, rng, f"第{b}社区")))
    pairs: set[tuple[str, str]] = set()
    for p in range(planted):
        src = rng.choice(docs)
        target_branch = rng.randrange(branches)
        group = f"branch{target_branch}"
        key = f"{group}:copy{p}"
        docs.append(Doc(key, group, _light_edit(src.text, fake, rng)))
        pairs.add(tuple(sorted((src.key, key))))
    return Case(docs, pairs)


def evaluate(case: Case, *, threshold: float = 0.5) -> dict:
    found = {(p.a, p.b) for p in find_near_duplicates(case.docs, threshold=threshold)}
    # A copy of a copy source pairs with the source; pairs among copies of one source also count.
    sources: dict[str, set[str]] = {}
    for a, b in case.planted:
        sources.setdefault(a, set()).add(b)
        sources.setdefault(b, set()).add(a)

    def related(a: str, b: str) -> bool:
        if (a, b) in case.planted:
            return True
        return bool(sources.get(a, set()) & sources.get(b, set()))

    tp = sum(1 for a, b in found if related(a, b))
    recall_hits = sum(1 for pair in case.planted if pair in found)
    precision = tp / len(found) if found else 1.0
    recall = recall_hits / len(case.planted) if case.planted else 1.0
    return {
        "documents": len(case.docs),
        "planted": len(case.planted),
        "found": len(found),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
    }
