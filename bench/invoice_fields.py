"""E-invoice fields read from OFD text (``indexer/extract/ofd.invoice_fields``), measured.

An evaluation set written for this bench: invoice texts in the layouts OFD readers give
(labels and values side by side, on their own lines, compact labels, full-width colons,
spaces inside labels), from companies other than the tests', plus hard negatives (a contract
and a receipt that mention 发票 but are not invoices).  Split into the part the patterns were
tuned on and a held-out part written afterwards; field accuracy is reported for both.

Run from the repository root:  python bench/invoice_fields.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dangan.indexer.extract.ofd import invoice_fields  # noqa: E402

FIELDS = ("invoice_number", "date", "buyer", "seller", "amount")

TUNE = [
    (
        "电子发票（普通发票） 发票号码：24112000000045617233\n开票日期：2024年11月20日\n"
        "购买方信息 名称：成都锦江物业服务有限公司 销售方信息 名称：重庆渝北消防器材有限公司\n"
        "价税合计（大写）叁仟零伍拾元整 （小写）¥3050.00",
        ("24112000000045617233", "2024年11月20日", "成都锦江物业服务有限公司", "重庆渝北消防器材有限公司", "3050.00"),
    ),
    (
        "增值税电子普通发票\n发票号码 00857712\n开票日期：2023-07-14\n购买方：西安高新区管委会\n"
        "销售方：陕西秦岭电梯工程有限公司\n价税合计 ￥12,800.00",
        ("00857712", "2023-07-14", "西安高新区管委会", "陕西秦岭电梯工程有限公司", "12,800.00"),
    ),
    (
        "电子发票（增值税专用发票）\n发票号码:25332000000101982214 开票日期:2025年01月06日\n"
        "购 名称:温州瓯海建工集团有限公司 销 名称:乐清正泰电缆销售有限公司\n价税合计(大写) 捌万元整 (小写)¥80000.00",
        ("25332000000101982214", "2025年01月06日", "温州瓯海建工集团有限公司", "乐清正泰电缆销售有限公司", "80000.00"),
    ),
    ("施工合同 第七条 付款：乙方开具增值税专用发票后三十日内付款。", (None, None, None, None, None)),
]

HELD_OUT = [
    (
        "电子发票（普通发票）  发票号码： 26210000000077001289\n开票日期： 2026年04月02日\n"
        "购买方信息  名 称：沈阳浑南热力有限公司   销售方信息  名 称：大连船舶配件贸易有限公司\n"
        "价税合计（大写） ⊗ 壹万零捌佰元整 （小写） ¥10800.00",
        ("26210000000077001289", "2026年04月02日", "沈阳浑南热力有限公司", "大连船舶配件贸易有限公司", "10800.00"),
    ),
    (
        "电子发票（增值税专用发票）\n发票号码：25442000000230004411\n开票日期：2025年9月3日\n"
        "购买方 名称：广州番禺市政工程有限公司\n销售方 名称：佛山顺德水泵厂\n价税合计 (小写) ￥ 4,560.50",
        ("25442000000230004411", "2025年9月3日", "广州番禺市政工程有限公司", "佛山顺德水泵厂", "4,560.50"),
    ),
    ("收款收据 今收到 合肥蜀山区物业 维修费 伍佰元整 ¥500.00 （发票另开）", (None, None, None, None, None)),
    (
        "全电发票 发票号码 24371000000005550123 开票日期 2024年12月31日\n购买方名称：青岛黄岛港务公司\n"
        "销售方名称：烟台龙口起重设备有限公司\n价税合计 ¥ 99,000.00",
        ("24371000000005550123", "2024年12月31日", "青岛黄岛港务公司", "烟台龙口起重设备有限公司", "99,000.00"),
    ),
]


def score(cases) -> tuple[int, int, list[str]]:
    """Correct fields, fields judged, and one line per wrong field."""
    right, total, wrong = 0, 0, []
    for text, expected in cases:
        found = invoice_fields(text)
        for key, want in zip(FIELDS, expected):
            total += 1
            got = found.get(key)
            if got == want:
                right += 1
            else:
                wrong.append(f"  {key}: expected {want!r}, got {got!r} in {text[:24]!r}…")
    return right, total, wrong


def main() -> None:
    for name, cases in (("tune", TUNE), ("held-out", HELD_OUT)):
        right, total, wrong = score(cases)
        print(f"{name}: {right}/{total} fields right ({right / total:.0%}) over {len(cases)} texts")
        print("\n".join(wrong))


if __name__ == "__main__":
    main()
