"""The receiver kit passes the reference receiver and catches each broken one (its kill matrix); a receiver
that accepts a forged or unsigned event fails it with a non-zero exit."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance import cli
from conformance.webhooks import kit
from sandbox.server import running
from tests.webhook_receivers import Receiver

SECRET = "pwh_" + "ab" * 16
# broken receiver -> the requirements the kit must find broken, and the exit it must give
KILLS = {
    "no-check": ({"RECEIVER-001"}, kit.MUST_FAILED),
    "no-window": ({"RECEIVER-003"}, kit.CONFORMS),
    "accepts-replays": ({"RECEIVER-004"}, kit.CONFORMS),
    "reserializes": ({"RECEIVER-001", "RECEIVER-005"}, kit.MUST_FAILED),
}


Serve = Callable[[Receiver], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Serve a receiver on a loopback port for the test; returns its URL."""
    with contextlib.ExitStack() as stack:
        yield lambda receiver: stack.enter_context(running(receiver)) + "/hooks"


def broken_requirements(outcomes: list[kit.Outcome]) -> set[str]:
    return {o.case.requirement for o in outcomes if not o.conforms}


def test_the_reference_receiver_conforms(serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    receiver = Receiver(SECRET)
    out = tmp_path / "kit.json"
    code = cli.main(["webhook-receiver", "--url", serve(receiver), "--secret", SECRET, "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == kit.CONFORMS, printed
    assert printed.rstrip().endswith("verdict: CONFORMS")
    written = json.loads(out.read_text())
    assert written["verdict"] == "CONFORMS" and all(o["conforms"] for o in written["outcomes"])
    assert {o["case"] for o in written["outcomes"]} == {c.name for c in kit.CASES}
    assert len(receiver.accepted) == 2 == len(set(receiver.accepted)), "the valid and the re-formatted event, once"


@pytest.mark.parametrize("broken", list(KILLS))
def test_the_kit_catches_each_broken_receiver(serve: Serve, broken: str) -> None:
    outcomes = kit.judge(serve(Receiver(SECRET, broken)), SECRET)
    expected, code = KILLS[broken]
    assert broken_requirements(outcomes) == expected
    assert kit.verdict(outcomes)[1] == code


@pytest.mark.parametrize("case", ["wrong-secret", "missing-header"])
def test_a_receiver_that_accepts_a_forged_or_unsigned_event_fails_the_kit(serve: Serve, case: str) -> None:
    """A receiver that lets exactly one kind of forgery through still fails the run (exit 1)."""

    class LetsThrough(Receiver):
        def status(self, body: bytes, header: str | None) -> int:
            forged = (case == "missing-header" and header is None) or (
                case == "wrong-secret" and header == kit.webhooks.sign(kit.FORGED_SECRET, body))
            return 204 if forged else super().status(body, header)

    outcomes = kit.judge(serve(LetsThrough(SECRET)), SECRET)
    assert [o.case.name for o in outcomes if not o.conforms] == [case]
    assert kit.verdict(outcomes) == ("MUST FAILED", kit.MUST_FAILED)


def test_a_receiver_with_another_secret_leaves_the_run_incomplete(serve: Serve) -> None:
    outcomes = kit.judge(serve(Receiver("pwh_" + "cd" * 16)), SECRET)
    assert not outcomes[0].accepted
    assert kit.verdict(outcomes) == ("INCOMPLETE", kit.INCOMPLETE)
    assert "refusals prove nothing" in kit.report(outcomes)


def test_no_receiver_at_all_is_unusable() -> None:
    outcomes = kit.judge("http://127.0.0.1:9/hooks", SECRET, timeout=1.0)
    assert kit.verdict(outcomes) == ("UNUSABLE", kit.UNUSABLE)
