"""Holm and Benjamini–Hochberg adjustments across metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from tools.errors import ExperimentError
from tools.experiments.multiple_testing import adjust_pvalues


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
