"""The first-secretary part of the demo: Wuqing's roster, postings to the listed villages,
two months of work logs, evaluations and each case's supporters, through the services.
Runs once: a county that already has dispatching units is left alone."""

import random
from datetime import date, timedelta

from django.utils import timezone

from firstsecretary import services
from firstsecretary.choices import ProjectStatus, SupportKind
from firstsecretary.models import DispatchUnit
from portal.months import previous_month
from rectification.choices import CaseStatus
from rectification.models import Case
from villages.models import Division, Village

UNITS = [
    ("区委组织部", "county", "party"),
    ("区财政局", "county", "government"),
    ("区农业农村委", "county", "government"),
    ("区人民医院", "county", "institution"),
    ("国网天津武清供电公司", "city", "enterprise"),
    ("区市场监管局", "county", "government"),
]
PEOPLE = [
    ("刘洋", "male", 1989, "undergraduate"),
    ("王磊", "male", 1986, "postgraduate"),
    ("陈晓燕", "female", 1990, "undergraduate"),
    ("张卫东", "male", 1982, "undergraduate"),
    ("李娜", "female", 1992, "postgraduate"),
    ("赵志勇", "male", 1985, "college"),
    ("孙丽", "female", 1988, "undergraduate"),
    ("周建新", "male", 1980, "undergraduate"),
]
SUMMARIES = [
    "入户走访困难党员和低保户，了解生产生活情况。",
    "参加村“两委”会议，研究集体经济发展项目。",
    "组织主题党日活动，学习党的二十届三中全会精神。",
    "调解邻里宅基地纠纷，双方达成一致意见。",
    "与帮扶企业对接设施农业大棚项目用工需求。",
]
# The work logs to look at (请核实): one secretary's long entry, copied by another with a
# few words changed some days later.
COPIED = (
    "上午到村委会与村“两委”班子研究冬季防火和困难群众取暖问题，下午入户走访了五户低保户和"
    "两户独居老人，详细了解他们的生活状况，帮助解决了取暖煤发放不及时的问题。"
)
COPIED_EDITED = (
    "上午到村委会与村“两委”班子研究冬季防火和困难群众取暖问题，下午入户走访了六户低保户和"
    "三户独居老人，详细了解他们的生活状况，帮助解决了取暖煤发放不及时的问题。"
)


def load(*, county, secretary_user):
    """county: the county administrator; secretary_user: the demo first secretary."""
    wuqing = Division.objects.get(pk="120114")
    if DispatchUnit.objects.filter(county=wuqing).exists():
        return 0
    units = [
        services.unit_save(acting_user=county, county=wuqing, name=name, level=level, kind=kind)
        for name, level, kind in UNITS
    ]
    cases = list(
        Case.objects.filter(campaign__year=2026).select_related("village").order_by("village")
    )
    # The demo user's village first, then the others; three cases stay without one.
    cases.sort(key=lambda case: case.village_id != secretary_user.village_id)
    today = timezone.localdate()
    for index, (name, gender, born, education) in enumerate(PEOPLE):
        person = services.secretary_save(
            acting_user=county,
            county=wuqing,
            name=name,
            gender=gender,
            birth_year=born,
            education=education,
            unit=units[index % len(units)],
            position="科员" if index % 2 else "副科长",
            phone=f"1380222{index:04d}",
            user=secretary_user if index == 0 else None,
        )
        if index >= len(cases) - 3:
            continue
        posting = services.assignment_start(
            acting_user=county,
            secretary=person,
            village=cases[index].village,
            started_on=date(2026, 3, 1),
            planned_end=date(2028, 2, 29),
        )
        _logs(posting, person, index, today)
        if index in (1, 2):
            _copied(
                posting,
                COPIED if index == 1 else COPIED_EDITED,
                today - timedelta(days=12 - index * 3),
            )
        if index == 0:
            _photo(secretary_user, posting, today)
        services.evaluation_set(
            acting_user=county,
            secretary=person,
            year=2025,
            grade=("excellent", "competent", "competent", "basic")[index % 4],
        )
    _support(county, cases)
    return len(PEOPLE)


def _logs(posting, person, index, today):
    """Two months of days; secretaries 3 and 6 spend too few days in the village."""
    from firstsecretary.models import WorkLog

    rng = random.Random(person.name)
    start = previous_month(today)
    day, logs = start, []
    # The demo user has not written today yet: his page offers it in one tap.
    last = today - timedelta(days=1) if index == 0 else today
    while day <= last:
        on_site = rng.random() < (0.45 if index in (3, 6) else 0.92)
        if day.weekday() < 6 and day >= posting.started_on:
            logs.append(
                WorkLog(
                    assignment=posting,
                    date=day,
                    on_site=on_site,
                    households_visited=rng.randint(2, 9) if on_site else 0,
                    kind="visit" if on_site else "study",
                    summary=rng.choice(SUMMARIES) if on_site else "在派出单位参加业务培训。",
                )
            )
        day += timedelta(days=1)
    WorkLog.objects.bulk_create(logs)


def _copied(posting, text, before):
    """The entry of the posting's last day in the village before `before` says `text`."""
    log = posting.logs.filter(date__lt=before, on_site=True).first()
    if log is not None:
        log.summary = text
        log.save(update_fields=["summary"])


def _photo(user, posting, today):
    """A photo on the demo user's latest day, as a phone takes it (large, with its time in
    EXIF): resized and stripped by the service like any upload. The day before shows the
    same picture again, saved smaller: a reused photo for the county to look at (请核实)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    days = list(posting.logs.filter(date__gte=today - timedelta(days=services.CORRECTION_DAYS))[:2])
    if not days:
        return
    log = days[0]
    image = Image.new("RGB", (2400, 1800), (196, 222, 184))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 1100, 2400, 1800), fill=(120, 160, 90))  # fields
    draw.rectangle((700, 600, 1500, 1200), fill=(230, 226, 214))  # the village office
    draw.polygon([(620, 620), (1100, 300), (1580, 620)], fill=(170, 60, 50))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = f"{log.date:%Y:%m:%d} 09:30:00"
    content = io.BytesIO()
    image.save(content, "JPEG", quality=80, exif=exif)
    upload = SimpleUploadedFile("IMG_0412.jpg", content.getvalue(), content_type="image/jpeg")
    services.worklog_photos_add(acting_user=user, log=log, uploads=[upload])
    if len(days) > 1:
        again = io.BytesIO()
        image.resize((1200, 900)).save(again, "JPEG", quality=60)
        upload = SimpleUploadedFile("IMG_0398.jpg", again.getvalue(), content_type="image/jpeg")
        services.worklog_photos_add(acting_user=user, log=days[1], uploads=[upload])


def _support(county, cases):
    mentor_village = Village.objects.filter(township_id="120114110", kind="village").first()
    for index, case in enumerate(cases):
        if case.status == CaseStatus.CLOSED:
            continue
        complete = index % 3 != 2
        services.support_add(
            acting_user=county,
            case=case,
            kind=SupportKind.ENTERPRISE,
            name="天津武清某农业科技公司",
        )
        # The county-level leader and the township leader's contact point came with the
        # ledger row (rectification.demo): the same support links, not added twice.
        if complete:
            services.support_add(
                acting_user=county, case=case, kind=SupportKind.DEPARTMENT, name="区农业农村委"
            )
            services.support_add(
                acting_user=county,
                case=case,
                kind=SupportKind.PROJECT,
                name="设施农业大棚",
                amount=60 + index * 5,
                project_status=ProjectStatus.UNDERWAY if index % 2 else ProjectStatus.PLANNED,
            )
        if index < 3 and mentor_village is not None:
            services.support_add(
                acting_user=county,
                case=case,
                kind=SupportKind.MENTOR,
                name="城关镇优秀村书记",
                mentor_village=mentor_village,
            )
