"""The pipeline and LoRA diagrams draw, count what they claim, and are shown without a smoke mark."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from helpers import diagrams  # noqa: E402


def _texts(fig) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_the_pipeline_shows_every_stage_in_order_with_its_notebooks():
    fig = diagrams.pipeline_figure()
    text = _texts(fig)
    labels = [label for label, _, _ in diagrams.PIPELINE]
    assert labels == [
        "Raw records",
        "Items",
        "Splits",
        "Predictors",
        "Tester",
        "Results",
        "Leaderboard",
    ]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "notebook 01" in text and "notebook 03-10" in text


def test_the_lora_diagram_counts_one_projection_of_llama_3_1_8b():
    text = _texts(diagrams.lora_figure(d=4_096, r=32, alpha=64))
    assert "16.8M weights" in text  # 4,096 x 4,096
    assert "r = 32: 262,144 trained weights (1.6% of W)" in text  # 32 x (4,096 + 4,096)
    assert "x alpha / r = 2" in text
    assert "r = 8: 65,536 trained weights (0.4% of W)" in _texts(
        diagrams.lora_figure(r=8, alpha=16)
    )


def test_a_diagram_is_shown_once_and_never_stamped_as_a_smoke_result(monkeypatch):
    shown = []
    monkeypatch.setenv("PRICER_SMOKE", "1")
    monkeypatch.setattr("matplotlib.pyplot.show", lambda *a, **k: shown.append(True))
    fig = diagrams.pipeline_figure()
    assert "smoke run" not in _texts(fig) and not fig.texts
    diagrams._show(fig)  # outside IPython: plain matplotlib
    assert shown == [True]
