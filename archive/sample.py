"""The sample project that ships with the source: its code, name and role holders.

One definition shared by ``dangan demo``, the tests and ``samples/make_samples.py``, so the
sample documents, the demo and the tests always agree on who holds which role.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_PROJECT = "BJ-2024-017"
SAMPLE_NAME = "安居花园3号楼"
SAMPLE_ROLES = {
    "公司法人": "王建国",
    "项目经理": "张伟",
    "内业技术员": "李娜",
    "项目技术负责人": "刘洋",
    "材料员": "陈静",
    "试验员": "杨帆",
    "测量员": "赵磊",
    "施工员": "吴涛",
    "质量安全员": "周敏",
    "土建内业技术员": "孙丽",
}


def samples_dir() -> Path:
    """``samples/`` at the top of a source checkout (beside ``archive/``)."""
    return Path(__file__).resolve().parent.parent / "samples"
