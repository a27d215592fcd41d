"""Members with unique, valid 公民身份号码 and consistent dates: the age, education and
occupation tables of a rural township, and the generator."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from dangjian.demo import names as N
from dangjian.demo.context import DemoContext
from dangjian.members.models import DuesCategory, Education, Occupation, Sex
from dangjian.rules.dates import add_months
from dangjian.rules.idcard import make_id
from dangjian.rules.membership import probation_end

AGE_TABLE_COMMUNITY = [((21, 30), 6), ((31, 35), 5), ((36, 40), 6), ((41, 45), 7), ((46, 50), 9), ((51, 55), 11),
                       ((56, 60), 12), ((61, 75), 29), ((76, 92), 15)]  # fmt: skip
EDU_OLD = [(Education.JUNIOR_OR_BELOW, 75), (Education.HIGH_SCHOOL, 15), (Education.SECONDARY_VOCATIONAL, 7), (Education.COLLEGE, 3)]  # fmt: skip
EDU_MID = [(Education.JUNIOR_OR_BELOW, 50), (Education.HIGH_SCHOOL, 25), (Education.SECONDARY_VOCATIONAL, 10),
           (Education.COLLEGE, 10), (Education.BACHELOR, 5)]  # fmt: skip
EDU_YOUNG = [(Education.JUNIOR_OR_BELOW, 15), (Education.HIGH_SCHOOL, 20), (Education.SECONDARY_VOCATIONAL, 15),
             (Education.COLLEGE, 30), (Education.BACHELOR, 19), (Education.POSTGRADUATE, 1)]  # fmt: skip
EDU_ORGAN = [(Education.SECONDARY_VOCATIONAL, 5), (Education.COLLEGE, 25), (Education.BACHELOR, 65), (Education.POSTGRADUATE, 5)]  # fmt: skip
ETHNICITY = [("汉族", 975), ("回族", 20), ("藏族", 2), ("东乡族", 2), ("满族", 1)]
OCC_OLD = [(Occupation.RETIRED, 35), (Occupation.FARMER, 60), (Occupation.OTHER, 5)]
OCC_WORKING = [(Occupation.FARMER, 45), (Occupation.WORKER, 25), (Occupation.PROFESSIONAL, 7), (Occupation.MANAGER, 5),
               (Occupation.OTHER, 18)]  # fmt: skip
JOBS = {
    Occupation.FARMER: ["务农", "种植户", "果农", "养殖户"],
    Occupation.WORKER: ["务工", "建筑工人", "企业职工"],
    Occupation.PROFESSIONAL: ["乡村医生", "小学教师", "农技员"],
    Occupation.MANAGER: ["合作社负责人", "企业管理人员"],
    Occupation.OTHER: ["个体经营", "社区网格员", "公益性岗位"],
    Occupation.RETIRED: ["退休"],
    Occupation.STUDENT: ["在读学生"],
    Occupation.CIVIL_SERVANT: ["镇党政办", "镇综治中心", "镇财政所", "镇农业农村办", "镇社会事务办", "镇党建办"],
}


def _dues_for(rng: random.Random, occupation: str, age: int) -> str:
    """党费类别 follows occupation (中组发〔2008〕3号, RULES.md §5)."""
    if occupation == Occupation.RETIRED:
        return DuesCategory.RETIRED
    if occupation == Occupation.FARMER:
        return DuesCategory.WELFARE if age >= 70 and rng.random() < 0.06 else DuesCategory.FARMER
    if occupation == Occupation.STUDENT:
        return DuesCategory.STUDENT
    if occupation == Occupation.OTHER:
        return weighted_pick(rng, [(DuesCategory.EMPLOYED, 6), (DuesCategory.FARMER, 3), (DuesCategory.UNEMPLOYED, 1)])
    return DuesCategory.EMPLOYED


def weighted_pick(rng, table):
    return N.weighted(rng, table)


def _birth_for_age(rng: random.Random, today: date, age: int) -> date:
    """A birth date giving exactly `age` full years on `today`."""
    latest = add_months(today, -12 * age)  # turned `age` on or before today
    return latest - timedelta(days=rng.randint(0, 364))


class _People:
    """Generates members with unique, valid IDs and consistent dates."""

    def __init__(self, ctx: DemoContext, rng: random.Random):
        self.ctx = ctx
        self.rng = rng
        self.today = ctx.today
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(ctx.seed)
        self.used_ids: set[str] = set()

    def person(self, *, organ: bool) -> dict:
        rng = self.rng
        if organ:
            age = rng.randint(61, 72) if rng.random() < 0.15 else rng.randint(24, 58)
            female = rng.random() < 0.32
        else:
            lo, hi = weighted_pick(rng, AGE_TABLE_COMMUNITY)
            age = rng.randint(lo, hi)
            female = rng.random() < 0.25
        sex = Sex.FEMALE if female else Sex.MALE
        name = self.fake.name_female() if female else self.fake.name_male()
        birth = _birth_for_age(rng, self.today, age)
        area = N.HOME_AREA_CODE if rng.random() < 0.78 else rng.choice(N.NEIGHBOUR_AREA_CODES)
        while True:
            seq = rng.randrange(0, 999)
            if (seq % 2 == 1) != (sex == Sex.MALE):
                seq += 1 if seq < 998 else -1
            id_number = make_id(area, birth, seq)
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                break
        if organ:
            education = weighted_pick(rng, EDU_ORGAN)
            occupation = Occupation.RETIRED if age >= 60 else Occupation.CIVIL_SERVANT
        else:
            education = weighted_pick(rng, EDU_OLD if age >= 61 else EDU_MID if age >= 41 else EDU_YOUNG)
            if age >= 60:
                occupation = weighted_pick(rng, OCC_OLD)
            elif age <= 23 and rng.random() < 0.5:
                occupation = Occupation.STUDENT
            else:
                occupation = weighted_pick(rng, OCC_WORKING)
        return {
            "name": name,
            "sex": sex,
            "age": age,
            "birth_date": birth,
            "id_number": id_number,
            "ethnicity": weighted_pick(rng, ETHNICITY),
            "education": education,
            "occupation": occupation,
        }

    def full_dates(self, p: dict) -> tuple[date, date]:
        """入党 and 转正 dates of a 正式党员: joined at 19–45, 转正 one year later (党章 Art. 7)."""
        rng = self.rng
        age = p["age"]
        latest_join = self.today - timedelta(days=400)
        join_age = min(max(19, round(rng.triangular(19, 45, 27))), age - 1)
        joined = add_months(p["birth_date"], 12 * join_age) + timedelta(days=rng.randint(0, 300))
        if joined > latest_join:
            joined = latest_join - timedelta(days=rng.randint(0, 200))
        earliest_join = add_months(p["birth_date"], 12 * 18) + timedelta(days=1)
        if joined < earliest_join:  # only possible for the very young: keep age ≥ 18 at 入党
            joined = earliest_join
        return joined, probation_end(joined)

    def probationary_joined(self) -> date:
        """入党 within the last year, so some are due for 转正 in the coming months."""
        return self.today - timedelta(days=self.rng.randint(15, 355))
