"""The 四性检测 report: a page a person reads (HTML) and the same facts for scripts (JSON)."""

from __future__ import annotations

import json
from html import escape

from dangan.archive.handover.checks import PROPERTIES, CheckReport

WHAT_IS_CHECKED = {
    "真实性": "每个文件的 SHA-256 与归档时记录一致",
    "完整性": "清单必备项已归档或注明免交；文件均已组卷；件号、页次连续；题名、责任者齐全",
    "可用性": "每个文件均能按其格式打开（PDF、图像、DOCX、文本）",
    "安全性": "无加密 PDF、无宏、无可执行程序",
}


def report_json(report: CheckReport) -> str:
    """The report as indented JSON (Chinese kept readable)."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"


def report_html(report: CheckReport) -> str:
    """The report as one self-contained HTML page: a summary table, then every failing row."""
    summary = "".join(
        f"<tr><td>{p}</td><td>{escape(WHAT_IS_CHECKED[p])}</td>"
        f"<td class={'ok' if not report.failed(p) else 'bad'}>{'通过' if not report.failed(p) else f'不通过（{len(report.failed(p))}）'}</td></tr>"
        for p in PROPERTIES
    )
    rows = (
        "".join(
            f"<tr><td>{f.property}</td><td>{escape(f.where)}</td><td>{escape(f.message)}</td></tr>"
            for f in report.findings
        )
        or "<tr><td colspan=3>无</td></tr>"
    )
    verdict = "通过" if report.passed else "不通过"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>四性检测报告 {escape(report.project)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #444;padding:4px 8px}}.ok{{color:#060}}.bad{{color:#b00;font-weight:bold}}</style></head>
<body><h1>四性检测报告</h1>
<p>工程编号：{escape(report.project)}　工程名称：{escape(report.project_name)}　检测时间：{escape(str(report.checked_at))}</p>
<p>文件 {report.files} 个，案卷 {report.volumes} 卷。结论：<b>{verdict}</b></p>
<table><tr><th>检测项</th><th>内容</th><th>结果</th></tr>{summary}</table>
<h2>不通过的条目</h2>
<table><tr><th>检测项</th><th>位置</th><th>问题及处理</th></tr>{rows}</table>
</body></html>
"""
