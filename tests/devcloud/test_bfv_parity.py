"""devcloud plays bfv_cases.py's boot-from-volume scenario and answers as the real Nova 2026.2
and Cinder 29 did when it was recorded (bfv_real.json, `python -m tests.devcloud.record bfv`):
each step's status and normalised body, the root volume as Cinder shows it, and the states
the new-volume boot passed through (the real ones all among devcloud's, in order).
"""

import json

import pytest

from devcloud import testing
from tests.devcloud.bfv_cases import RECORDED, run
from tests.devcloud.day2_cases import is_subsequence

from .day2 import connect

REAL = json.loads(RECORDED.read_text())["answers"]


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    with testing.running(tmp_path_factory.mktemp("bfv") / "state",
                         "--build-delay", "1.6") as cloud:
        yield run(connect(cloud, "admin"), connect(cloud, "demo"))


@pytest.mark.parametrize("step", sorted(REAL))
def test_devcloud_answers_as_the_real_nova_and_cinder(answers, step):
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
