"""A small Chinese medical corpus, written fresh for each test, and stores built from it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kb import ImportOptions, KnowledgeStore, Reader, import_paths
from tests.kb.pdfmaker import make_pdf

CHEST_PAIN_MD = """# 胸痛诊治流程

## 初始评估
患者到达后10分钟内完成12导联心电图。测量血压、心率和血氧饱和度。
持续胸痛者立即通知上级医师，建立静脉通路。

## 急性冠脉综合征
典型表现为胸骨后压榨样疼痛，可向左上肢放射，伴大汗。
高敏肌钙蛋白按0h/1h方案采血，1小时后复查。

## 主动脉夹层
撕裂样胸背痛，双上肢血压不对称，应急查主动脉CTA。禁用溶栓。

## 肺栓塞
呼吸困难伴胸痛、咯血，下肢肿胀者评估Wells评分并查D-二聚体。
"""

HEART_FAILURE_TXT = """急性心力衰竭处理要点

端坐呼吸、夜间阵发性呼吸困难提示左心功能不全。应询问能否平卧、夜间需要几个枕头。
脑钠肽升高支持诊断。给予吸氧，静脉注射呋塞米20mg，监测尿量与电解质。
"""

ATRIAL_FIBRILLATION_HTML = """<!doctype html><html><head><title>心房颤动抗凝</title>
<script>var tracker = "胸痛";</script><style>.x{color:red}</style></head>
<body><nav>首页 | 科室导航 | 胸痛中心</nav>
<h1>心房颤动抗凝</h1>
<p>新发心房颤动患者应评估CHA2DS2-VASc评分，决定是否抗凝。</p>
<h2>复律</h2>
<p>血流动力学不稳定者立即同步电复律。</p>
<footer>版权所有 某某医院心内科</footer></body></html>
"""

PNEUMOTHORAX_PAGES = [
    ["胸外科诊疗常规 2024版", "# 气胸诊治要点",
     "张力性气胸表现为呼吸困难、气管偏移，需立即穿刺减压。", "第 1 页"],
    ["胸外科诊疗常规 2024版", "自发性气胸多见于瘦高体型青年男性，突发胸痛伴气促。", "第 2 页"],
    ["胸外科诊疗常规 2024版", "胸片可见气胸线，肺压缩大于30%者行胸腔闭式引流。", "第 3 页"],
]

CORONARY_DOCX = [
    ("heading", "冠状动脉粥样硬化性心脏病二级预防"),
    ("text", "所有患者如无禁忌证应长期服用阿司匹林。"),
    ("heading", "血脂管理"),
    ("text", "低密度脂蛋白胆固醇目标值低于1.4mmol/L，首选他汀类药物。"),
]

RESTRICTED_MD = """# 麻醉药品管理（限制级）

吗啡等麻醉药品使用后须双人核对并登记专用处方，剩余药液在监控下销毁。
持续胸痛需镇痛时，由主治以上医师开具。限制级标记甲乙丙。
"""

CARDIOLOGY_INTERNAL_MD = """# 心内科胸痛会诊流程

心内科值班医师接到胸痛会诊后15分钟内到达急诊，导管室激活由二线决定。
"""

GB18030_TEXT = "晕厥评估\n\n晕厥患者须查心电图与血糖，排除心律失常。\n"


@dataclass
class Corpus:
    root: Path
    public: Path
    emergency_department: Path
    cardiology_department: Path
    emergency_restricted: Path
    bad: Path


def _write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    for kind, text in CORONARY_DOCX:
        if kind == "heading":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    section = document.sections[0]
    section.header.paragraphs[0].text = "某某医院 受控文件"
    document.save(str(path))


def write_corpus(root: Path) -> Corpus:
    """Files in folders by classification, plus a folder of files that must be skipped."""
    corpus = Corpus(root, root / "public", root / "emergency-department",
                    root / "cardiology-department", root / "emergency-restricted", root / "bad")
    for folder in (corpus.public, corpus.emergency_department, corpus.cardiology_department,
                   corpus.emergency_restricted, corpus.bad):
        folder.mkdir(parents=True)

    (corpus.public / "胸痛流程.md").write_text(CHEST_PAIN_MD, "utf-8")
    (corpus.public / "房颤抗凝.html").write_text(ATRIAL_FIBRILLATION_HTML, "utf-8")
    (corpus.public / "气胸.pdf").write_bytes(make_pdf(PNEUMOTHORAX_PAGES))
    (corpus.public / "晕厥.txt").write_bytes(GB18030_TEXT.encode("gb18030"))
    _write_docx(corpus.emergency_department / "冠心病二级预防.docx")
    (corpus.cardiology_department / "心衰处理.txt").write_text(HEART_FAILURE_TXT, "utf-8")
    (corpus.cardiology_department / "心内科胸痛会诊.md").write_text(CARDIOLOGY_INTERNAL_MD,
                                                               "utf-8")
    (corpus.emergency_restricted / "麻醉药品管理.md").write_text(RESTRICTED_MD, "utf-8")

    (corpus.bad / "损坏.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    (corpus.bad / "乱码.txt").write_bytes(os.urandom(4096))
    (corpus.bad / "空.md").write_bytes(b"")
    (corpus.bad / "坏的.docx").write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    return corpus


# The classification of each corpus folder: (department, level).
CLASSIFICATION = {
    "public": ("全院", "public"),
    "emergency_department": ("急诊科", "department"),
    "cardiology_department": ("心内科", "department"),
    "emergency_restricted": ("急诊科", "restricted"),
}


def import_corpus(store: KnowledgeStore, corpus: Corpus, embedder: object = None) -> None:
    for name, (department, level) in CLASSIFICATION.items():
        report = import_paths(store, [getattr(corpus, name)], embedder=embedder,  # type: ignore[arg-type]
                              options=ImportOptions(department=department, level=level))
        assert not report.skipped, report.skipped


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def library(tmp_path: Path, corpus: Corpus) -> Iterator[KnowledgeStore]:
    """The corpus imported without an embedder (words-only search)."""
    store = KnowledgeStore.open(tmp_path / "library", create=True)
    import_corpus(store, corpus)
    yield store
    store.close()


class MemoE5:
    """The real local embedder, remembering vectors it made so each test does not wait for
    the same corpus to be embedded again (the machine's two cores are shared)."""

    def __init__(self) -> None:
        from kb import LocalE5Embedder

        self._model = LocalE5Embedder()
        self._passages: dict[str, np.ndarray] = {}

    @property
    def identity(self) -> str:
        return self._model.identity

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._passages]
        if missing:
            self._passages.update(zip(missing, self._model.embed_passages(missing),
                                      strict=True))
        return np.array([self._passages[text] for text in texts], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.embed_query(text)


@pytest.fixture(scope="session")
def e5() -> MemoE5:
    return MemoE5()


@pytest.fixture
def vector_library(tmp_path: Path, corpus: Corpus, e5: object) -> Iterator[KnowledgeStore]:
    """The corpus imported with the local multilingual-e5-small embedder."""
    store = KnowledgeStore.open(tmp_path / "vector-library", create=True)
    import_corpus(store, corpus, embedder=e5)
    yield store
    store.close()


EMERGENCY_CLINICIAN = Reader("clinician", "急诊科")
EMERGENCY_LEAD = Reader("department_lead", "急诊科")
CARDIOLOGY_CLINICIAN = Reader("clinician", "心内科")
EDITOR = Reader("kb_editor", "信息科")
