"""Evidence files: type checked by content, size limited, downloaded only within scope."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import Attachment
from rectification import services
from rectification.models import CaseEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return data.getvalue()


def upload(client, case, name, content, **extra):
    return client.post(
        reverse("case_evidence", args=[case.pk]),
        {"file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("会议记录.pdf", PDF), ("照片.png", PNG), ("整改报告.docx", docx())],
)
def test_an_organizer_adds_evidence_and_it_downloads_as_uploaded(
    client, alice, case_a, name, content
):
    client.force_login(alice)
    response = upload(client, case_a, name, content)
    assert "已添加" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_name == name and attachment.scope_code == case_a.village_id
    download = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == content
    assert CaseEvent.objects.filter(case=case_a, action="evidence_added").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.pdf", b"MZ\x90\x00 an executable", "只接受"),
        ("假照片.pdf", PNG, "不符"),
        ("表格.xlsx", docx(), "不符"),
        ("空.pdf", b"", "空"),
    ],
    ids=["executable-named-pdf", "png-named-pdf", "docx-named-xlsx", "empty"],
)
def test_a_file_whose_content_is_not_allowed_is_refused(
    client, alice, case_a, name, content, message
):
    client.force_login(alice)
    response = upload(client, case_a, name, content)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, alice, case_a, settings):
    settings.ATTACHMENT_MAX_MB = 0
    client.force_login(alice)
    response = upload(client, case_a, "会议记录.pdf", PDF)
    assert "超过" in response.content.decode() and not Attachment.objects.exists()


def test_another_township_can_neither_add_nor_download(client, alice, bob, case_a):
    client.force_login(alice)
    upload(client, case_a, "会议记录.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(bob)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404
    response = client.post(
        reverse("case_evidence", args=[case_a.pk]),
        {"file": SimpleUploadedFile("x.pdf", PDF)},
    )
    assert response.status_code == 404


def test_a_first_secretary_adds_evidence_only_to_their_own_task(client, rectifying_case, secretary):
    mine, theirs = rectifying_case.plan.tasks.order_by("order")
    mine.assignee = secretary
    mine.save()
    client.force_login(secretary)
    upload(client, rectifying_case, "入户走访.pdf", PDF, task=mine.pk)
    assert Attachment.objects.get().object_id == mine.pk
    # The page offers only his own task; another one posted anyway is refused under the
    # field, and the service refuses it too (the API's and any other caller's check).
    page = client.get(reverse("case_detail", args=[rectifying_case.pk])).content.decode()
    assert f'<option value="{mine.pk}"' in page
    assert f'<option value="{theirs.pk}"' not in page
    assert "整体" not in page.split('id="evidence-task"')[1].split("</select>")[0]
    response = client.post(
        reverse("case_evidence", args=[rectifying_case.pk]),
        {"file": SimpleUploadedFile("x.pdf", PDF), "task": theirs.pk},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            case=rectifying_case,
            acting_user=secretary,
            upload=SimpleUploadedFile("x.pdf", PDF),
            task=theirs,
        )
    assert Attachment.objects.count() == 1


def test_the_api_takes_evidence_with_the_same_checks(client, alice, case_a):
    client.force_login(alice)
    url = reverse("case-evidence", args=[case_a.pk])
    good = client.post(url, {"file": SimpleUploadedFile("会议记录.pdf", PDF)})
    assert good.status_code == 201 and good.json()["kind"] == "pdf"
    bad = client.post(url, {"file": SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00")})
    assert bad.status_code == 400 and "file" in bad.json()
    assert Attachment.objects.count() == 1
