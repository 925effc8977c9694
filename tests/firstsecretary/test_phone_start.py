"""The first secretary's start page on a phone: today's log in one tap, his village, his
tasks and his month; photos resized with their EXIF time kept and GPS dropped; a day
corrected within 7 days by its author only."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from firstsecretary import services
from firstsecretary.models import WorkLog, WorkLogPhoto
from rectification import services as rectification_services

# Monday 2026-04-20, 10:00 in Beijing.
TODAY = datetime(2026, 4, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def log(user, day, on_site=True, households=5, photos=()):
    return services.worklog_save(
        acting_user=user,
        date=day,
        on_site=on_site,
        households_visited=households if on_site else 0,
        kind="visit",
        summary="入户走访，了解群众诉求",
        photos=photos,
    )


def phone_photo(name="IMG_0001.jpg", size=(4000, 3000), fmt="JPEG", with_exif=True):
    """A photo as a phone takes it: 4000 × 3000, its time and GPS position in EXIF."""
    image = Image.new("RGB", size, (30, 120, 60))
    exif = Image.Exif()
    if with_exif:
        exif[0x0110] = "Phone X"  # Model
        exif.get_ifd(0x8769)[0x9003] = "2026:04:19 15:42:07"  # DateTimeOriginal
        exif.get_ifd(0x8825).update({1: "N", 2: (39.0, 23.0, 0.0), 3: "E", 4: (117.0, 2.0, 0.0)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif) if fmt == "JPEG" else image.save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_login_lands_the_secretary_on_his_page_and_others_at_home(
    client, posted, secretary, alice
):
    client.force_login(secretary)
    assert client.get(reverse("start"))["Location"] == reverse("my_village")
    client.force_login(alice)
    assert client.get(reverse("start"))["Location"] == reverse("home")


def test_the_start_page_shows_his_village_tasks_and_month(
    client, clock, posted, secretary, village_a, case_a, alice, county_admin
):
    rectification_services.plan_save(
        case=case_a,
        acting_user=alice,
        version=1,
        goal="一年内转化",
        tasks=[
            {
                "measure": "建强村党组织班子",
                "owner": "第一书记",
                "due_on": date(2026, 4, 10),
                "assignee": secretary,
            },
            {"measure": "规范三会一课", "owner": "村党支部", "due_on": date(2026, 6, 30)},
        ],
    )
    log(secretary, date(2026, 3, 31), households=9)  # last month: not counted
    log(secretary, date(2026, 4, 1), households=4)
    log(secretary, date(2026, 4, 2), households=7)
    log(secretary, date(2026, 4, 3), on_site=False)
    client.force_login(secretary)
    page = client.get(reverse("my_village")).content.decode()
    assert village_a.name in page and case_a.get_absolute_url() in page
    assert "建强村党组织班子" in page and "规范三会一课" not in page  # his task only
    assert "list-group-item-danger" in page  # due 04-10: overdue on 04-20
    assert '<div class="fs-4" data-tally="days">2</div>' in page
    assert '<div class="fs-4" data-tally="households">11</div>' in page
    assert '<div class="fs-4" data-tally="logged">3</div>' in page
    # Today is not written yet: the one tap opens today's form.
    assert 'data-today="missing"' in page and reverse("worklog") in page
    log(secretary, date(2026, 4, 20), households=2)
    page = client.get(reverse("my_village")).content.decode()
    assert 'data-today="written"' in page


def test_one_tap_writes_today_with_a_photo_resized_time_kept_gps_gone(
    client, clock, posted, secretary, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(secretary)
    response = client.post(
        reverse("worklog"),
        {
            "date": "2026-04-20",
            "on_site": "on",
            "households_visited": 3,
            "kind": "visit",
            "summary": "走访脱贫户",
            "photos": [phone_photo()],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("my_village")
    photo = WorkLogPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)
    assert timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M:%S") == (
        "2026-04-19 15:42:07"
    )
    with Image.open(photo.image.path) as saved:
        assert saved.size == (1600, 1200)
        exif = saved.getexif()
        assert not exif.get_ifd(0x8825) and 0x0110 not in exif  # no GPS, no EXIF at all
    served = client.get(reverse("worklog_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    edit = client.get(reverse("worklog_edit", args=[photo.log.pk])).content.decode()
    assert "2026-04-19 15:42" in edit


def test_a_photo_is_served_only_within_the_villages_scope(
    client, clock, posted, secretary, settings, tmp_path, bob, alice
):
    settings.MEDIA_ROOT = tmp_path
    entry = log(secretary, date(2026, 4, 20), photos=[phone_photo(size=(800, 600))])
    photo = entry.photos.get()
    assert (photo.width, photo.height) == (800, 600)
    client.force_login(bob)  # another township
    assert client.get(reverse("worklog_photo", args=[photo.pk])).status_code == 404
    client.force_login(alice)  # the village's township
    assert client.get(reverse("worklog_photo", args=[photo.pk])).status_code == 200


def test_a_non_image_or_a_png_named_jpeg_is_refused_and_nothing_is_saved(
    client, clock, posted, secretary, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(secretary)
    data = {
        "date": "2026-04-20",
        "on_site": "on",
        "households_visited": 3,
        "kind": "visit",
        "summary": "走访",
    }
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    page = client.post(
        reverse("worklog"), {**data, "photos": [pdf]}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    assert "只接受 JPEG 和 PNG 格式的照片" in page.content.decode()
    assert not WorkLog.objects.exists() and not WorkLogPhoto.objects.exists()
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    page = client.post(reverse("worklog"), {**data, "photos": [fake]})
    assert page.status_code == 200 and not WorkLog.objects.exists()


def test_at_most_six_photos_a_day(client, clock, posted, secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    small = [phone_photo(f"{n}.jpg", size=(40, 30)) for n in range(7)]
    with pytest.raises(ValidationError):
        log(secretary, date(2026, 4, 20), photos=small)
    assert not WorkLogPhoto.objects.exists()


@pytest.mark.parametrize(
    ("day", "allowed"), [(date(2026, 4, 13), True), (date(2026, 4, 12), False)]
)
def test_a_day_is_corrected_within_7_days_only(client, posted, secretary, day, allowed):
    with time_machine.travel(datetime(2026, 4, 14, 2, 0, tzinfo=UTC), tick=False):
        entry = log(secretary, day, households=3)
    with time_machine.travel(TODAY, tick=False):  # 04-13 is 7 days ago, 04-12 is 8
        client.force_login(secretary)
        response = client.post(
            reverse("worklog_edit", args=[entry.pk]),
            {"on_site": "on", "households_visited": 8, "kind": "visit", "summary": "补记"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    entry.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and entry.households_visited == 8
    else:
        assert response.status_code == 200
        assert "民情日记只能在7日内更正" in response.content.decode()
        assert entry.households_visited == 3


def test_only_the_author_corrects_a_day(clock, posted, secretary, alice):
    entry = log(secretary, date(2026, 4, 19))
    with pytest.raises(PermissionDenied):
        services.worklog_correct(
            acting_user=alice,
            log=entry,
            on_site=True,
            households_visited=1,
            kind="visit",
            summary="改",
        )


def test_the_secretarys_menu_is_his_few_links(client, posted, secretary, case_a):
    client.force_login(secretary)
    page = client.get(reverse("my_village"))
    labels = [item["label"] for item in page.context["nav_items"]]
    assert [str(label) for label in labels] == [
        "我的村",
        "工作台",
        "我的民情日记",
        "本村整顿档案",
        "本村一村一档",
    ]
    assert page.context["nav_items"][-2]["url"] == case_a.get_absolute_url()
    assert page.context["nav_items"][-1]["url"] == f"/villages/{case_a.village_id}/file/"
