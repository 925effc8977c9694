"""The ledger part of the demo: Wuqing's 2025 and 2026 campaigns, filed through the services.

Every case goes through the same services as a user would, so its history, plan and
acceptance are real. Runs once: a campaign that already has cases is left alone.
"""

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectification import services
from rectification.choices import CaseAction, CaseStatus, CategoryGroup
from rectification.models import AcceptanceCriterion, Campaign, Category, Plan
from villages.models import Village

PROBLEMS = [
    (
        "党组织书记长期缺职、班子不团结、内耗严重、工作处于停滞状态",
        "村党组织书记空缺半年，“两委”班子配合不力，重大事项议而不决。",
    ),
    (
        "组织制度形同虚设、不开展组织活动",
        "“三会一课”落实不到位，全年仅召开两次党员大会，主题党日流于形式。",
    ),
    ("村务监督和民主管理混乱", "村务财务公开不及时，村民对集体土地发包收入意见较大。"),
    (
        "无集体经济收入、服务群众能力弱",
        "村集体经济年收入不足五万元，无稳定收入来源，为民办事能力弱。",
    ),
    ("社会治安问题和信访矛盾纠纷集中", "宅基地纠纷引发集体上访三次，矛盾化解机制不健全。"),
]
MEASURES = "镇党委书记包村，选派机关干部驻村帮扶，区直部门结对，一月一调度。"
LEADERS = ["王建军", "刘志宏", "张立国", "赵德明", "孙振华"]
# Township, number of the village committee in it (by code order), final status.
CASES_2026 = [
    ("120114101", 0, "rectifying_overdue"),
    ("120114101", 1, CaseStatus.TRANSFORMED),
    ("120114101", 2, CaseStatus.ACCEPTANCE_REQUESTED),
    ("120114101", 3, "plan_submitted"),
    ("120114101", 4, CaseStatus.IDENTIFIED),
    ("120114102", 0, CaseStatus.RECTIFYING),
    ("120114102", 1, "plan_draft"),
    ("120114103", 0, CaseStatus.CLOSED),
    ("120114103", 1, "rectifying_overdue"),
    ("120114104", 0, "failed_once"),
    ("120114105", 0, CaseStatus.RECTIFYING),
    # Two plans awaiting approval: the county's bulk approval has something to decide.
    ("120114106", 0, "plan_submitted"),
    ("120114109", 0, "relapse"),
]


# A one-page PDF standing in for a scanned rectification report.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _village(township, index):
    return Village.objects.filter(township_id=township, kind="village").order_by("code")[index]


def _scores(total):
    result, left = {}, total
    for criterion in AcceptanceCriterion.objects.filter(active=True):
        result[str(criterion.pk)] = min(criterion.points, left)
        left -= result[str(criterion.pk)]
    return result


# Tianjin's own problem category, which Wuqing (and every district of Tianjin) inherits.
TIANJIN_CATEGORY = "宗族宗派和黑恶势力干扰村务"


def load_province(*, tianjin):
    """Tianjin's municipal department (天津市委组织部) sets a problem category of its own:
    Wuqing's ledger offers it beside the national ones, and Wuqing cannot change it."""
    if Category.objects.filter(name=TIANJIN_CATEGORY).exists():
        return 0
    services.category_save(
        acting_user=tianjin, name=TIANJIN_CATEGORY, group=CategoryGroup.LOCAL, order=1
    )
    return 1


def load(*, county, organizers, secretary=None):
    """county: the county administrator; organizers: {township code: organizer}; the
    first secretary gets the first task of their village's plan."""
    categories = list(Category.objects.filter(group="central").order_by("order"))
    by_name = {c.name: c for c in categories}
    last_year, _created = Campaign.objects.get_or_create(
        division_id="120114",
        year=2025,
        defaults={"name": "武清区2025年度软弱涣散村党组织整顿", "started_on": date(2025, 3, 1)},
    )
    this_year, _created = Campaign.objects.get_or_create(
        division_id="120114",
        year=2026,
        defaults={"name": "武清区2026年度软弱涣散村党组织整顿", "started_on": date(2026, 3, 1)},
    )
    if this_year.cases.exists():
        return 0
    _ratings(county)
    _rating_import(county)
    # Last year: one village closed, which relapses this year.
    relapsed = _village("120114109", 0)
    old = _file(last_year, relapsed, county, by_name, 4, date(2025, 3, 15))
    _run_to(old, CaseStatus.CLOSED, county, county, date(2025, 6, 30), year=2025)
    count = 1
    for number, (township, index, status) in enumerate(CASES_2026):
        village = _village(township, index)
        organizer = organizers.get(township, county)
        case = _file(this_year, village, organizer, by_name, number, date(2026, 3, 10 + number))
        _run_to(case, status, organizer, county, date(2026, 6, 30), year=2026)
        count += 1
    _backdate(this_year)
    if secretary is not None and secretary.village_id:
        task = this_year.cases.get(village=secretary.village).plan.tasks.order_by("order").first()
        task.assignee = secretary
        task.save(update_fields=["assignee"])
    return count


# Days from listing to the plan's approval, and to the application for acceptance, of the
# cases that got there (in the order of their villages): the services date those steps on
# the day the demo is loaded; Wuqing's townships took their time, some longer than others,
# which the dashboard's time in each stage shows.
APPROVED_AFTER = [12, 18, 25, 30, 35, 41, 48, 60, 75]
APPLIED_AFTER = [150, 170, 190, 200]


def _backdate(campaign):
    """Date each case's plan approval and application as if done in the year, not today."""
    now = timezone.now()
    cases = campaign.cases.order_by("village_id").select_related("plan")
    # The history reads in order: listed on its day, the plan submitted five days before
    # its approval.
    for case in cases:
        case.events.filter(action="listed").update(at=_moment(case.identified_on, 0, now))
    started = [c for c in cases if c.events.filter(action="start").exists()]
    for case, days in zip(started, APPROVED_AFTER, strict=False):
        moment = _moment(case.identified_on, days, now)
        submitted = _moment(case.identified_on, days - 5, now)
        case.events.filter(action__in=("start", "plan_approved")).update(at=moment)
        case.events.filter(action="plan_submitted").update(at=submitted)
        Plan.objects.filter(pk=case.plan.pk).update(submitted_at=submitted, reviewed_at=moment)
    applied = [c for c in started if c.events.filter(action="request_acceptance").exists()]
    for case, days in zip(applied, APPLIED_AFTER, strict=False):
        case.events.filter(action="request_acceptance").update(
            at=_moment(case.identified_on, days, now)
        )


def _moment(day, days, now):
    """`days` after `day` (at 9 on the day itself, else at 10), in the portal's time zone,
    and not after `now`."""
    hour = time(9) if days == 0 else time(10)
    moment = timezone.make_aware(datetime.combine(day + timedelta(days=days), hour))
    return min(moment, now)


def _file(campaign, village, user, by_name, number, listed_on):
    name, problem = PROBLEMS[number % len(PROBLEMS)]
    return services.case_create(
        acting_user=user,
        campaign=campaign,
        village=village,
        categories=[by_name[name]],
        basic_situation=f"{village.name}共有党员{village.party_members or 30}名，"
        f"户籍{village.households or 500}户。",
        problems=problem,
        measures=MEASURES,
        responsible_person=village.secretary_name or "村党组织书记",
        township_leader=LEADERS[number % len(LEADERS)],
        county_leader=LEADERS[(number + 2) % len(LEADERS)],
        identified_on=listed_on,
        deadline=date(campaign.year, 12, 31),
    )


def _run_to(case, status, organizer, county, due, *, year):
    if status == CaseStatus.IDENTIFIED:
        return
    tasks = [
        {"measure": "选优配强村党组织书记，配齐“两委”班子", "owner": "镇党委", "due_on": due},
        {
            "measure": "建立“三会一课”台账，每月开展主题党日",
            "owner": "村党支部",
            "due_on": date(year, 10, 31),
        },
        {
            "measure": "落实村务财务公开，健全村务监督委员会",
            "owner": "包村干部",
            "due_on": date(year, 12, 15),
        },
    ]
    services.plan_save(
        case=case, acting_user=organizer, version=1, goal="年底前实现转化", tasks=tasks
    )
    if status == "plan_draft":
        return
    services.plan_submit(case=case, acting_user=organizer)
    if status == "plan_submitted":
        return
    services.plan_review(case=case, acting_user=county, approve=True, comment="同意，抓紧落实。")
    first, second, _third = case.plan.tasks.order_by("order")
    if status != "rectifying_overdue":
        services.task_progress(
            task=first,
            acting_user=organizer,
            progress=100,
            note="已选配到位",
            completed_on=date(year, 6, 20),
        )
    services.task_progress(task=second, acting_user=organizer, progress=60, note="已按月开展")
    if status in (CaseStatus.RECTIFYING, "rectifying_overdue", "relapse"):
        return
    services.case_transition(case=case, action=CaseAction.REQUEST_ACCEPTANCE, acting_user=organizer)
    if status == "failed_once":
        services.acceptance_record(
            case=case,
            acting_user=county,
            reviewed_on=date(year, 10, 20),
            scores=_scores(62),
            satisfaction=71,
            conclusion="集体经济增收措施未见实效，继续整顿。",
        )
        return
    services.evidence_add(
        case=case,
        acting_user=organizer,
        upload=SimpleUploadedFile(f"{case.village.name}整改情况报告.pdf", _PDF),
    )
    if status == CaseStatus.ACCEPTANCE_REQUESTED:
        return
    services.acceptance_record(
        case=case,
        acting_user=county,
        reviewed_on=date(year, 10, 25),
        scores=_scores(86),
        satisfaction=93.5,
        conclusion="班子团结有力，组织生活规范，群众认可。",
    )
    if status == CaseStatus.CLOSED:
        services.case_transition(
            case=case,
            action=CaseAction.CLOSE,
            acting_user=county,
            on=date(year, 11, 10),
            comment="巩固提升期满，予以销号。",
        )


def _rating_import(county):
    """Last year's ratings of 150 villages uploaded as one workbook and checked, not yet
    confirmed: the preview's two pages show two errors by row and cell (an unknown code, 11
    stars), and the rows with errors download as a workbook (screening → import)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from portal import imports
    from rectification.imports import RATING_IMPORT

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(RATING_IMPORT.headers)
    villages = Village.objects.filter(code__startswith="120114").order_by("code")[:150]
    for index, village in enumerate(villages):
        code, stars = village.code, 2 + int(village.code) % 9
        if index == 17:
            code = "120114999999"
        elif index == 121:
            stars = 11
        sheet.append([code, village.name, 2025, stars])
    content = io.BytesIO()
    book.save(content)
    imports.batch_create(
        spec=RATING_IMPORT,
        upload=SimpleUploadedFile("武清区2025年度星级评定.xlsx", content.getvalue()),
        context={},
        scope_code="120114",
        acting_user=county,
    )


def _ratings(county):
    """2026 star ratings for the villages of four townships: the listed ones are class 3,
    and a few class-3 villages are still waiting on the screening page."""
    listed = {(township, index) for township, index, _status in CASES_2026}
    for township in ("120114101", "120114102", "120114103", "120114104"):
        villages = Village.objects.filter(township_id=township, kind="village").order_by("code")
        for index, village in enumerate(villages[:12]):
            if (township, index) in listed:
                stars = 2 + index % 3
            elif index in (7, 9):
                stars = 3 + index % 2  # class 3, not yet listed: a candidate
            else:
                stars = 5 + (int(village.code) % 5)
            services.rating_set(acting_user=county, village=village, year=2026, stars=stars)
