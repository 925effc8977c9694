"""The inspection part of the demo: a closed third-quarter round with its circular
published and acknowledged, an active fourth-quarter round for the demo inspector with
open findings, and the third quarter's report. Runs once."""

from datetime import date

from inspections import services
from inspections.choices import RoundKind, RoundStatus, Severity
from inspections.models import InspectionRound
from portal.jobs import run
from rectification.choices import CaseStatus
from rectification.models import Case, Category
from villages.models import Division

PROBLEMS = [
    ("组织制度形同虚设、不开展组织活动", "“三会一课”记录不全，部分会议无签到", Severity.SERIOUS),
    ("村务监督和民主管理混乱", "村务公开栏内容未按季度更新", Severity.MINOR),
    ("无集体经济收入、服务群众能力弱", "设施农业项目进度滞后于方案", Severity.SERIOUS),
]


def load(*, county, inspector, organizers):
    wuqing = Division.objects.get(pk="120114")
    if InspectionRound.objects.filter(county=wuqing).exists():
        return 0
    categories = {c.name: c for c in Category.objects.filter(division__isnull=True)}
    villages = [
        case.village
        for case in Case.objects.filter(campaign__year=2026)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("village")
        .order_by("village")
    ]
    rounds = []
    for quarter, kind, start, end, status in (
        (3, RoundKind.CENTRALISED, date(2026, 8, 3), date(2026, 8, 21), RoundStatus.CLOSED),
        (4, RoundKind.UNANNOUNCED, date(2026, 11, 2), date(2026, 11, 30), RoundStatus.ACTIVE),
    ):
        inspection = services.round_create(
            acting_user=county,
            county=wuqing,
            year=2026,
            quarter=quarter,
            kind=kind,
            starts_on=start,
            ends_on=end,
        )
        team = services.team_save(
            acting_user=county,
            inspection=inspection,
            name="第一督查组",
            leader="赵立新",
            members=[inspector],
        )
        services.draw_villages(
            acting_user=county,
            inspection=inspection,
            count=min(5, len(villages)),
            seed=f"2026Q{quarter}",
        )
        services.round_move(acting_user=county, inspection=inspection, to=RoundStatus.ACTIVE)
        for index, village in enumerate(team.villages.order_by("code")[:4]):
            visit = services.visit_record(
                acting_user=inspector,
                team=team,
                village=village,
                visited_on=start.replace(day=start.day + index),
                unannounced=kind == RoundKind.UNANNOUNCED,
                summary="查阅“三会一课”记录和村务公开资料，走访党员群众6户。",
                score=70 + index * 5,
            )
            # Households asked whether they know the village's first secretary (群众知晓率).
            services.awareness_record(
                acting_user=inspector,
                visit=visit,
                households_asked=10,
                households_aware=(8, 5, 9, 3)[index],
            )
            category, description, severity = PROBLEMS[index % len(PROBLEMS)]
            finding = services.finding_add(
                acting_user=inspector,
                visit=visit,
                category=categories[category],
                description=description,
                severity=severity,
                deadline=date(2026, 9, 30) if quarter == 3 else date(2026, 12, 31),
            )
            organizer = organizers.get(village.township_id, county)
            if quarter == 3:
                services.finding_answer(
                    acting_user=organizer,
                    finding=finding,
                    response="已督促村党支部补齐会议记录并建立台账。",
                )
                if index % 2 == 0:
                    services.finding_verify(acting_user=inspector, finding=finding)
        if status == RoundStatus.CLOSED:
            circular = services.circular_draft(acting_user=county, inspection=inspection)
            services.circular_publish(acting_user=county, circular=circular)
            for organizer in organizers.values():
                services.circular_acknowledge(acting_user=organizer, circular=circular)
            services.round_move(acting_user=county, inspection=inspection, to=RoundStatus.CLOSED)
        rounds.append(inspection)
    run("quarterly_report", date(2026, 7, 1))
    return len(rounds)
