"""Numbers fixed by their inputs: the stand-ins' only source of randomness.

The OpenAI stand-in decides faults, misreadings and reply shapes from a hash of what it was
asked, so the same question always gets the same answer, whatever the thread interleaving.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any


def digest(*parts: Any) -> int:
    """A 64-bit whole number fixed by ``parts`` (their text, joined)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def unit(*parts: Any) -> float:
    """A number in (0, 1) fixed by ``parts``."""
    return (digest(*parts) + 0.5) / 2**64


def gauss(*parts: Any) -> float:
    """A standard normal draw fixed by ``parts`` (Box-Muller)."""
    return math.sqrt(-2 * math.log(unit("a", *parts))) * math.cos(2 * math.pi * unit("b", *parts))
