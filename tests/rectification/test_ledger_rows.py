"""The ledger's rows, drawn by Jinja2 (jinja2/rectification/case_rows.html): what an
official reads in each row, escaped as the Django templates escape."""

import pytest

from rectification.models import Case
from villages.models import Village

pytestmark = pytest.mark.django_db


def rows(client, user, query=""):
    client.force_login(user)
    response = client.get("/ledger/" + query)
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index("<tbody>") : body.index("</tbody>")]


def test_a_row_names_the_village_its_status_plan_and_link(client, county_admin, rectifying_case):
    body = rows(client, county_admin)
    link = f'<a href="/ledger/{rectifying_case.pk}/">'
    assert link in body
    assert "梅厂镇" in body
    assert '<span class="badge text-bg-warning">整顿中</span>' in body
    assert '<span class="badge text-bg-success">已审批</span>' in body
    assert "李秀英" in body
    assert "2026-12-31" in body


def test_a_village_name_is_text_not_markup(client, county_admin, case_a):
    Village.objects.filter(pk=case_a.village_id).update(name='<b onclick="x()">一村</b>')
    body = rows(client, county_admin)
    assert "<b onclick" not in body
    assert "&lt;b onclick=&#34;x()&#34;&gt;一村&lt;/b&gt;" in body


def test_a_relapse_and_a_case_without_plan_say_so_in_chinese(client, county_admin, case_a):
    Case.objects.filter(pk=case_a.pk).update(listing=2)
    body = rows(client, county_admin)
    assert 'title="销号后再次列入">第 2 次列入</span>' in body
    assert '<span class="text-muted">尚无方案</span>' in body
    assert '<span class="badge text-bg-secondary">已列入</span>' in body


def test_rows_have_tick_boxes_for_the_batch_and_an_empty_list_says_so(client, county_admin, case_a):
    """The county administrator has batch actions: each row has its tick box, bound to
    the batch form; a filter matching nothing says so across the table's nine columns."""
    body = rows(client, county_admin)
    assert f'name="ids" value="{case_a.pk}" form="batch-form"' in body
    empty = rows(client, county_admin, "?status=closed")
    assert '<tr><td colspan="9" class="text-muted">没有符合条件的整顿对象。</td></tr>' in empty
    assert "form-check-input" not in empty
