"""pinyin_keys (one pypinyin pass, used by imports and Member.save) gives exactly what the
two separate functions give, 多音字 and non-Han characters included."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core.pinyin import full_pinyin, initials, pinyin_keys

NAMES = [
    "张三",
    "曾小单",
    "单田芳",
    "长孙无忌",
    "乐嘉",
    "解放",
    "覃",
    "仇",
    "区",
    "吕布",
    "Tom李",
    "阿卜杜·热合曼",
    "李1明",
    "ｌｉ明",
    "〇",
]


def test_known_names_including_polyphonic_surnames():
    for name in NAMES:
        assert pinyin_keys(name) == (full_pinyin(name), initials(name)), name
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("单田芳")[1] == initials("单田芳")


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5) | st.sampled_from("·A1 ｌ"), max_size=6)
)
def test_any_name(name):
    assert pinyin_keys(name) == (full_pinyin(name), initials(name))
