"""Load the demo: Wuqing District's real divisions and one user per role.

Safe to run again: divisions are upserted, users are found by name and their demo
password reset, village facts are only filled where still empty; a second run changes
no row of any table (the audit trail's included).
"""

import random
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from firstsecretary import demo as secretary_demo
from home import demo as dossier_demo
from inspections import demo as inspection_demo
from portal.choices import Role
from portal.models import User
from rectification import demo as ledger_demo
from rectification.models import Case
from villages import demo as activity_demo
from villages.choices import PartyOrgType, VillageKind
from villages.models import Village
from villages.services import divisions_import

FIXTURE = Path(settings.BASE_DIR) / "villages" / "fixtures" / "wuqing"
TIANJIN = "12"  # 天津市, the province-level municipality above Wuqing
COUNTY = "120114"  # 武清区
TOWNSHIP_A = "120114101"  # 梅厂镇
TOWNSHIP_B = "120114102"  # 大碱厂镇
DEMO_PASSWORD = "wuqing-demo-2026"

# username, full name, role, division, village code (first secretaries only)
DEMO_USERS = (
    # 天津市委组织部: makes Wuqing's administrators and leaders, sets Tianjin-wide categories.
    ("tianjin", "周文斌", Role.COUNTY_ADMIN, TIANJIN, None),
    ("county", "张建华", Role.COUNTY_ADMIN, COUNTY, None),
    ("meichang", "李秀英", Role.TOWNSHIP_ORGANIZER, TOWNSHIP_A, None),
    ("dajianchang", "王志刚", Role.TOWNSHIP_ORGANIZER, TOWNSHIP_B, None),
    ("inspector", "赵立新", Role.INSPECTOR, COUNTY, None),
    ("secretary", "刘洋", Role.FIRST_SECRETARY, TOWNSHIP_A, "first-village-of-A"),
    ("leader", "陈国庆", Role.VIEWER, COUNTY, None),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = [
    "建国",
    "志强",
    "秀英",
    "桂兰",
    "海燕",
    "立新",
    "国庆",
    "春生",
    "玉兰",
    "德明",
    "振华",
    "红梅",
    "永刚",
    "凤英",
    "宝山",
    "金龙",
    "淑珍",
    "长青",
    "庆丰",
    "树林",
    "学军",
    "丽娟",
    "保国",
    "俊杰",
]


class Command(BaseCommand):
    help = (
        "Load the Wuqing District demo: real divisions, one user per role (and Tianjin's "
        "municipal department above Wuqing), village facts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run even when DJANGO_DEBUG is false"
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo sets well-known passwords; run it only with DJANGO_DEBUG=true "
                "(or --force on a throw-away database)."
            )
        result = divisions_import(source_dir=FIXTURE, prefix=COUNTY)
        self.stdout.write(f"Wuqing District divisions: {result.total} records upserted.")
        with transaction.atomic():
            filled = self._fill_village_facts()
            users = self._users()
            by_name = {user.username: user for user in users}
            ledger_demo.load_province(tianjin=by_name["tianjin"])
            cases = ledger_demo.load(
                county=by_name["county"],
                organizers={TOWNSHIP_A: by_name["meichang"], TOWNSHIP_B: by_name["dajianchang"]},
                secretary=by_name["secretary"],
            )
            secretaries = secretary_demo.load(
                county=by_name["county"], secretary_user=by_name["secretary"]
            )
            organizers = {TOWNSHIP_A: by_name["meichang"], TOWNSHIP_B: by_name["dajianchang"]}
            plans = activity_demo.load(organizers=organizers)
            # Three townships urged (催报) for next month's plans: the board shows them.
            activity_demo.urgings(county=by_name["county"])
            rounds = inspection_demo.load(
                county=by_name["county"], inspector=by_name["inspector"], organizers=organizers
            )
            # One village whose file (一村一档) shows every part: the relapse's whole history.
            dossier_demo.load(county=by_name["county"], inspector=by_name["inspector"])
            # The venues of the two townships' villages (and of the file's village, entered
            # by the county): the register, the village pages and a dashboard figure.
            the_village = dossier_demo.the_village()
            venues = activity_demo.venues(
                organizers={**organizers, the_village.township_id: by_name["county"]},
                villages=[the_village, *_venue_villages(list(organizers))],
            )
        self.stdout.write(f"Village facts filled in for {filled} villages.")
        self.stdout.write(f"Ledger: {cases} cases filed in the 2025 and 2026 campaigns.")
        self.stdout.write(f"First secretaries: {secretaries} on the roster.")
        self.stdout.write(f"Activity plans: {plans} monthly plans of six townships.")
        self.stdout.write(f"Inspections: {rounds} rounds filed.")
        self.stdout.write(f"Activity venues: {venues} entered.")
        village = dossier_demo.the_village()
        self.stdout.write(
            f"Village file (一村一档) with every part: /villages/{village.code}/file/ "
            f"({village.name})."
        )
        self.stdout.write(
            "Dashboard: /dashboard/; its figures as JSON: /api/v1/statistics/summary/ "
            "(and funnel/, categories/, ranking/, activity-plans/; ?year=, ?campaign=, ?area=)."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD})"))
        for user in users:
            where = user.village.name if user.village_id else user.division.name
            self.stdout.write(f"  {user.username:<12} {user.role_title:<10} {where}")
        self.stdout.write("  admin        Django admin (superuser)")

    def _fill_village_facts(self):
        """Plausible households, members and secretaries, the same on every run."""
        villages = list(Village.objects.filter(code__startswith=COUNTY, households__isnull=True))
        for village in villages:
            rng = random.Random(village.code)
            village.households = rng.randint(180, 1400)
            village.population = village.households * rng.randint(26, 34) // 10
            village.party_members = max(12, village.households * rng.randint(4, 9) // 100)
            village.party_org_type = (
                PartyOrgType.GENERAL_BRANCH if village.party_members > 50 else PartyOrgType.BRANCH
            )
            village.secretary_name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        Village.objects.bulk_update(
            villages,
            ["households", "population", "party_members", "party_org_type", "secretary_name"],
            batch_size=500,
        )
        return len(villages)

    def _users(self):
        users = []
        first_village = (
            Village.objects.filter(township_id=TOWNSHIP_A, kind=VillageKind.VILLAGE)
            .order_by("code")
            .first()
        )
        for username, name, role, division, village in DEMO_USERS:
            user = _demo_user(
                username,
                display_name=name,
                role=role,
                division_id=division,
                village_id=first_village.pk if village else None,
                is_active=True,
            )
            users.append(user)
        _demo_user("admin", display_name="系统管理员", is_staff=True, is_superuser=True)
        return users


def _demo_user(username, **fields):
    """Create a demo user, or bring one up to date. One whose fields and password are
    already the demo's is not saved again: every save writes a row of the audit trail."""
    user = User.objects.filter(username=username).first() or User(username=username)
    changed = user._state.adding
    for name, value in fields.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed = True
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed = True
    if changed:
        user.save()
    return user


def _venue_villages(townships):
    """Whose venues the demo enters: the villages listed in the townships and five villages
    not listed in each."""
    listed = set(
        Case.objects.filter(village__township_id__in=townships).values_list("village_id", flat=True)
    )
    chosen = []
    for township in townships:
        villages = list(Village.objects.filter(township_id=township).order_by("code"))
        chosen += [v for v in villages if v.code in listed]
        chosen += [v for v in villages if v.code not in listed][:5]
    return chosen
