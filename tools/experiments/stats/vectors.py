"""Small dense vectors and matrices as tuples of floats, for the delta method.

An arm's moments have at most four variables, so the arithmetic is a few dozen products;
numpy would do it no faster and costs about 0.1 s to import, more than a cached
`experiment summarize` spends on everything else but its own imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Vector = tuple[float, ...]
Matrix = tuple[Vector, ...]


def as_float(value: object) -> float:
    """A warehouse number (int, float, Decimal, numeric text) as a float; None is NaN."""
    return math.nan if value is None else float(value)  # type: ignore[arg-type]


def vector(values: Iterable[object]) -> Vector:
    return tuple(as_float(v) for v in values)


def matrix(rows: Iterable[Iterable[object]]) -> Matrix:
    return tuple(vector(row) for row in rows)


def unit_vector(size: int, index: int) -> Vector:
    """Gradient of "the mean of variable `index`"."""
    return tuple(1.0 if i == index else 0.0 for i in range(size))


def quadratic_form(a: Sequence[float], m: Matrix, b: Sequence[float]) -> float:
    """a' M b, summed in the order of (a @ M) @ b."""
    row = [sum(a[i] * m[i][j] for i in range(len(a))) for j in range(len(b))]
    return sum(r * x for r, x in zip(row, b, strict=True))
