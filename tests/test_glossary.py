"""The glossary covers the course's terms, and every notebook links each on its first use."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools import glossary
from tools.glossary import TERMS, check, check_notebook, glossary_anchors, pieces, slug
from tools.navigation import glossary_url

# The terms issue 14 asks the glossary to cover, by the anchor of their entry.
REQUIRED = [
    "sle",
    "rmsle",
    "hits",
    "nf4",
    "qlora",
    "lora-rank-r-and-alpha",
    "completion-only-loss",
    "embedding",
    "cosine-similarity",
    "vector-store",
    "rag",
    "nnls",
    "quantization",
    "compute-dtype",
    "checkpoint",
    "adapter",
]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("LoRA rank r and alpha", "lora-rank-r-and-alpha"),
        ("Epoch, step and batch", "epoch-step-and-batch"),
        ("The course's machinery", "the-courses-machinery"),
        ("NF4", "nf4"),
        ("Learning-rate schedule", "learning-rate-schedule"),
    ],
)
def test_anchors_are_githubs(heading, anchor):
    assert slug(heading) == anchor


def test_the_glossary_has_an_entry_for_every_required_and_checked_term():
    anchors = glossary_anchors()
    assert set(REQUIRED) <= anchors
    assert set(TERMS) <= anchors
    assert set(REQUIRED) <= set(TERMS), "every required term is checked in the notebooks"


def test_every_notebook_links_each_term_on_first_use():
    problems = check()
    assert problems == [], "\n".join(map(str, problems))


def _notebook(folder: Path, *markdown: str) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# 01 · Explore")]
    cells += [nbformat.v4.new_markdown_cell(text) for text in markdown]
    path = folder / "01_explore_data.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_an_unlinked_first_use_is_reported_with_the_link_to_write(tmp_path):
    path = _notebook(
        tmp_path, "We quantize the model.", f"Later, [quantized]({glossary_url('quantization')})."
    )
    (problem,) = check_notebook(path, glossary_anchors(), {"quantization": TERMS["quantization"]})
    assert problem.cell == 1
    assert f"[quantize]({glossary_url('quantization')})" in problem.message


def test_a_linked_first_use_passes_and_later_uses_need_no_link(tmp_path):
    path = _notebook(
        tmp_path,
        f"An [adapter]({glossary_url('adapter')}) is small.",
        "The adapter again, and adapters.",
    )
    assert check_notebook(path, glossary_anchors(), {"adapter": TERMS["adapter"]}) == []


def test_headings_code_and_the_navigation_block_are_not_uses(tmp_path):
    path = _notebook(
        tmp_path,
        "## Checkpoints and resuming\n`local_checkpoints(OUTPUT_DIR)`\n```python\ncheckpoint = 1\n```",
        "<!-- nav:start -->\na checkpoint\n<!-- nav:end -->",
        f"Each [checkpoint]({glossary_url('checkpoint')}) holds the step.",
    )
    assert check_notebook(path, glossary_anchors(), {"checkpoint": TERMS["checkpoint"]}) == []


def test_a_use_inside_another_entrys_link_is_not_the_terms_first_use(tmp_path):
    path = _notebook(
        tmp_path,
        f"[LoRA rank r and alpha]({glossary_url('lora-rank-r-and-alpha')}) first.",
        "Then LoRA, unlinked.",
    )
    (problem,) = check_notebook(path, glossary_anchors(), {"lora": TERMS["lora"]})
    assert problem.cell == 2


def test_a_link_to_an_entry_that_does_not_exist_is_reported(tmp_path):
    path = _notebook(tmp_path, f"See [this]({glossary_url('no-such-term')}).")
    (problem,) = check_notebook(path, glossary_anchors(), {})
    assert "#no-such-term, which does not exist" in problem.message


def test_pieces_keep_link_targets_and_drop_images():
    text = "A ![chart](x.png) and [SLE](https://x/docs/glossary.md#sle) here."
    assert pieces(text) == [
        ("A ", None),
        (" and ", None),
        ("SLE", "https://x/docs/glossary.md#sle"),
        (" here.", None),
    ]


def test_the_cli_exits_0_on_the_course(capsys):
    assert glossary.main([]) == 0
    assert "Every first use" in capsys.readouterr().out
