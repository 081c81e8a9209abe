"""The one exception every app raises for a refusal a person can act on, and the one way
an app turns a service call's HTTP refusal into it."""

from contextlib import contextmanager

from openstack import exceptions as os_exc


class CloudRefused(Exception):
    """A refusal from the cloud (or from the portal's own checks before calling it),
    turned into words for the person: views put `message` on the form, or into a message
    for buttons. `cause` keeps what the service said (e.g. a Neutron Refusal)."""

    def __init__(self, message: str, cause=None):
        super().__init__(message)
        self.message = message
        self.cause = cause


def cloud_said(exc) -> str:
    """What the cloud said in an error answer, from Nova's {"badRequest": {"message"}},
    Neutron's {"NeutronError": {"message"}} or Keystone's {"error": {"message"}} alike;
    else openstacksdk's reading of it."""
    try:
        body = exc.response.json()
        inner = next(iter(body.values()))
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    except (AttributeError, ValueError, StopIteration, TypeError):
        pass
    return str(getattr(exc, "details", None) or getattr(exc, "message", None) or exc)


def refusals_by(explain):
    """The app's `refusals(messages, **context)` context manager for its `explain(exc,
    messages, **context) -> CloudRefused`: around a service's cloud call, an HTTP refusal
    comes out as CloudRefused in the operation's words."""
    @contextmanager
    def refusals(messages: dict, **context):
        try:
            yield
        except os_exc.HttpException as exc:
            raise explain(exc, messages, **context) from exc
    return refusals
