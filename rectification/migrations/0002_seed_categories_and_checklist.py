"""Seed the problem categories and the default acceptance checklist.

Categories: the ten situations of weak and lax village Party organisations named by the
central organization department, and the four classes of class-3 gacha villages in seed
004 (Inner Mongolia). The checklist sums to 100 points; the pass mark (70) is a setting.
Both are edited later by the county; this runs once.
"""

from django.db import migrations

CENTRAL = [
    "党组织书记不胜任现职、工作不在状态、严重影响班子整体战斗力",
    "党组织书记长期缺职、班子不团结、内耗严重、工作处于停滞状态",
    "组织制度形同虚设、不开展组织活动",
    "换届选举拉票贿选问题突出",
    "宗族宗教和黑恶势力干扰渗透严重",
    "村务监督和民主管理混乱",
    "社会治安问题和信访矛盾纠纷集中",
    "村“两委”关系不协调、互相掣肘，工作不能正常开展",
    "无集体经济收入、服务群众能力弱",
    "党员队伍管理松散、党员作用发挥不明显",
]
CLASS_THREE = ["软弱涣散", "财务管理混乱", "经济社会发展落后", "矛盾问题较为突出"]
CHECKLIST = [
    ("班子建设：书记选优配强，“两委”班子团结协作", 20),
    ("组织生活：“三会一课”、主题党日等制度落实", 15),
    ("党员管理：党员教育管理规范，作用发挥明显", 10),
    ("村务管理：村务财务公开，民主决策和监督规范", 15),
    ("发展成效：集体经济和发展项目取得实效", 15),
    ("矛盾化解：信访矛盾和突出问题得到解决", 15),
    ("台账资料：整顿方案、任务书和记录齐全", 10),
]


def seed(apps, schema_editor):
    Category = apps.get_model("rectification", "Category")
    Criterion = apps.get_model("rectification", "AcceptanceCriterion")
    for order, name in enumerate(CENTRAL, start=1):
        Category.objects.get_or_create(name=name, defaults={"group": "central", "order": order})
    for order, name in enumerate(CLASS_THREE, start=1):
        Category.objects.get_or_create(
            name=name, defaults={"group": "class_three", "order": order}
        )
    if not Criterion.objects.exists():
        for order, (name, points) in enumerate(CHECKLIST, start=1):
            Criterion.objects.create(name=name, points=points, order=order)


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
