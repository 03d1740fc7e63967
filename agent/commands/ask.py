"""`lablens ask "question"`: one question, the right tools, one answer (offline or with a model)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.assistant.events import AnswerReady, Failed
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
    steps: list[dict[str, object]] = []
    final: AnswerReady | Failed | None = None
    streamed: list[str] = []
    with Session(ws, use_llm=args.llm) as session:
        for event in session.answer(question, turns):
            if isinstance(event, StepStarted) and people:
                _status(f"→ {event.tool} {_short(event.input)}")
            elif isinstance(event, StepFinished):
                steps.append(
                    {
                        "tool": event.tool,
                        "input": dict(event.input),
                        "ok": event.ok,
                        "summary": event.summary if event.ok else (event.error or event.summary),
                    }
                )
                if people:
                    mark = "✓" if event.ok else "✗"
                    _status(f"  {mark} {steps[-1]['summary']}")
            elif isinstance(event, TextDelta) and people:
                streamed.append(event.text)
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, AnswerReady | Failed):
                final = event
    return _finish(args, question, final, steps, history, streamed="".join(streamed))


def _finish(
    args: argparse.Namespace,
    question: str,
    final: AnswerReady | Failed | None,
    steps: list[dict[str, object]],
    history: History,
    *,
    streamed: str,
) -> int:
    from agent.assistant.events import AnswerReady, Failed
    from tools.exit_codes import EXIT_OK, EXIT_USER_ERROR

    if final is None:  # the core always ends with one of them; a bug if not
        final = Failed("No answer", "lablens produced no answer.", "Re-run with --debug.")

    shown_question = question.strip()[:4000]
    if isinstance(final, AnswerReady):
        data = {
            "question": shown_question,
            "answer": final.text,
            "steps": steps,
            "sources": [s.to_dict() for s in final.sources],
            "sql": list(final.sql),
            "mode": final.mode,
            "grounded": final.grounded,
        }
        history.add(
            shown_question,
            final.text,
            mode=final.mode,
            grounded=final.grounded,
            steps=steps,
            context=final.context,
        )
        code = EXIT_OK
    else:
        text = final.message + (f"\n{final.hint}" if final.hint else "")
        data = {
            "question": shown_question,
            "answer": text,
            "steps": steps,
            "sources": [],
            "sql": [],
            "mode": "offline",
            "grounded": True,
            "error": final.title,
        }
        if shown_question:
            history.add(shown_question, text, mode="offline", grounded=True, steps=steps)
        code = EXIT_USER_ERROR
    if args.json:
        from agent.output import emit_json

        emit_json(data)
    elif isinstance(final, AnswerReady):
        if final.text.strip() != streamed.strip():
            # The grounding check repaired or marked the streamed draft: the checked answer
            # is the one to read.
            label = "checked answer" if final.grounded else "answer, unverified parts marked"
            sys.stdout.write(f"\n\n--- {label} ---\n{final.text}")
        sys.stdout.write("\n")
        if not final.grounded:
            _status("Some numbers or citations could not be verified against the tools (marked).")
    else:
        sys.stdout.write(f"{final.title}: {data['answer']}\n")
    return code


def _status(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _short(args: Mapping[str, object]) -> str:
    text = ", ".join(f"{k}={v!s}" for k, v in dict(args).items())
    return text if len(text) <= 100 else text[:99] + "…"
