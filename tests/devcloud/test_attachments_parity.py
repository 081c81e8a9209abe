"""devcloud plays attachments_cases.py's scenario (Cinder's attachments API and the older
os-reserve … os-detach actions) and answers as the real Cinder 29 did when it was recorded
(attachments_real.json, `python -m tests.devcloud.record attachments`): each step's
status code and normalised body."""

import json

import pytest

from tests.devcloud.attachments_cases import RECORDED, run

from .day2 import connect

REAL = json.loads(RECORDED.read_text())["answers"]


@pytest.fixture(scope="module")
def answers(devcloud):
    return run(connect(devcloud, "admin"), connect(devcloud, "demo"))


@pytest.mark.parametrize("step", sorted(REAL))
def test_devcloud_answers_as_the_real_cinder(answers, step):
    assert answers[step] == REAL[step]


def test_every_recorded_step_was_played(answers):
    assert sorted(answers) == sorted(REAL)
