"""Formatting numbers for people (tables, cards, labels): one place for units and n/a."""

from __future__ import annotations

import math
from typing import Any


def fmt(value: Any, unit: str = "", digits: int = 3, scale: float = 1.0) -> str:
    """``value * scale`` with ``digits`` decimals and ``unit``; "n/a" for missing values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value * scale:.{digits}f}{unit}"
