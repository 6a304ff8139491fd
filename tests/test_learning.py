"""The classifier learns from the archivist: a company's own form, unknown to the rules, is
filed by itself once a person has placed five of them; the model file is derived data.

The forms here are written for this test (an invented 鑫源建设 monthly safety patrol sheet and
an equipment arrival acceptance slip): their words match no checklist item, so before any
decision the rules send them to review.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import zipfile

import numpy as np
import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.intake.filing import file_reviewed
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.learning import train as training
from dangan.archive.learning.model import ModelDamaged, load, model_path
from tests.conftest import Cli, write_text_doc

CODE = "BJ-2024-017"
_PLACES = ["1号楼脚手架", "塔吊基础", "2号楼临边", "地下室通道", "钢筋加工棚", "配电房", "生活区", "南侧基坑"]
_FINDINGS = [
    "安全帽佩戴不规范",
    "灭火器压力不足",
    "临边防护栏杆缺失",
    "配电箱未上锁",
    "安全网破损",
    "通道堆放杂物",
    "作业人员未系安全带",
]
_PEOPLE = ["周强", "陈立", "何静", "马超", "宋佳", "钱程"]


def patrol_sheet(n: int) -> str:
    """鑫源建设's monthly safety patrol sheet, filled in differently each time."""
    r = random.Random(n)
    rows = "\n".join(
        f"{i}. {r.choice(_PLACES)}：{r.choice(_FINDINGS)}，限{r.randint(1, 7)}日内整改"
        for i in range(1, r.randint(3, 5))
    )
    return (
        f"鑫源建设有限公司\n月度安全巡查表\n编号：XY-AQ-2024-{n:03d}\n"
        f"巡查月份：2024年{r.randint(1, 12)}月  巡查人：{r.choice(_PEOPLE)}  陪同：{r.choice(_PEOPLE)}\n"
        f"巡查部位及发现问题：\n{rows}\n"
        f"整改要求：责任班组按期整改，整改后报安全部复查。\n复查结论：{r.choice(['已整改', '部分整改', '未整改，再次通知'])}\n"
        f"安全部负责人：{r.choice(_PEOPLE)}"
    )


def arrival_slip(n: int) -> str:
    """An equipment arrival acceptance slip (设备进场验收单): another form the rules do not know."""
    r = random.Random(1000 + n)
    kind = r.choice(["施工升降机", "塔式起重机", "混凝土输送泵", "钢筋弯曲机", "电焊机"])
    return (
        f"设备进场验收单\n设备名称：{kind}  规格型号：SC200/{r.randint(100, 300)}\n"
        f"出租单位：{r.choice(['华安租赁', '永固机械', '建工设备站'])}  进场日期：2024年{r.randint(1, 12)}月{r.randint(1, 28)}日\n"
        f"随机资料：说明书、合格证、{r.choice(['维保记录', '安装告知书'])}\n"
        f"外观及安全装置：{r.choice(['完好', '限位器需调整', '防护罩缺失已补'])}\n验收意见：同意进场  设备管理员：{r.choice(_PEOPLE)}"
    )


def drop(home, name: str, text: str):
    """Put a text document in the project's inbox folder and file it; return its record."""
    path = write_text_doc(home.inbox_dir / CODE, name, text)
    with Catalog.open(home) as cat:
        (rec,) = ingest_paths(cat, [path])
    return rec


def decide(home, doc_id: int, item: str) -> None:
    """The archivist files a document from review (as `dangan file ID --item ITEM` does)."""
    with Catalog.open(home) as cat:
        file_reviewed(cat, doc_id, item=item)


def teach(home, count: int, *, item: str = "C14", form=patrol_sheet, start: int = 1) -> None:
    """``count`` forms arrive, go to review (the rules do not know them), and a person files them."""
    for n in range(start, start + count):
        rec = drop(home, f"scan_{form.__name__}_{n:03d}.pdf.txt", form(n))
        assert rec.outcome == "review", rec.message
        decide(home, rec.doc_id, item)
    training.wait_background()


@pytest.fixture
def known(home, project):
    """A few documents the rules file by themselves, so the model has other items to tell apart."""
    for n, text in enumerate(
        [
            "开工报告\n工程名称：安居花园3号楼\n本工程已具备开工条件，计划开工日期2024年3月1日。",
            "施工日志\n2024年3月5日 天气晴\n今日浇筑二层楼板混凝土，养护开始。",
            "隐蔽工程验收记录\n钢筋绑扎完成，经监理验收合格。",
            "原材料试验报告\n钢筋拉伸试验合格，委托编号W-2024-17。",
        ]
    ):
        assert drop(home, f"known_{n}.txt", text).outcome == "filed"
    return home


# --------------------------------------------------------------------------- the done-when test


@pytest.mark.parametrize("discard_model", [False, True], ids=["model-kept", "model-discarded"])
def test_the_sixth_company_form_is_filed_after_five_decisions(known, discard_model):
    home = known
    teach(home, 5)
    assert model_path(home).is_file()  # trained in the background after the fifth decision
    if discard_model:
        model_path(home).unlink()  # derived data: the catalog still holds every decision
    rec = drop(home, "scan_0106.pdf.txt", patrol_sheet(106))
    assert (rec.outcome, rec.item.code) == ("filed", "C14"), rec.message
    with Catalog.open(home) as cat:
        (event,) = [e for e in cat.events(document=rec.doc_id) if e["action"] == "filed"]
    assert event["detail"]["decided_by"].startswith(
        "learned from the archivist's decisions: C14 施工日志、大事记 (probability "
    )
    assert event["detail"]["decided_by"].endswith(", trained on 5 example(s))")
    assert model_path(home).is_file()  # rebuilt from the catalog when it was discarded
    shown = Cli(home.root)("show", str(rec.doc_id)).output
    assert "learned from the archivist's decisions: C14 施工日志、大事记" in shown  # show says who decided


def test_four_decisions_only_suggest(known):
    teach(known, 4)
    rec = drop(known, "scan_0105.pdf.txt", patrol_sheet(105))
    assert rec.outcome == "review"
    assert rec.review_reason.startswith(
        "no checklist item's words found in the name or text; learned from the archivist's decisions: C14"
    )
    assert re.search(r"trained on [1-4] example\(s\)\); it files by itself after 5 examples$", rec.review_reason)
    assert rec.classification.suggestions[0].item == "C14"


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a model file (BadZipFile"),
        (lambda p: (p.unlink(), os.mkfifo(p)), "not a regular file"),  # reading a FIFO would block filing
    ],
    ids=["garbage", "fifo"],
)
def test_a_damaged_model_file_is_logged_rebuilt_and_filing_goes_on(known, caplog, damage, why):
    teach(known, 5)
    damage(model_path(known))
    with caplog.at_level(logging.WARNING, logger="dangan.classifier"):
        rec = drop(known, "scan_0107.pdf.txt", patrol_sheet(107))
    assert (rec.outcome, rec.item.code) == ("filed", "C14"), rec.message
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"{model_path(known)} is damaged ({why}")
    assert line.endswith("rebuilding it from the catalog, filing goes on")
    assert load(model_path(known)).head("construction").person_counts == {"C14": 5}


class _Boom:
    """Unpickling this would create a file: the proof a model file ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_model_file_holding_a_pickle_is_refused_not_run(known, tmp_path, caplog):
    teach(known, 5)
    marker = tmp_path / "ran.txt"
    path = model_path(known)
    with zipfile.ZipFile(path) as z:
        kept = {n: z.read(n) for n in z.namelist() if n != "h0_coef.npy"}
    with zipfile.ZipFile(path, "w") as z:  # the same model with one array forged into a pickle
        for n, data in kept.items():
            z.writestr(n, data)
        with z.open("h0_coef.npy", "w") as fh:
            np.lib.format.write_array(fh, np.array([_Boom(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(ModelDamaged, match="array h0_coef unreadable"):
        load(model_path(known))
    with caplog.at_level(logging.WARNING, logger="dangan.classifier"):
        rec = drop(known, "scan_0108.pdf.txt", patrol_sheet(108))
    assert not marker.exists()
    assert (rec.outcome, rec.item.code) == ("filed", "C14")


# --------------------------------------------------------------------------- staying conservative


def test_strong_rule_evidence_for_another_item_is_not_overruled(known):
    teach(known, 5)
    # The patrol sheet's words, but the file name says 开工报告: the rules file it under C02.
    rec = drop(known, "开工报告.pdf.txt", patrol_sheet(109))
    assert rec.outcome == "review"
    assert rec.review_reason.startswith(
        "the rules chose C02 开工报告 but learned from the archivist's decisions: C14 施工日志、大事记"
    )
    assert rec.review_reason.endswith("; decide which")
    assert {s.item for s in rec.classification.suggestions} >= {"C02", "C14"}


def test_a_document_unlike_the_examples_is_not_filed_by_the_model(known):
    teach(known, 5)
    teach(known, 5, item="C06", form=arrival_slip)
    invoice = "增值税普通发票\n购买方：鑫源建设有限公司\n货物名称：办公用品\n金额：12,000.00元\n开票日期：2024年5月1日"
    assert drop(known, "fapiao.txt", invoice).outcome == "review"
    slip = drop(known, "scan_slip_006.txt", arrival_slip(6))
    assert (slip.outcome, slip.item.code) == ("filed", "C06")
    log = drop(known, "rizhi.txt", "施工日志\n2024年4月1日 天气阴\n砌筑三层填充墙。")
    assert (log.outcome, log.item.code, log.classification.reason) == ("filed", "C14", "")  # the rules, untouched


def test_refiling_is_a_decision_too(known):
    """A form the rules misfile (its body cites a 施工方案) is refiled by hand five times."""
    for n in range(1, 6):
        rec = drop(known, f"patrol_{n}.txt", patrol_sheet(n) + "\n依据：专项施工方案第3条")
        assert rec.outcome in ("filed", "review")
        with Catalog.open(known) as cat:
            if rec.outcome == "filed":
                from dangan.archive.intake.filing import refile

                refile(cat, rec.doc_id, item="C14")
            else:
                file_reviewed(cat, rec.doc_id, item="C14")
    training.wait_background()
    assert load(model_path(known)).head("construction").person_counts == {"C14": 5}


# --------------------------------------------------------------------------- the command line


def test_classifier_status_and_train(known, cli):
    r = cli("classifier", "status")
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == f"model: {model_path(known)} — not trained"
    assert "  C02: 0 placed by a person, 1 filed" in r.output.splitlines()
    teach(known, 5)
    teach(known, 2, item="C06", form=arrival_slip)
    r = cli("classifier", "train")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith(f"model: {model_path(known)} — trained 20")
    assert lines[1] == "decisions since: 0"
    assert lines[2].startswith("construction: accuracy ") and lines[2].endswith(
        "(2-fold cross-validation on 8 documents)"
    )
    assert "  C14: 5 placed by a person, 6 filed" in lines and "  C06: 2 placed by a person, 2 filed" in lines
    st = json.loads(cli("classifier", "status", "--json").output)
    assert st["checklists"][0]["items"][0] == {"item": "C02", "by_person": 0, "filed": 1}


# --------------------------------------------------------------------------- the stored arithmetic


@pytest.mark.parametrize(
    "forms", [(patrol_sheet, arrival_slip), (patrol_sheet, arrival_slip, lambda n: f"施工日志\n{n}日 砌筑三层填充墙")]
)
def test_numpy_prediction_equals_scikit_learn(forms):
    """The NPZ arrays, scored with numpy alone, give scikit-learn's own probabilities."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from dangan.archive.learning.features import document_tokens

    rows = [(f"s{n}.pdf", form(n), f"X{k}", True) for k, form in enumerate(forms) for n in range(6)]
    head = training._train_head("construction", rows)
    tokens = [document_tokens(name, text) for name, text, _i, _p in rows]
    vec = TfidfVectorizer(
        analyzer=lambda t: t, sublinear_tf=True, min_df=2 if len(rows) >= 20 else 1, max_features=training.MAX_FEATURES
    )
    clf = LogisticRegression(C=10.0, max_iter=1000).fit(vec.fit_transform(tokens), [r[2] for r in rows])
    for n in (50, 51):
        for form in forms:
            expected = clf.predict_proba(vec.transform([document_tokens("new.pdf", form(n))]))[0]
            got = {g.item: g.probability for g in head.predict("new.pdf", form(n))}
            assert [got[c] for c in clf.classes_] == pytest.approx(list(expected), abs=1e-4)


def test_decisions_in_the_web_app_teach_it_too(home):
    """Five clicks on 待审核 (review) by the archivist, and the sixth form is filed by itself."""
    from dangan.web.app import create_app
    from tests.webutil import login, make_client, prepare_home

    prepare_home(home)
    with make_client(create_app(home)) as client:
        token = login(client, "archivist")
        for n in range(1, 6):
            rec = drop(home, f"scan_{n:03d}.txt", patrol_sheet(n))
            assert rec.outcome == "review"
            r = client.post(f"/review/{rec.doc_id}/file", data={"csrf": token, "project": CODE, "item": "C14"})
            assert r.status_code == 303, r.text
    training.wait_background()
    rec = drop(home, "scan_006.txt", patrol_sheet(6))
    assert (rec.outcome, rec.item.code) == ("filed", "C14"), rec.message
