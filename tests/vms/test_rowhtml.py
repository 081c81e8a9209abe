"""The instances list row written out in Python (vms/rowhtml.py): what the template had,
escaped as Django escapes, with the checkbox and menu for those who may change servers."""

from datetime import UTC, datetime, timedelta

from django.utils.safestring import mark_safe

from portal.access import Permissions
from vms import rowhtml, rows

MEMBER, READER = Permissions(("member",)), Permissions(("reader",))


def row(**state):
    r = {"id": "a" * 32, "name": "web-1", "status": "ACTIVE", "vm_state": "active",
         "task_state": "", "locked": False, "launched": True, "fixed": ["10.0.0.5"],
         "floating": [], "flavor": {"name": "m1.tiny"}, "image": "cirros", "created": None,
         **state}
    return {**rows.for_template(r), "menu": mark_safe('<details data-testid="row-menu">')}


def test_every_value_is_escaped_and_the_name_links_to_the_detail_page():
    html = rowhtml.render(row(name='<b>"x"&', locked=True, locked_reason="<why>",
                              task_state="rebooting", image="<img>"), MEMBER)
    assert "<b>" not in html and "&lt;b&gt;&quot;x&quot;&amp;" in html
    assert 'title="&lt;why&gt;" data-testid="locked"' in html
    assert '<span class="muted">rebooting</span>' in html and "&lt;img&gt;" in html
    assert f'<a href="/servers/{"a" * 32}/">' in html
    assert html.startswith(f'<tr id="server-{"a" * 32}" data-status="ACTIVE" '
                           'data-live-row="servers"')


def test_addresses_fixed_first_then_floating_and_a_dash_for_none():
    html = rowhtml.render(row(fixed=["10.0.0.5", "fd00::5"], floating=["203.0.113.7"]),
                          MEMBER)
    assert ("<code>10.0.0.5</code><br><code>fd00::5</code>\n    <br><code>203.0.113.7"
            '</code> <span class="badge">floating</span>') in html
    assert '<span class="muted">—</span>' in rowhtml.render(row(fixed=[]), MEMBER)


def test_readers_get_no_checkbox_nor_menu_and_a_pushed_row_swaps_out_of_band():
    reader = rowhtml.render(row(), READER)
    assert 'name="server"' not in reader and "row-menu" not in reader
    assert "hx-swap-oob" not in reader
    member = rowhtml.render(row(), MEMBER, oob=True)
    assert 'form="bulk"' in member and 'data-testid="row-menu"' in member
    assert member.startswith(f'<tr id="server-{"a" * 32}" hx-swap-oob="true" ')
    assert rowhtml.render(row(), None).count("<td") == 6


def test_the_age_is_a_time_element_in_utc():
    created = datetime.now(UTC) - timedelta(days=2, hours=1)
    html = rowhtml.render(row(created=created), READER)
    assert f'<time datetime="{created.isoformat()}">2\xa0days, 1\xa0hour</time>' in html
    assert "<time" not in rowhtml.render(row(), READER)


def test_the_age_says_what_timesince_says_at_every_age_and_in_the_active_language():
    from django.utils import translation
    from django.utils.timesince import timesince

    now = datetime.now(UTC)
    ages = [timedelta(seconds=s) for s in (0, 59, 60, 61, 3599, 3600, 86399, 86400)] + \
        [timedelta(days=d, hours=h, minutes=m, seconds=7)
         for d in (1, 6, 7, 13, 27, 28, 29, 40, 400) for h in (0, 5) for m in (0, 59)]
    for age in ages + [-timedelta(minutes=3)]:  # and a clock a little behind Nova's
        created = now - age
        assert rowhtml._since(created) == timesince(created), age
    with translation.override("de"):
        created = now - timedelta(hours=2, minutes=3)
        assert rowhtml._since(created) == timesince(created)
        assert "Stunde" in rowhtml._since(created)
