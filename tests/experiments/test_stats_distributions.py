"""The math-only t, normal and chi-square functions agree with scipy where analyses use them."""

from __future__ import annotations

import pytest
from scipy import special

from tools.experiments.stats import distributions as d

DFS = [1.5, 2.0, 3.0, 7.3, 30.0, 150.5, 1e3, 5e4, 2e6, 5e7]
TS = [0.0, 0.1, 0.5, 1.0, 1.96, 2.5, 4.0, 8.0, 15.0, 40.0]


@pytest.mark.parametrize("df", DFS)
def test_two_sided_t_p_value_matches_scipy(df: float) -> None:
    # beyond ten million degrees of freedom (units per arm) the tails keep 6 digits
    rel = 1e-9 if df < 1e7 else 1e-6
    for t in TS:
        expected = float(2 * special.stdtr(df, -t))
        assert d.t_two_sided_p(t, df) == pytest.approx(expected, rel=rel, abs=1e-300)
        assert d.t_sf(t, df) == pytest.approx(float(special.stdtr(df, -t)), rel=rel)
        assert d.t_sf(-t, df) == pytest.approx(float(special.stdtr(df, t)), rel=1e-9)


@pytest.mark.parametrize("df", DFS)
def test_t_quantile_matches_scipy(df: float) -> None:
    for p in (0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.9995, 1 - 1e-8, 0.025):
        expected = float(special.stdtrit(df, p))
        assert d.t_ppf(p, df) == pytest.approx(expected, rel=1e-8, abs=1e-12)


def test_normal_quantile_matches_scipy() -> None:
    for p in (1e-12, 1e-5, 0.01, 0.02, 0.1, 0.3, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9):
        assert d.normal_ppf(p) == pytest.approx(float(special.ndtri(p)), rel=1e-12, abs=1e-15)


def test_chi_square_tail_matches_scipy() -> None:
    for df in (1, 2, 3, 5, 9):
        for x in (0.01, 0.5, 1.0, 3.0, 10.0, 30.0, 80.0, 200.0):
            assert d.chi2_sf(x, df) == pytest.approx(float(special.chdtrc(df, x)), rel=1e-12)


def test_degenerate_inputs_give_nan_not_a_crash() -> None:
    assert d.t_two_sided_p(float("nan"), 10.0) != d.t_two_sided_p(float("nan"), 10.0)
    assert d.t_ppf(0.975, 0.0) != d.t_ppf(0.975, 0.0)
    assert d.chi2_sf(0.0, 1) == 1.0


def test_an_analysis_imports_neither_scipy_nor_numpy(small_demo_workspace) -> None:  # type: ignore[no-untyped-def]
    # Both cost a cold `experiment summarize` about 0.1 s or more each, for a few dozen products.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from agent.workspace import Workspace\n"
        "from tools.experiments.analyze import analyze_experiment\n"
        "from tools.warehouse.connection import open_warehouse\n"
        f"ws = Workspace.open({str(small_demo_workspace)!r})\n"
        "with open_warehouse(ws.settings.warehouse, ws.root) as wh:\n"
        "    a = analyze_experiment(ws.catalog, wh, 'hf_l1_ranker_v2', cache_dir=None)\n"
        "print(a.verdict.verdict != '', [m for m in ('scipy', 'numpy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True []", out.stdout + out.stderr
