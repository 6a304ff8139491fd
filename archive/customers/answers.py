"""Satisfaction answers on a survey: from the data row it was rendered from, or from its text.

The 顾客满意度调查表 asks per indicator (设计, 产品实物质量, 物流, 服务与沟通, 价格, 与竞争对手比较),
some through several questions (物流 = 交货期, 交货数量, 包装).  Each answer is one of
很满意/满意/一般/不满意 (与同行相比: 优于同行/相当/不如同行) and scores 4/3/2/1 (3/… below):
an answer of 3 or more counts as satisfied.  A filed scan is read by its labels: "产品质量：满意"
or a ticked box on the label's line ("产品质量 □很满意 ☑满意 □一般").
"""

from __future__ import annotations

import re

from dangan.indexer.text import fold

INDICATORS: dict[str, dict[str, tuple[str, ...]]] = {
    # indicator → {form field: labels it is written under on paper}
    "设计": {"design": ("产品设计", "设计")},
    "产品实物质量": {"quality": ("产品实物质量", "实物质量", "产品质量")},
    "物流": {
        "delivery_time": ("交货期", "交货及时性", "交付及时性", "交货时间"),
        "delivery_quantity": ("交货数量", "交付数量"),
        "packaging": ("包装",),
    },
    "服务与沟通": {
        "communication": ("服务与沟通", "沟通"),
        "staff_attitude": ("服务态度",),
        "staff_skill": ("技术水平", "服务技能"),
        "punctuality": ("准时性", "及时性"),
    },
    "价格": {"price": ("价格",)},
    "与竞争对手比较": {"versus_competitors": ("与竞争对手比较", "与竞争对手相比", "与同行相比", "同行比较")},
}
SCORES = {"很满意": 4, "满意": 3, "一般": 2, "不满意": 1, "优于同行": 4, "相当": 3, "不如同行": 1}
SATISFIED = 3
_CHOICE = "很满意|不满意|满意|一般|优于同行|不如同行|相当"
_MARK = "☑✔✓√■▣"


def answers_from_row(data: dict) -> dict[str, list[int]]:
    """indicator → scores of its questions, from a rendered form's data row."""
    out: dict[str, list[int]] = {}
    for indicator, fields in INDICATORS.items():
        scores = [SCORES[str(data[f]).strip()] for f in fields if str(data.get(f) or "").strip() in SCORES]
        if scores:
            out[indicator] = scores
    return out


def answers_from_text(text: str) -> dict[str, list[int]]:
    """indicator → scores, read from a filed survey's text by its labels."""
    out: dict[str, list[int]] = {}
    lines = fold(text or "").splitlines()
    for indicator, fields in INDICATORS.items():
        scores = []
        for labels in fields.values():
            score = _answer(lines, labels)
            if score is not None:
                scores.append(score)
        if scores:
            out[indicator] = scores
    return out


def _answer(lines: list[str], labels: tuple[str, ...]) -> int | None:
    for label in sorted(labels, key=len, reverse=True):
        pattern = re.compile(rf"(?<![\u4e00-\u9fff]){re.escape(label)}[ \t]*[:：\t][ \t]*[{_MARK}]?[ \t]*({_CHOICE})")
        ticked = re.compile(rf"(?<![\u4e00-\u9fff]){re.escape(label)}[^:：\n]*?[{_MARK}][ \t]*({_CHOICE})")
        for line in lines:
            m = pattern.search(line) or ticked.search(line)
            if m:
                return SCORES[m.group(1)]
    return None


def dissatisfied(answers: dict[str, list[int]]) -> bool:
    """Whether any question was answered 不满意 (or 不如同行)."""
    return any(s <= 1 for scores in answers.values() for s in scores)
