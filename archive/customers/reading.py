"""Reading an after-sales record's text as a person reads the paper: its kind, its customer.

Service records come from many companies and layouts: a key-value form (客户名称：X), a Word
table turned into text (cells separated by a tab, a wide gap, ``|`` or a single space), a label
on one line and its value on the next, a letter (尊敬的X先生：, 致：X, 受文者：X), a scan whose
OCR spaced out every character (客 户 名 称 : X).  The customer is found by a vocabulary of
labels in three strengths (:data:`CUSTOMER_LABELS`): the strongest label present wins, the
first of equal ones.  A label counts only as a whole field name — 客户经理, 客户签字,
被投诉单位 or 甲方代表 are other fields — and may carry a stamp note (客户名称（盖章）：).  A
field name not in the vocabulary but shaped like a customer's (客户全称, 报修人单位, 甲方名称,
服务对象, 机主姓名) counts as the weakest label, unless it names our side or a third party:
our own company, the manufacturer and subcontractors (服务单位, 维保单位, 承修单位, 乙方,
生产厂家, 分包单位, 经销商名称 …) are never read as the customer.  A comma-separated line is
read as a table row; a letter's addressee line (金辉大厦物业管理处：) names the customer.

The form's kind (:func:`form_kinds`, from its title) says which date is its own
(:func:`own_date_labels`: a follow-up's 回访日期, a 派工单's 派工日期, a repair record's 完成日期 …)
and whether a 派工单 number on it is its own or the one it follows (:func:`quotes_tickets`).
"""

from __future__ import annotations

import re

from dangan.archive.customers.names import MAX_NAME
from dangan.indexer.text import fold

# Customer labels (folded to Simplified), strongest first.  A label of a weaker tier is read
# only when no stronger one names a customer: 投诉人 is a person, 单位名称 any unit.
CUSTOMER_LABELS: tuple[tuple[str, ...], ...] = (
    ("客户名称", "顾客名称", "用户名称", "客户单位", "顾客单位", "用户单位")
    + ("客户姓名", "顾客姓名", "用户姓名", "客户", "顾客", "用户"),
    ("使用单位", "报修单位", "送修单位", "委托方", "委托单位", "甲方", "业主单位", "投诉单位", "购买单位")
    + ("购货单位", "需方", "被回访单位", "被走访单位", "走访对象", "回访对象", "受访单位"),
    ("投诉人", "单位名称", "受文者", "致"),
)
_LABEL_TIER = {label: tier for tier, labels in enumerate(CUSTOMER_LABELS) for label in labels}
# Any other field name shaped like a customer's (客户全称, 报修人单位, 甲方名称, 服务对象, 机主姓名)
# counts as strongly as the weakest listed label, unless it names our side or a third party
# (承修单位, 检测单位, 乙方名称, 经销商名称, 投诉对象 …).
_SHAPED = re.compile(
    r".{0,4}(?:客户|顾客|用户)(?:名称|全称|单位|单位名称|单位全称|姓名|全名)?|.{0,4}单位(?:名称|全称)?"
    r"|(?:单位|公司|医院|学校|机构|企业)(?:名称|全称)|(?:甲|需|使用|委托|买|购买|接收)方(?:单位|名称)?"
    r"|.{0,4}对象|(?:报修|送修|使用|申请)部门|(?:机主|业主|户主)姓名"
)
_NOT_CUSTOMER = re.compile(
    r"服务|维保|维修|承修|施工|安装|生产|制造|分包|检测|供货|供方|乙方|受托|经销|厂|移交|代理|监理|设计|经理|签"
    r"|地址|电话|编号|代码|意见|类型|类别|等级|来源|满意|评价|确认|代表|联系|责任|处理|主管|账号|税号|编制|填报|上报|上级|本"
    r"|尊敬|亲爱|的|被投诉|被诉"  # 尊敬的客户： greets nobody; 被投诉单位 is us
)
SHAPED_TIER = len(CUSTOMER_LABELS) - 1
_LABELS = "|".join(sorted(_LABEL_TIER, key=len, reverse=True))
# A label starts a field: at a line's or cell's start or after a bracket or punctuation.
_BEFORE = r"(?:^|(?<=[\s|(（,，。;；]))"
_STAMP = r"(?:[(（][^()（）\n]{1,10}[)）])?"
_CUSTOMER = re.compile(_BEFORE + r"(" + _LABELS + r")" + _STAMP + r"[ \t]*([:：;；|]?)[ \t]*(?=\S|\n)", re.MULTILINE)
# A field name of any shape: a short word at a field's start, then a separator or the line's end.
_FIELD = re.compile(_BEFORE + r"([\u4e00-\u9fff]{1,8})" + _STAMP + r"[ \t]*([:：;；|\t]|(?=\n))[ \t]*", re.MULTILINE)
# A letter's addressee label counts only at a line's start with a colon (致：X, 受文者：X).
_LETTER_LABELS = ("致", "受文者")
# A letter's salutation: 尊敬的刘海波先生： → 刘海波.
_SALUTATION = re.compile(
    r"^[ \t]*尊敬的[ \t]*([^\n:：,，]{2,40}?)[ \t]*(?:先生|女士|小姐|同志)?[ \t]*[:：,，]", re.MULTILINE
)
# A letter's first lines may name the addressee alone: 金辉大厦物业管理处：
_ADDRESSEE = re.compile(
    r"^[ \t]*([^\s:：]{2,40}?(?:公司|处|中心|医院|学校|站|厂|局|院|馆|店|委员会|小学|中学|大学|酒店|宾馆|物业))[ \t]*[:：][ \t]*$",
    re.MULTILINE,
)
_GENERIC = {"客户", "顾客", "用户", "用户朋友", "客户朋友", "领导", "先生", "女士"}
# Where a field's value ends: a tab, a table border, a wide gap.
_CELL_END = re.compile(r"\t|\||\s{2,}")
# A field name (another cell of a flattened table): a short word ending in one of these.
_FIELD_WORD = (
    r"[\u4e00-\u9fff]{0,5}(?:单位|名称|日期|时间|电话|编号|单号|地址|型号|厂家|厂商|联系人|负责人|经办人"
    r"|签字|签名|科室|内容|方式|代码|方|商)"
)
_NEXT_FIELD = re.compile(r" (?=" + _FIELD_WORD + r"(?:[ \t]*[:：;；]| |$))|[ \t]+(?=\S+[ \t]*[:：;；])")
_LABEL_LINE = re.compile(r"^\s*(?:" + _FIELD_WORD + r"|[^\s:：;；]{1,12}" + _STAMP + r"[ \t]*[:：;；].*)\s*$")
_STAMP_NOTE = re.compile(r"[(（](?:盖章|公章|签章|签字|签名|签字/盖章|签字或盖章)[)）]$")
MAX_CELL = MAX_NAME + 20  # a longer cell is cut, and then too long to be a name
_USABLE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Runs of single CJK characters separated by single spaces, as OCR spaces out a heading.
# (or two before a colon: 客 户 ：).
_SPACED = re.compile(r"(?:[\u4e00-\u9fff] ){2,}[\u4e00-\u9fff]|[\u4e00-\u9fff] [\u4e00-\u9fff](?= ?[:：])")
# A comma-separated line (a spreadsheet saved as text): 回访记录,客户名称,城东净水站,…
# (Cells exclude commas so that a long line ending in a colon fails at once, not after
# trying every way to split it.)
_CSV_LINE = re.compile(r"^[^\n:：,]*(?:,[^\n:：,]*){3,}$", re.MULTILINE)


def unspace(text: str) -> str:
    """``客 户 名 称 : X`` → ``客户名称 : X``: OCR's spaced-out words joined (other spaces kept);
    a comma-separated line's commas become cell edges (tabs)."""
    if text.count(",") >= 3:
        text = _CSV_LINE.sub(lambda m: m.group().replace(",", "\t"), text)
    return _SPACED.sub(lambda m: m.group().replace(" ", ""), text)


def customer_from_text(text: str) -> str | None:
    """The customer a service record names, as written (see the module docstring)."""
    plain = unspace(text or "")
    folded = fold(plain)  # fold keeps offsets: names are cut from ``plain`` (Latin case kept)
    found = [(_LABEL_TIER[m.group(1)], m.start(), m) for m in _CUSTOMER.finditer(folded) if _fits(folded, m)]
    found.sort(key=lambda f: (f[0], f[1]))  # strongest label, then first
    for tier, start, m in found:
        if tier >= SHAPED_TIER:  # the weakest are weighed with the shaped ones, by position
            break
        name = _value_at(plain, folded, m.end(), bracketed=start > 0 and folded[start - 1] in "(（")
        if name:
            return name
    weak = [f for f in found if f[0] >= SHAPED_TIER]
    weak += [(SHAPED_TIER, m.start(), m) for m in _FIELD.finditer(folded) if _shaped(m.group(1))]
    for _, start, m in sorted(weak, key=lambda f: f[1]):
        name = _value_at(plain, folded, m.end(), bracketed=start > 0 and folded[start - 1] in "(（")
        if name:
            return name
    return _salutation(plain, folded)


def _shaped(label: str) -> bool:
    """A field name not in the vocabulary, shaped like a customer's and not our side's."""
    if label in _LABEL_TIER:
        return False
    if label.endswith("对象"):  # 服务对象, 回访对象 are the customer; 投诉对象 is us
        return not label.startswith(("投诉", "被"))
    return bool(_SHAPED.fullmatch(label)) and not _NOT_CUSTOMER.search(label)


def _fits(folded: str, m: re.Match[str]) -> bool:
    """A label match is a field: a letter's label at a line start with a colon; any label
    followed by a separator, blanks or the line's end (not 客户满意 written in a sentence)."""
    if m.group(1) in _LETTER_LABELS:
        return m.group(2) in (":", "：") and (m.start() == 0 or folded[m.start() - 1] == "\n")
    return bool(m.group(2)) or m.end() == len(folded) or folded[m.end()] in "\n" or folded[m.end() - 1] in " \t"


def _value_at(plain: str, folded: str, at: int, *, bracketed: bool) -> str | None:
    """The value of the field whose separator ends at ``at``: on its line, else the next line."""
    line_end = folded.find("\n", at)
    line_end = len(folded) if line_end < 0 else line_end
    if not folded[at:line_end].strip(" \t|"):
        return _next_line_value(plain, folded, line_end)
    cell = folded[at : min(line_end, at + MAX_CELL)]
    end = _cell_end(cell, bracketed=bracketed)
    return _clean(plain[at : at + end])


def _cell_end(cell: str, *, bracketed: bool) -> int:
    """Where the value starting ``cell`` ends: the cell's edge, or the next field's label."""
    end = len(cell)
    for pattern in (_CELL_END, _NEXT_FIELD):
        m = pattern.search(cell, 1)
        if m:
            end = min(end, m.start())
    if bracketed:  # "（客户：金山宾馆）": the name ends at the bracket
        close = re.search(r"[)）]", cell[:end])
        end = close.start() if close else end
    return end


def _next_line_value(plain: str, folded: str, line_end: int) -> str | None:
    """A label alone on its line: the next non-empty line is its value, unless it is a label."""
    start = line_end + 1
    while start < len(folded):
        end = folded.find("\n", start)
        end = len(folded) if end < 0 else end
        line = folded[start:end].strip(" \t|")
        if line:
            label = _CUSTOMER.match(line)
            if _LABEL_LINE.match(line) or (label and _fits(line, label)):
                return None
            offset = start + (len(folded[start:end]) - len(folded[start:end].lstrip(" \t|")))
            return _clean(
                plain[offset : offset + _cell_end(folded[offset : min(end, offset + MAX_CELL)], bracketed=False)]
            )
        start = end + 1
    return None


def _clean(value: str) -> str | None:
    """A value trimmed of blanks, fill-in lines and a stamp note; None when nothing is left."""
    value = _STAMP_NOTE.sub("", value.strip().strip("_＿ ").rstrip("，,。;；")).strip()
    folded = fold(value)
    if not _USABLE.search(value) or folded in _GENERIC or re.fullmatch(_FIELD_WORD, folded):
        return None  # blank, "客户", or the next cell's label (客户名称\t联系电话)
    if re.search(r"[。！？!?，]", folded) or len(value) > MAX_NAME:
        return None  # a sentence is no name, nor is a cell longer than a register name may be
    return value


def _salutation(plain: str, folded: str) -> str | None:
    """A letter's addressee: 尊敬的刘海波先生： → 刘海波 (尊敬的客户 names nobody), or a line of
    its own among the first three: 金辉大厦物业管理处："""
    for m in _SALUTATION.finditer(folded):
        name = _clean(plain[m.start(1) : m.end(1)])
        if name:
            return name
    head = "\n".join(line for line in folded.splitlines() if line.strip())
    head = head[: sum(len(line) + 1 for line in head.splitlines()[:3])]
    alone = _ADDRESSEE.search(head)
    if alone is None:
        return None
    start = folded.find(alone.group(1))
    return _clean(plain[start : start + len(alone.group(1))])


# Form kinds by a word of the title, each with the labels that date the record itself, in the
# order they are preferred.  ``after`` kinds follow a service (a 派工单 number on them is the
# one they follow); a title naming only 报告 or 验收 is no service record on its own.
_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("report", r"上报|报告", ("上报日期", "上报时间", "报告日期", "报告时间")),
    ("after", r"回访|随访|跟踪服务", ("回访日期", "回访时间", "随访日期", "随访时间")),
    ("after", r"走访", ("走访日期", "走访时间")),
    ("after", r"满意度|调查", ("调查日期", "调查时间", "填表日期", "回访日期")),
    ("after", r"投诉|客诉", ("投诉日期", "投诉时间", "受理日期", "受理时间")),
    ("after", r"纠正|预防措施", ("发出日期", "签发日期")),
    ("after", r"函$|信函", ()),
    ("after", r"结算", ("结算日期", "结算时间")),
    ("ticket", r"派工|派单", ("派工日期", "派工时间", "派单日期", "派单时间")),  # 派单: the desk's word for 派工
    ("check", r"验收", ("验收日期",)),
    (
        "ticket",
        r"维修|保养|维保|维护|服务|报修|叫修|急修",
        ("完成日期", "完工日期", "完成时间", "完工时间", "维修日期", "维修时间", "保养日期", "维护日期", "服务日期"),
    ),
)
_KIND_PATTERNS = tuple((kind, re.compile(words), labels) for kind, words, labels in _KINDS)
_ANY_KIND = re.compile("|".join(words for _, words, _ in _KINDS))
# A date label with one of these before it dates another event: 首次回访日期, 下次保养日期.
DATE_QUALIFIERS = ("首次", "第一次", "上次", "前次", "下次", "预约", "计划", "预计", "要求")


def titles_of(folded: str) -> list[str]:
    """The first cells of the first two lines with text and no colon: the title, or a
    letterhead and then the title (``| 电梯回访记录 |`` → 电梯回访记录)."""
    titles: list[str] = []
    for line in folded.splitlines():
        cells = [c.strip() for c in re.split(r"[\t|]|\s{2,}| (?=\S)", line.strip()) if c.strip()]
        if not cells:
            continue
        if re.search(r"[:：]", cells[0]) or len(titles) == 2:
            break
        if titles and not re.search(r"(?:公司|集团|中心|部)$", titles[0]):
            break  # a second line is a title only under a letterhead
        # "宏碩機電股份有限公司 函": a letterhead then the kind
        titles.append(cells[0] + (cells[1] if len(cells) > 1 and len(cells[1]) == 1 else ""))
    return titles


def form_kinds(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, own date labels) for each kind the title names, in :data:`_KINDS` order.

    Empty when the title names no service record (a 施工日志, a 竣工报告, a letter of no kind).
    """
    head = fold(unspace((text or "")[:400]))
    if not _ANY_KIND.search(head):  # most texts: no kind word near the top at all
        return []
    for title in titles_of(head):
        found = [(kind, labels) for kind, words, labels in _KIND_PATTERNS if words.search(title)]
        if any(kind in ("after", "ticket") for kind, _ in found):
            return found
    return []


def own_date_labels(text: str) -> tuple[str, ...]:
    """The labels that date this record itself, most preferred first (empty: no service record)."""
    return tuple(label for _, labels in form_kinds(text) for label in labels)


def is_own_date_label(label: str, own: str) -> bool:
    """``label`` written on the form is ``own`` (维修完成日期 is 完成日期; 首次回访日期 is not 回访日期)."""
    if not label.endswith(own):
        return False
    before = label[: -len(own)]
    return not any(before.endswith(q) for q in DATE_QUALIFIERS)


def quotes_tickets(text: str) -> bool:
    """Whether a plain 派工单号 on this record is the ticket it follows, not its own number.

    A follow-up, complaint, survey, visit or letter quotes the ticket it is about; a 派工单 or
    a repair record carries its own.  A text whose title names neither keeps its own.
    """
    kinds = [kind for kind, _ in form_kinds(text)]
    if kinds:
        return "after" in kinds
    return bool(re.search(r"^[ \t]*(?:致|受文者|尊敬的)", fold((text or "")[:400]), re.MULTILINE))
