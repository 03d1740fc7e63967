"""The offline router: the right tools from the words of a question and the known names."""

from __future__ import annotations

import pytest

from agent.assistant.followup import Previous
from agent.assistant.names import ExperimentName, KnownNames
from agent.assistant.router import route_question

NAMES = KnownNames(
    experiments=(
        ExperimentName("hf_l1_ranker_v2", "Homefeed L1 ranker v2 (two-tower)"),
        ExperimentName("search_bert_relevance", "Search relevance with a BERT cross-encoder"),
        ExperimentName("video_boost_3arm", "Video boost in homefeed blending (3 arms)"),
    ),
    tables=("engagement_daily", "users", "experiments"),
    columns=("dt", "surface", "country", "saves"),
    metrics=("saves_per_user",),
    dimensions=("surface", "country", "platform"),
)
METRICS = KnownNames(
    experiments=NAMES.experiments,
    tables=NAMES.tables,
    metrics=(
        "saves_per_user",
        "time_spent_per_user",
        "active_days_per_user",
        "save_rate",
        "hide_rate",
        "saver_rate",
    ),
    metric_synonyms=(("hide rate", "hide_rate"), ("share of savers", "saver_rate")),
)


def tools(question: str, previous: Previous | None = None) -> list[str]:
    return [c.tool for c in route_question(question, NAMES, previous).calls]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how did hf_l1_ranker_v2 do?", ["summarize_experiment"]),
        ("how did the L1 ranker v2 test do?", ["summarize_experiment"]),
        ("did the BERT relevance experiment ship?", ["summarize_experiment"]),
        (
            "why did we ship hf_l1_ranker_v2 and what happened to saves?",
            ["summarize_experiment", "search_docs"],
        ),
        ("show me the SQL behind the hf_l1_ranker_v2 analysis", ["experiment_sql"]),
        ("how does the homefeed L1 ranker pick candidates?", ["search_docs"]),
        ("what is our policy on sample ratio mismatch?", ["search_docs"]),
        ("total saves by surface", ["question_to_sql"]),
        ("what experiments do we have?", ["list_experiments"]),
        # a policy question that names experiments is for the docs, not the list
        ("what is our hide rate guardrail policy for experiments?", ["search_docs"]),
        # how many experiments moved a metric: every experiment's analysis of it
        ("how many experiments moved saves?", ["compare_experiments"]),
        # ... and why: the analyses and the docs at once
        ("which experiments hurt saves and why?", ["compare_experiments", "search_docs"]),
        ("what columns does engagement_daily have?", ["describe_catalog"]),
    ],
)
def test_routes(question: str, expected: list[str]) -> None:
    assert tools(question) == expected


def test_a_named_experiment_is_resolved_to_its_id() -> None:
    route = route_question("is the video boost test a win?", NAMES)
    assert route.calls[0].args == {"experiment_id": "video_boost_3arm"}


def test_unknown_experiment_id_suggests_the_close_one() -> None:
    route = route_question("how did hf_l1_ranker_v3 do?", NAMES)
    assert route.refusal is not None and "hf_l1_ranker_v2" in route.refusal.hint


def test_an_unknown_id_that_the_docs_mention_is_searched() -> None:
    route = route_question(
        "how did hf_l1_ranker_v1 do?", NAMES, mentioned_in_docs=lambda t: t == "hf_l1_ranker_v1"
    )
    assert [c.tool for c in route.calls] == ["search_docs"]


@pytest.mark.parametrize(
    ("previous", "question", "rewritten"),
    [
        ("total saves on search", "and by country?", "total saves on search by country"),
        ("total clicks by surface", "only on search", "total clicks by surface on search"),
        (
            "total saves by surface last 7 days",
            "last 30 days instead",
            "total saves by surface last 30 days",
        ),
    ],
)
def test_follow_ups_replan_the_previous_data_question(
    previous: str, question: str, rewritten: str
) -> None:
    route = route_question(question, NAMES, Previous("data", previous))
    assert route.calls[0].args == {"question": rewritten}
    assert route.notes and previous in route.notes[0]


def test_a_pronoun_points_at_the_previous_experiment() -> None:
    route = route_question(
        "what does the design doc say about its risk?",
        NAMES,
        Previous("experiment", "summarize search_bert_relevance", "search_bert_relevance"),
    )
    assert [c.tool for c in route.calls] == ["search_docs"]
    assert "search_bert_relevance" in str(route.calls[0].args["query"])


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("email the team the results", "email"),
        ("train a model on the engagement data", "train"),
        ("delete the users table", "read-only"),
        ("¿cuántos usuarios hay por país?", "English"),
        ("wie viele Nutzer gibt es pro Land?", "English"),
    ],
)
def test_out_of_scope_requests_are_refused_with_what_lablens_can_do(
    question: str, word: str
) -> None:
    route = route_question(question, NAMES)
    assert route.kind == "refuse" and route.refusal is not None
    assert word in route.refusal.title + route.refusal.message
    assert "lablens" in route.refusal.hint


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({}, "'query' is required"),
        ({"query": ""}, "query must not be empty"),
        ({"query": "x", "k": 0}, "k must be at least 1"),
        ({"query": "x", "k": "5"}, "k must be an integer"),
        ({"query": "x", "sql": "DROP TABLE users"}, "unexpected field(s) 'sql'"),
    ],
)
def test_tool_arguments_are_checked_against_the_schema(
    args: dict[str, object], problem: str
) -> None:
    from agent.assistant.tools import check_arguments, get_tool
    from tools.errors import InputError

    with pytest.raises(InputError, match="Bad arguments for search_docs") as caught:
        check_arguments(get_tool("search_docs"), args)
    assert problem in caught.value.message


def test_a_short_follow_up_after_an_experiment_searches_its_docs() -> None:
    previous = Previous("experiment", "how did hf_l1_ranker_v2 do?", "hf_l1_ranker_v2")
    route = route_question("why?", NAMES, previous)
    assert [c.tool for c in route.calls] == ["search_docs"]
    assert "hf_l1_ranker_v2" in str(route.calls[0].args["query"])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which experiments improved saves?", ["saves_per_user", "save_rate"]),
        ("did the video boost test hurt hide rate?", ["hide_rate"]),
        ("what did hf_l1_ranker_v2 do to the share of savers", ["saver_rate"]),
        (
            "did video_boost_3arm move time spent and active days?",
            ["time_spent_per_user", "active_days_per_user"],
        ),
        ("what happened to save_rate in hf_l1_ranker_v2", ["save_rate"]),
        # every word of a name but the generic ones ('per', 'user', 'rate') must be there
        ("is the experiment still active?", []),
        ("how much time did the test take?", []),
        ("how did hf_l1_ranker_v2 do?", []),
    ],
)
def test_the_metrics_a_question_names(question: str, expected: list[str]) -> None:
    assert METRICS.metrics_in(question) == expected


def test_an_experiment_question_about_a_metric_carries_it() -> None:
    route = route_question("did the video boost test hurt hide rate?", METRICS)
    assert [c.tool for c in route.calls] == ["summarize_experiment"]
    assert route.metrics == ("hide_rate",)


def test_which_experiments_moved_a_metric_compares_them_all() -> None:
    route = route_question("which experiments improved saves?", METRICS)
    assert route.kind == "compare"
    assert [(c.tool, c.args) for c in route.calls] == [
        ("compare_experiments", {"metric": "saves_per_user, save_rate"})
    ]
    assert route.metrics == ("saves_per_user", "save_rate")
    # no metric named: still the list
    assert tools("which experiments are running?") == ["list_experiments"]


def test_a_metric_follow_up_after_a_comparison_compares_that_metric() -> None:
    previous = Previous("compare", "which experiments improved saves?")
    route = route_question("and hide rate?", METRICS, previous)
    assert [(c.tool, c.args) for c in route.calls] == [
        ("compare_experiments", {"metric": "hide_rate"})
    ]
    assert route.notes and "follow-up" in route.notes[0]
