"""`lablens ask "question"`: one question, the right tools, one answer (offline or with a model)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.assistant.ask_result import AskResult
    from agent.assistant.history import History


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from agent.cli_args import add_common_flags

    p: argparse.ArgumentParser = sub.add_parser(
        "ask",
        help="ask a question about docs, data or experiments",
        description="Answers from the docs (with path:lines citations), the warehouse "
        "(validated, read-only SQL) and experiment analyses. Offline by default; with a "
        "configured model, the model calls the same tools and every number it writes is "
        "checked against the tool outputs. Exit 2 when nothing could be answered.",
    )
    add_common_flags(p)
    p.add_argument("question", nargs="?", help="the question; - reads stdin")
    llm = p.add_mutually_exclusive_group()
    llm.add_argument("--llm", dest="llm", action="store_true", default=None, help="use the model")
    llm.add_argument("--no-llm", dest="llm", action="store_false", help="offline only")
    p.add_argument(
        "--continue",
        dest="follow_up",
        action="store_true",
        help='a follow-up of the last question (e.g. `--continue "and by country?"`)',
    )
    p.set_defaults(func=run_ask)


def run_ask(args: argparse.Namespace) -> int:
    from agent.assistant.ask_result import AskResult, AskStep
    from agent.assistant.events import AnswerReady, Failed, StepFinished, StepStarted, TextDelta
    from agent.assistant.history import History
    from agent.assistant.session import Session
    from agent.workspace import Workspace

    question = sys.stdin.read() if args.question == "-" else (args.question or "")
    ws = Workspace.open(args.workspace)
    key = ws.settings.llm.api_key
    history = History.in_state_dir(ws.state_dir, secrets=[key.get_secret_value() if key else None])
    turns = []
    if args.follow_up:
        last = history.last()
        if last is not None:
            turns.append(last.turn())
    people = not args.json
    steps: list[AskStep] = []
    final: AnswerReady | Failed | None = None
    streamed: list[str] = []
    with Session(ws, use_llm=args.llm) as session:
        for event in session.answer(question, turns):
            if isinstance(event, StepStarted) and people:
                _status(f"→ {event.tool} {_short(event.input)}")
            elif isinstance(event, StepFinished):
                steps.append(AskStep.of(event))
                if people:
                    _status(f"  {steps[-1].to_text()}")
            elif isinstance(event, TextDelta) and people:
                streamed.append(event.text)
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, AnswerReady | Failed):
                final = event
    if final is None:  # the core always ends with one of them; a bug if not
        final = Failed("No answer", "lablens produced no answer.", "Re-run with --debug.")
    result = AskResult.of(question, final, tuple(steps))
    return _finish(args, result, history, streamed="".join(streamed))


def _finish(args: argparse.Namespace, result: AskResult, history: History, *, streamed: str) -> int:
    from tools.exit_codes import EXIT_OK, EXIT_USER_ERROR

    steps = [s.to_dict() for s in result.steps]
    if result.ok or result.question:
        history.add(
            result.question,
            result.answer,
            mode=result.mode,
            grounded=result.grounded,
            steps=steps,
            context=result.context,
        )
    if args.json:
        from agent.output import emit_json

        emit_json(result.to_dict())
    elif result.ok:
        if result.answer.strip() != streamed.strip():
            # The grounding check repaired or marked the streamed draft: the checked answer
            # is the one to read.
            label = "checked answer" if result.grounded else "answer, unverified parts marked"
            sys.stdout.write(f"\n\n--- {label} ---\n{result.answer}")
        sys.stdout.write("\n")
        if not result.grounded:
            _status("Some numbers or citations could not be verified against the tools (marked).")
    else:
        sys.stdout.write(result.to_text() + "\n")
    return EXIT_OK if result.ok else EXIT_USER_ERROR


def _status(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _short(args: Mapping[str, object]) -> str:
    text = ", ".join(f"{k}={v!s}" for k, v in dict(args).items())
    return text if len(text) <= 100 else text[:99] + "…"
