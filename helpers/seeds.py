"""One call to seed every random number generator the course uses.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import os
import random

import numpy as np


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and (when installed) PyTorch, so reruns give the same numbers.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
