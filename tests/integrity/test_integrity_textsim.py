from dangjian.integrity.evaluation import evaluate, generate
from dangjian.integrity.textsim import Doc, find_near_duplicates, highlight, normalize, shared_passages

OPENING = "会议由支部书记主持，应到党员三十名，实到二十八名，符合规定人数。学习《中国共产党支部工作条例（试行）》。"


PLACES = ["东街", "西街", "南关", "北关", "河滩", "柳林", "杏园", "桃园", "石门", "龙泉", "马坡", "牛头"]
PEOPLE = [
    "王秀英",
    "李建国",
    "张桂兰",
    "刘志强",
    "陈玉梅",
    "杨卫东",
    "赵红霞",
    "黄立新",
    "周海燕",
    "吴振华",
    "徐淑珍",
    "孙德胜",
]
MATTERS = [
    "自来水管冬天冻裂，先排查独居老人家中的管道再联系水务站更换保温材料",
    "樱桃收购价偏低，联系合作社统一收购并请电商服务站帮助直播销售",
    "巷道路灯坏了三盏，报修到镇综治办并由党员先垫付灯泡费用",
    "垃圾清运不及时，和保洁公司约定每周二、周五各清运一次",
    "留守儿童放学无人看管，在党群服务中心开设四点半课堂",
    "油橄榄采摘缺人手，组织党员突击队帮助五保户采摘",
    "低保评议有群众不理解，召开院坝会逐户讲清政策和评议程序",
    "河道汛期有险情，安排党员轮流值守并清理排洪沟淤泥",
    "老年人不会用智能手机缴费，党员志愿者每周三上门教学",
    "小区停车乱，划定停车位并选出两名楼栋长负责劝导",
    "花椒病虫害多发，邀请农技站专家到田间现场指导防治",
    "邻里因宅基地起纠纷，支部书记和调解员三次上门调解",
]


def _honest(i: int) -> str:
    return (
        OPENING
        + f"{PLACES[i]}的居民反映{MATTERS[i]}。{PEOPLE[i]}同志主动认领这项工作，"
        + f"{PEOPLE[(i + 5) % 12]}同志建议把办理结果在{PLACES[i]}公示栏张贴，接受群众监督。"
    )


def test_shared_boilerplate_is_not_flagged():
    docs = [Doc(f"m{i}", f"branch{i}", _honest(i)) for i in range(12)]
    assert find_near_duplicates(docs) == []


def test_copied_minutes_with_light_edits_are_found_across_branches():
    docs = [Doc(f"m{i}", f"branch{i}", _honest(i)) for i in range(12)]
    copied = _honest(3).replace(PEOPLE[3], "赵七").replace("三次", "两次")
    docs.append(Doc("copy", "branch9", copied))
    pairs = find_near_duplicates(docs)
    assert [(p.a, p.b) for p in pairs] == [("copy", "m3")]
    assert pairs[0].similarity >= 0.5


def test_normalize_folds_numbers_punctuation_and_width():
    assert normalize("２０２３年７月１日，会议。") == normalize("2024年8月2日 会议")


def test_shared_passages_highlight_the_common_text():
    a = "甲乙丙丁戊己庚辛壬癸子丑寅卯"
    b = "天地玄黄甲乙丙丁戊己庚辛壬癸宇宙"
    blocks = shared_passages(a, b)
    assert blocks == [(0, 4, 10)]
    runs = highlight(b, [(4, 10)])
    assert runs == [("天地玄黄", False), ("甲乙丙丁戊己庚辛壬癸", True), ("宇宙", False)]


def test_labelled_cases_precision_and_recall_at_least_point_nine():
    result = evaluate(generate(branches=80, per_branch=6, planted=30, seed=11))
    assert result["planted"] == 30
    assert result["precision"] >= 0.9, result
    assert result["recall"] >= 0.9, result
