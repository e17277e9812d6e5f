"""Several documents in one index: citations name the right document and section."""

import pytest

from fixtures import REPORT_MD
from qa.api import ask
from qa.index.build import build_index
from qa.index.store import Index

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def two_docs(tmp_path_factory, seed_path):
    root = tmp_path_factory.mktemp("multi")
    (root / "docs").mkdir()
    md = root / "docs" / "shili_2023.md"
    md.write_text(REPORT_MD, encoding="utf-8")
    build_index([seed_path, md], root / "index")
    return root / "index"


def test_each_document_keeps_its_own_headings(two_docs):
    index = Index.load(two_docs)
    by_doc = {}
    for c in index.chunks:
        by_doc.setdefault(c.doc, set()).add(c.section.split(" > ")[0])
    assert by_doc["shili_2023.md"] == {"一、过去一年工作回顾", "二、2024年工作安排"}
    assert not by_doc["shili_2023.md"] & by_doc["taiyuan_2022_government_work_report.txt"]


@pytest.mark.parametrize("question, doc, section, words", [
    ("示例市今年新建多少套保障性住房？", "shili_2023.md", "二、2024年工作安排", "8000套"),
    ("示例市过去一年新建了多少个城市公园？", "shili_2023.md", "一、过去一年工作回顾", "12个"),
    ("太原今年要新建多少座5G基站？", "taiyuan_2022_government_work_report.txt", "三、2022年工作安排", "3000座"),
])
def test_citations_name_the_right_document_and_section(two_docs, question, doc, section, words):
    a = ask(question, index_dir=two_docs)
    c = a.citations[0]
    assert c.doc == doc and c.section.startswith(section)
    assert not a.abstained and words in a.answer
    assert c.title == ("示例市2023年政府工作报告" if doc.endswith(".md") else "政府工作报告")
