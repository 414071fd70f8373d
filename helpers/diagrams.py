"""Two diagrams the course draws: the data pipeline (notebook 01) and a LoRA layer (notebook 08).

They are pictures of ideas, not results, so they carry no smoke mark: each is shown as a
compact PNG of its own rather than through the chart formatter that stamps smoke runs.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

from typing import Any

# (label, detail, notebooks) for each stage of the pipeline, left to right.
PIPELINE = (
    ("Raw records", "Amazon Reviews\n2023, on the Hub", "01"),
    ("Items", "a price, a text of\n160 tokens at most", "01-02"),
    ("Splits", "train, validation,\ntest: your Hub repo", "02"),
    ("Predictors", "baselines, a human,\nfrontier, Llama", "03-10"),
    ("Tester", "error, RMSLE, hits\non 250 test items", "03-10"),
    ("Results", "one file per model,\nin your Hub repo", "03-10"),
    ("Leaderboard", "every model,\nbest first", "03, 09, 10"),
)

_BLUE, _GREY, _ORANGE, _GREEN = "#4c72b0", "#8c8c8c", "#dd8452", "#55a868"


def _show(fig: Any) -> None:
    """Display ``fig`` once as a compact PNG (no smoke mark: a diagram is not a result)."""
    import matplotlib.pyplot as plt

    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # a plain script
        plt.show()
        return
    if get_ipython() is None:
        plt.show()
        return
    from .charts import compact_png

    data = compact_png(fig, colors=64, mark=False, dpi=80)
    plt.close(fig)
    display(Image(data=data))


def pipeline_figure() -> Any:
    """The course's data flow as boxes and arrows, with the notebooks that do each step.

    Used within `helpers.diagrams`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    n = len(PIPELINE)
    fig, ax = plt.subplots(figsize=(16, 3.0))
    ax.set(xlim=(-0.1, n * 2.2 - 0.3), ylim=(-0.6, 2.2))
    ax.axis("off")
    for i, (label, detail, notebooks) in enumerate(PIPELINE):
        x = i * 2.2
        colour = _BLUE if i < 3 else (_ORANGE if i == 3 else _GREEN)
        box = FancyBboxPatch(
            (x, 0), 1.8, 1.6, boxstyle="round,pad=0.04,rounding_size=0.15",
            facecolor=colour, edgecolor="none", alpha=0.9,
        )  # fmt: skip
        ax.add_patch(box)
        ax.text(
            x + 0.9,
            1.22,
            label,
            ha="center",
            va="center",
            color="white",
            fontsize=13,
            weight="bold",
        )
        ax.text(x + 0.9, 0.55, detail, ha="center", va="center", color="white", fontsize=9.5)
        ax.text(
            x + 0.9,
            -0.3,
            f"notebook {notebooks}",
            ha="center",
            va="center",
            color=_GREY,
            fontsize=10,
        )
        if i + 1 < n:
            arrow = FancyArrowPatch(
                (x + 1.85, 0.8), (x + 2.15, 0.8), arrowstyle="-|>", mutation_scale=18, color=_GREY
            )
            ax.add_patch(arrow)
    ax.text(
        0,
        1.95,
        "Data flows one way: each notebook starts from what the one before it saved",
        fontsize=12,
        color="#333333",
    )
    return fig


def show_pipeline() -> None:
    """Draw the pipeline diagram in the notebook. Introduced in notebooks/01_explore_data.ipynb."""
    _show(pipeline_figure())


def lora_figure(d: int = 4_096, r: int = 32, alpha: int = 64) -> Any:
    """One LoRA layer: the frozen weight W (d x d, 4-bit) beside the trained B (d x r) and A (r x d).

    B and A widen with ``r`` (not to scale), and the counts are those of one attention
    projection of Llama 3.1 8B (``d`` = 4,096) at the given ``r``.
    Used within `helpers.diagrams`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, Rectangle

    frozen, trained = d * d, r * (d + d)
    fig, ax = plt.subplots(figsize=(13, 4.6))
    ax.set(xlim=(-0.6, 12.6), ylim=(-1.4, 4.4))
    ax.axis("off")
    thin = 0.02 + 0.12 * r / 32  # B and A widen with the rank (not to scale: r = 32 of 4,096)

    ax.text(0.1, 1.5, "x", fontsize=20, ha="center", va="center")
    for y in (2.6, -0.3):
        ax.add_patch(
            FancyArrowPatch((0.35, 1.5), (1.2, y), arrowstyle="-|>", mutation_scale=16, color=_GREY)
        )

    # the frozen path
    ax.add_patch(Rectangle((1.3, 1.9), 1.6, 1.6, facecolor=_GREY, alpha=0.85))
    ax.text(2.1, 2.7, "W", color="white", fontsize=20, ha="center", va="center", weight="bold")
    ax.text(2.1, 3.75, f"{d:,} x {d:,}, frozen, 4-bit", ha="center", fontsize=11)
    ax.text(3.4, 2.7, f"{frozen / 1e6:.1f}M weights\nnot trained", fontsize=11, va="center")

    # the trained path: B (d x r) after A (r x d)
    ax.add_patch(Rectangle((1.3, -0.4), 1.6, thin, facecolor=_ORANGE))
    ax.text(2.1, -0.75, f"A: r x {d:,}", ha="center", fontsize=11)
    ax.add_patch(
        FancyArrowPatch(
            (3.0, -0.4 + thin / 2), (3.6, 0.4), arrowstyle="-|>", mutation_scale=14, color=_GREY
        )
    )
    ax.add_patch(Rectangle((3.7, -0.4), thin, 1.6, facecolor=_ORANGE))
    ax.text(3.7 + thin + 0.15, 0.4, f"B: {d:,} x r", fontsize=11, va="center")
    ax.text(
        1.3,
        -1.25,
        f"r = {r}: {trained:,} trained weights ({trained / frozen:.1%} of W)",
        fontsize=11,
        color=_ORANGE,
        weight="bold",
    )

    # the sum
    ax.add_patch(
        FancyArrowPatch((5.2, 2.7), (7.0, 1.75), arrowstyle="-|>", mutation_scale=16, color=_GREY)
    )
    ax.add_patch(
        FancyArrowPatch((5.6, 0.4), (7.0, 1.25), arrowstyle="-|>", mutation_scale=16, color=_GREY)
    )
    ax.text(6.2, 0.35, f"x alpha / r = {alpha / r:g}", fontsize=11, color=_ORANGE)
    ax.text(7.35, 1.5, "+", fontsize=26, ha="center", va="center")
    ax.add_patch(
        FancyArrowPatch((7.7, 1.5), (8.4, 1.5), arrowstyle="-|>", mutation_scale=16, color=_GREY)
    )
    ax.text(8.5, 1.5, "h = W x + (alpha / r) B A x", fontsize=14, va="center")
    ax.text(
        8.5,
        0.85,
        "B starts at zero: training begins\nfrom the base model exactly",
        fontsize=10,
        color="#555555",
        va="center",
    )
    ax.set_title("One LoRA layer: a frozen weight, plus a small trained update", fontsize=14)
    return fig


def show_lora(d: int = 4_096, r: int = 32, alpha: int = 64) -> None:
    """Draw the LoRA diagram in the notebook. Introduced in notebooks/08_qlora_training.ipynb."""
    _show(lora_figure(d, r, alpha))
