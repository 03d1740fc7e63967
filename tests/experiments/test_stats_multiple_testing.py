"""Holm and Benjamini–Hochberg adjustments across metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from tools.errors import ExperimentError
from tools.experiments.stats.multiple_testing import adjust_pvalues


def test_known_answer_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04 (m = 3)
    # Holm: 3·0.01 = 0.03, 2·0.03 = 0.06, max(1·0.04, 0.06) = 0.06
    # BH: 0.01·3/1 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04; running min from the top
    #     gives 0.04, 0.04, 0.03 — reported in input order
    p = [0.01, 0.04, 0.03]
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_pvalues(p, "bh") == pytest.approx([0.03, 0.04, 0.04])


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_matches_statsmodels(ours: str, theirs: str) -> None:
    p = np.random.default_rng(7).random(25) ** 3
    assert adjust_pvalues(p.tolist(), ours) == pytest.approx(
        multipletests(p, method=theirs)[1].tolist(), rel=1e-12
    )


def test_nan_is_kept_and_left_out_of_the_family() -> None:
    out = adjust_pvalues([0.01, math.nan, 0.04], "holm")
    assert math.isnan(out[1])
    assert out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.04)


def test_none_leaves_p_values_alone_and_unknown_method_is_an_error() -> None:
    assert adjust_pvalues([0.2, 0.01], "none") == [0.2, 0.01]
    with pytest.raises(ExperimentError, match="bonferoni"):
        adjust_pvalues([0.1], "bonferoni")


@pytest.mark.parametrize("size", [1, 2, 3, 10, 60])
@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_matches_statsmodels_with_ties_and_values_near_one(
    size: int, ours: str, theirs: str
) -> None:
    rng = np.random.default_rng(size)
    # Rounded so that ties are common; some large enough that adjusted values clip at 1.
    p = np.round(rng.random(size) ** 2, 2).clip(1e-6, 1.0)
    expected = multipletests(p, method=theirs)[1].tolist()
    assert adjust_pvalues(p.tolist(), ours) == pytest.approx(expected, rel=1e-12, abs=0)
    assert max(adjust_pvalues(p.tolist(), ours)) <= 1.0


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_nan_entries_leave_the_others_as_statsmodels_adjusts_them(ours: str, theirs: str) -> None:
    p = [0.003, math.nan, 0.2, 0.04, math.nan, 0.011]
    finite = [x for x in p if not math.isnan(x)]
    expected = iter(multipletests(finite, method=theirs)[1].tolist())
    out = adjust_pvalues(p, ours)
    for given, got in zip(p, out, strict=True):
        if math.isnan(given):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(next(expected), rel=1e-12)
