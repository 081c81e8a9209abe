"""devcloud plays day2_cases.py's scenario and answers as the real Nova 2026.2 did when it
was recorded (day2_real.json, `python -m tests.devcloud.record day2`): each step's status
and normalised body, and the states the server passed through (the real cloud's fake
driver skips states faster than a poll sees them: those it showed must be devcloud's too).
"""

import json

import pytest

from devcloud import testing
from tests.devcloud.day2_cases import RECORDED, is_subsequence, run

from .day2 import connect

REAL = json.loads(RECORDED.read_text())["answers"]


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """The scenario on a devcloud of its own, with actions slow enough (0.8 s) for each
    task_state to be seen by a poll."""
    with testing.running(tmp_path_factory.mktemp("day2") / "state",
                         "--build-delay", "1.6") as cloud:
        yield run(connect(cloud, "admin"), connect(cloud, "demo"))


@pytest.mark.parametrize("step", sorted(REAL))
def test_devcloud_answers_as_the_real_nova(answers, step):
    real, ours = REAL[step], answers[step]
    assert ours.get("status") == real.get("status")
    assert ours["body"] == real["body"]
    if "sequence" in real:
        assert ours["sequence"][0] == real["sequence"][0]
        assert ours["sequence"][-1] == real["sequence"][-1]
        assert is_subsequence(real["sequence"], ours["sequence"]), (real["sequence"],
                                                                    ours["sequence"])


def test_every_recorded_step_was_played(answers):
    assert sorted(answers) == sorted(REAL)
