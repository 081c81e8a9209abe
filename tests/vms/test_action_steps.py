"""The action timeline's rules (vms.action_steps) over Nova's answers as the poller gets
them: steps in order, a poll older than the request never ends a run, an action done
outside the portal is recognised, one without a task_state waits for its end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.actor import Actor
from vms import action_steps
from vms.servers import Server

pytestmark = pytest.mark.django_db
ACTOR = Actor(user_id="u", user_name="alice", project_id="p", roles=("member",))


def nova(status, task=None, sid="s" * 32):
    return Server({"id": sid, "name": "web-1", "status": status, "tenant_id": "p",
                   "OS-EXT-STS:task_state": task})


def test_shelve_step_by_step_with_the_steps_the_poller_missed_shown_passed():
    run = action_steps.requested(nova("ACTIVE"), "shelve", ACTOR, task_state="shelving")
    later = timezone.now() + timedelta(seconds=1)
    assert action_steps.observe(nova("ACTIVE", "shelving"), run, later) is None  # seen
    action_steps.observe(nova("ACTIVE", "shelving_image_uploading"), run, later)
    done = action_steps.observe(nova("SHELVED_OFFLOADED"), run, later)
    assert done.finished_at and not done.failed and done.result == "SHELVED_OFFLOADED"
    (shown,) = action_steps.view("s" * 32)
    states = {s["step"]: s["state"] for s in shown["steps"]}
    assert states == {"requested": "done", "shelving": "done",
                      "shelving_image_pending_upload": "passed",
                      "shelving_image_uploading": "done", "shelving_offloading": "passed",
                      "SHELVED_OFFLOADED": "done"}
    assert shown["label"] == "Shelve" and shown["by"] == "alice"


def test_a_poll_that_began_before_the_request_does_not_end_the_run():
    before = timezone.now()
    run = action_steps.requested(nova("ACTIVE"), "reboot", ACTOR, task_state="rebooting")
    assert action_steps.observe(nova("ACTIVE"), run, before) is None
    run.refresh_from_db()
    assert run.finished_at is None
    assert action_steps.observe(nova("ACTIVE"), run, timezone.now()).result == "ACTIVE"


def test_an_action_that_ends_elsewhere_is_failed():
    run = action_steps.requested(nova("ACTIVE"), "stop", ACTOR, task_state="powering-off")
    ended = action_steps.observe(nova("ERROR"), run, timezone.now())
    assert ended.failed and ended.result == "ERROR"
    assert action_steps.view("s" * 32)[0]["steps"][-1]["state"] == "failed"


def test_an_action_done_outside_the_portal_gets_a_run_of_its_own():
    run = action_steps.observe(nova("ACTIVE", "powering-off"), None, timezone.now())
    assert run.action == "stop" and run.by == ""
    assert action_steps.view("s" * 32)[0]["by"] == "outside the portal"
    assert action_steps.observe(nova("ACTIVE", "deleting"), None, timezone.now()) is None


def test_an_action_without_a_task_state_waits_for_its_end():
    run = action_steps.requested(nova("VERIFY_RESIZE"), "confirm_resize", ACTOR)
    assert action_steps.observe(nova("VERIFY_RESIZE"), run, timezone.now()) is None
    assert action_steps.observe(nova("ACTIVE"), run, timezone.now()).result == "ACTIVE"


def test_lock_is_recorded_done_at_once():
    action_steps.requested(nova("ACTIVE"), "lock", ACTOR, detail="reason: upgrade",
                           result="locked")
    assert action_steps.open_runs(["s" * 32]) == {}
    (shown,) = action_steps.view("s" * 32)
    assert [s["state"] for s in shown["steps"]] == ["done", "done"]
