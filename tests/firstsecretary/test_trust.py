"""Work logs that can be trusted (请核实): near-duplicate entries and reused photos, shown to
the county side by side as signals to check, within the reader's scope."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw

from firstsecretary import services, similarity
from firstsecretary.models import Assignment, WorkLog, WorkLogPhoto
from firstsecretary.selectors import near_duplicate_logs, reused_photos
from portal.scoping import Scope

# 2026-11-20 10:00 in Beijing.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)

DIARY = (
    "上午到村委会与村两委班子研究冬季防火和困难群众取暖问题，下午入户走访了五户低保户和"
    "两户独居老人，帮助解决了取暖煤发放不及时的问题。"
)
# The same day's entry with three characters changed, as if copied and touched up.
DIARY_EDITED = DIARY.replace("五户", "六户").replace("两户独居", "三户独居")
OTHER = (
    "参加镇党委组织的乡村振兴专题培训，学习设施农业和村集体经济发展的先进经验，"
    "晚上整理笔记并与村支书商量明年春耕的合作社用工安排。"
)


def picture(colour=(196, 222, 184), roof=(170, 60, 50), size=(800, 600), shape="house"):
    """A small drawn photo: fields, and a house or a round tank."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, h * 6 // 10, w, h), fill=(120, 160, 90))
    if shape == "house":
        draw.rectangle((w // 4, h // 3, w * 3 // 5, h * 2 // 3), fill=(230, 226, 214))
        draw.polygon([(w // 5, h // 3), (w * 2 // 5, h // 8), (w * 2 // 3, h // 3)], fill=roof)
    else:
        draw.ellipse((w // 2, h // 10, w * 9 // 10, h // 2), fill=(40, 40, 120))
        draw.rectangle((0, 0, w // 6, h // 3), fill=(250, 250, 250))
    return image


def jpeg(image, quality=85, name="IMG_1.jpg"):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# --- The measures, on their own ------------------------------------------------------------


def test_two_texts_that_differ_by_a_few_characters_are_near_duplicates():
    pairs = similarity.near_duplicates([(1, DIARY), (2, DIARY_EDITED), (3, OTHER)], 0.7)
    assert [(a, b) for a, b, _s in pairs] == [(1, 2)]
    assert 0.7 <= pairs[0][2] < 1


def test_two_different_texts_are_not():
    assert similarity.near_duplicates([(1, DIARY), (2, OTHER)], 0.7) == []


def test_punctuation_and_spaces_do_not_make_a_text_new():
    assert similarity.shingles("走访，低保户。") == similarity.shingles("走访 低保户")


def test_the_same_image_resized_and_re_encoded_keeps_its_hash_a_different_one_does_not():
    original = similarity.photo_hash(picture())
    copy = Image.open(jpeg(picture().resize((400, 300)), quality=40))
    other = similarity.photo_hash(picture(shape="tank"))
    assert similarity.distance(original, similarity.photo_hash(copy)) <= 6
    assert similarity.distance(original, other) > 6
    pairs = similarity.reused_photos(
        [(1, original), (2, similarity.photo_hash(copy)), (3, other)], 6
    )
    assert [(a, b) for a, b, _d in pairs] == [(1, 2)]


def test_hashes_a_few_bits_apart_are_found_through_their_bands():
    # 0x...0f and 0x...00 differ in 4 bits, all in the lowest band.
    assert similarity.reused_photos([(1, "00000000000000ff"), (2, "00000000000000f0")], 4) == [
        (1, 2, 4)
    ]
    assert similarity.reused_photos([(1, "00000000000000ff"), (2, "0000000000000000")], 4) == []


# --- The selectors and pages ---------------------------------------------------------------


@pytest.fixture
def two_secretaries(posted, add_secretary, county_admin, village_b):
    """The demo-like pair: the first secretary of village A (township A) and another posted
    to village B (township B), each with a log in November."""
    other = add_secretary("王磊")
    services.assignment_start(
        acting_user=county_admin,
        secretary=other,
        village=village_b,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    return posted, other


def write(person, day, text):
    return WorkLog.objects.create(
        assignment=Assignment.objects.get(secretary=person),
        date=day,
        kind="visit",
        summary=text,
        households_visited=5,
    )


def test_the_county_sees_an_entry_copied_by_another_secretary_side_by_side(
    client, two_secretaries, county_admin
):
    mine, theirs = two_secretaries
    first = write(mine, date(2026, 11, 3), DIARY)
    second = write(theirs, date(2026, 11, 10), DIARY_EDITED)
    write(theirs, date(2026, 11, 11), OTHER)
    write(mine, date(2026, 11, 12), "入户走访")  # short: routine lines repeat honestly
    write(theirs, date(2026, 11, 13), "入户走访")
    with time_machine.travel(NOW, tick=False):
        pairs = near_duplicate_logs(scope=Scope.of(county_admin), today=TODAY)
        client.force_login(county_admin)
        page = client.get(reverse("trust_review")).content.decode()
    assert [(p.first, p.second, p.same_secretary) for p in pairs] == [(first, second, False)]
    assert DIARY in page and DIARY_EDITED in page
    assert reverse("secretary_detail", args=[theirs.pk]) in page
    assert 'data-count="1"' in page


def test_a_township_does_not_see_a_pair_with_an_entry_outside_it(two_secretaries, alice):
    mine, theirs = two_secretaries
    write(mine, date(2026, 11, 3), DIARY)
    write(theirs, date(2026, 11, 10), DIARY_EDITED)
    with time_machine.travel(NOW, tick=False):
        assert near_duplicate_logs(scope=Scope.of(alice), today=TODAY) == []


def test_entries_older_than_the_window_are_not_compared(two_secretaries, county_admin, settings):
    settings.TRUST_WINDOW_MONTHS = 2  # October and November
    mine, theirs = two_secretaries
    write(mine, date(2026, 9, 30), DIARY)
    write(theirs, date(2026, 11, 10), DIARY_EDITED)
    with time_machine.travel(NOW, tick=False):
        assert near_duplicate_logs(scope=Scope.of(county_admin), today=TODAY) == []


def test_an_uploaded_photo_keeps_its_hash_and_the_same_picture_on_another_day_is_flagged(
    client, posted, secretary, county_admin
):
    with time_machine.travel(NOW, tick=False):
        monday = write(posted, date(2026, 11, 16), "走访")
        tuesday = write(posted, date(2026, 11, 17), "走访")
        wednesday = write(posted, date(2026, 11, 18), "走访")
        services.worklog_photos_add(acting_user=secretary, log=monday, uploads=[jpeg(picture())])
        services.worklog_photos_add(
            acting_user=secretary,
            log=tuesday,
            uploads=[jpeg(picture().resize((640, 480)), quality=50, name="IMG_2.jpg")],
        )
        services.worklog_photos_add(
            acting_user=secretary, log=wednesday, uploads=[jpeg(picture(shape="tank"))]
        )
        pairs = reused_photos(scope=Scope.of(county_admin), today=TODAY)
        client.force_login(county_admin)
        page = client.get(reverse("secretary_detail", args=[posted.pk])).content.decode()
    assert all(len(photo.phash) == 16 for photo in WorkLogPhoto.objects.all())
    assert [(p.first.log, p.second.log, p.same_secretary) for p in pairs] == [
        (monday, tuesday, True)
    ]
    # The figure on the secretary's page, with its link to the pair.
    assert "1 对照片为同一张" in page
    assert f"{reverse('trust_review')}?secretary={posted.pk}" in page


def test_a_first_secretary_is_not_shown_the_signals(client, posted, secretary):
    client.force_login(secretary)
    assert client.get(reverse("trust_review")).status_code == 403
    page = client.get(reverse("secretary_detail", args=[posted.pk])).content.decode()
    assert 'id="trust"' not in page


def test_the_pages_name_the_signals_to_check_not_verdicts(client, county_admin):
    with time_machine.travel(NOW, tick=False):
        client.force_login(county_admin)
        page = client.get(reverse("trust_review")).content.decode()
    assert "请核实" in page and "不作为结论" in page
