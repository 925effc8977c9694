"""The official division import (`import_divisions` and `divisions_import`).

Good slices are cut from the Wuqing fixture (already in the session's database, see
tests/conftest.py) or typed in from the national data set (/work/shared/data/divisions,
NBS 2023 edition): Inner Mongolia's 巴拉贡镇 for gachas, Hebei's 滏阳东路街道 for a
village committee whose name contains 社区. A refusal must name the file and the line and
leave the database exactly as it was, so the bad row comes after good rows that would
otherwise create and update records. Messages are in Chinese in tests: assertions are on
paths, line numbers and codes, or on the translated text itself.
"""

import csv
import gzip
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _

from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, WUQING_FIXTURE
from villages.choices import DivisionLevel, PartyOrgType, VillageKind
from villages.models import Division, Village
from villages.services import DivisionImportError, divisions_import

pytestmark = pytest.mark.django_db

# The official headers, written out here so that a change of format fails a test.
HEADERS = {
    "provinces.csv": ["code", "name"],
    "cities.csv": ["code", "name", "provinceCode"],
    "areas.csv": ["code", "name", "cityCode", "provinceCode"],
    "streets.csv": ["code", "name", "areaCode", "provinceCode", "cityCode"],
    "villages.csv": ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
}

# 杭锦旗巴拉贡镇, Ordos, Inner Mongolia: a community, a village committee and a gacha.
BALAGONG = "150625101"
INNER_MONGOLIA = {
    "provinces.csv": [["15", "内蒙古自治区"]],
    "cities.csv": [["1506", "鄂尔多斯市", "15"]],
    "areas.csv": [["150625", "杭锦旗", "1506", "15"]],
    "streets.csv": [[BALAGONG, "巴拉贡镇", "150625", "15", "1506"]],
    "villages.csv": [
        ["150625101001", "向阳社区居委会", BALAGONG, "15", "1506", "150625"],
        ["150625101200", "查干白村委会", BALAGONG, "15", "1506", "150625"],
        ["150625101204", "巴音恩格尔嘎查村", BALAGONG, "15", "1506", "150625"],
    ],
}


# --- Building source folders ------------------------------------------------------------


def fixture_rows(filename):
    with open(WUQING_FIXTURE / filename, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def wuqing_slice(townships=None, villages=None):
    """Rows of the Wuqing fixture: the given townships (all if None), their first villages."""
    files = {name: fixture_rows(name) for name in HEADERS}
    if townships is not None:
        files["streets.csv"] = [row for row in files["streets.csv"] if row[0] in townships]
        files["villages.csv"] = [row for row in files["villages.csv"] if row[2] in townships]
    if villages is not None:
        files["villages.csv"] = files["villages.csv"][:villages]
    return files


def merged(*slices):
    """Several slices in one set of files, rows in order, ancestors listed once."""
    files = {name: [] for name in HEADERS}
    for part in slices:
        for name, rows in part.items():
            files[name] += [row for row in rows if row not in files[name]]
    return files


def write(directory, files, *, gz=(), headers=None):
    """Write each file with its official header (or `headers`); names in `gz` as .csv.gz."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        if rows is None:
            continue
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow((headers or {}).get(name, HEADERS[name]))
        writer.writerows(rows)
        if name in gz:
            with gzip.open(directory / f"{name}.gz", "wt", encoding="utf-8") as handle:
                handle.write(text.getvalue())
        else:
            (directory / name).write_text(text.getvalue(), encoding="utf-8")
    return directory


def good_then_bad(tmp_path, bad_file="villages.csv", bad_row=None):
    """A folder whose good rows create Inner Mongolia and rename 梅厂镇, then one bad row.

    Returns (folder, path of the bad file, the bad row's line number).
    """
    renamed = wuqing_slice([TOWNSHIP_A])
    renamed["streets.csv"] = [[TOWNSHIP_A, "梅厂镇（改）", *renamed["streets.csv"][0][2:]]]
    files = merged(INNER_MONGOLIA, renamed)
    if bad_row is not None:
        files[bad_file].append(bad_row)
    folder = write(tmp_path / "source", files)
    return folder, folder / bad_file, len(files[bad_file]) + 1


def village_row(code, name="新建村委会", street=None):
    street = street or code[:9]
    return [code, name, street, code[:2], code[:4], code[:6]]


# --- Checking results -------------------------------------------------------------------


def snapshot():
    """Every division and village with the fields the import writes and one it does not."""
    return (
        list(Division.objects.order_by("code").values_list("code", "name", "level", "parent")),
        list(
            Village.objects.order_by("code").values_list(
                "code", "name", "township", "kind", "households", "version"
            )
        ),
    )


def run(source, prefix=""):
    """Run the command; its output."""
    out = io.StringIO()
    call_command("import_divisions", "--source", str(source), "--prefix", prefix, stdout=out)
    return out.getvalue()


def refused(source, prefix=""):
    """Run the command expecting a refusal; the error's text."""
    with pytest.raises(CommandError) as caught:
        run(source, prefix)
    message = str(caught.value)
    assert message.startswith(_("Nothing was imported. {error}").format(error="").strip())
    return message


def assert_points_at(message, path, line=None):
    """The message names the file and, right after it, the line number."""
    assert str(path) in message, message
    if line is not None:
        first_number = re.search(r"\d+", message.split(str(path), 1)[1])
        assert first_number and first_number.group() == str(line), message


def by_level(province, city, county, township, village):
    return {
        "province": province,
        "city": city,
        "county": county,
        "township": township,
        "village": village,
    }


def report_line(level, created, updated):
    """The command's line for one level, with the level's Chinese name (乡镇（街道）…)."""
    labels = {**dict(DivisionLevel.choices), "village": _("Villages and communities")}
    return _("{level}: {created} new, {updated} updated").format(
        level=labels[level], created=created, updated=updated
    )


@pytest.fixture
def township_a_gone():
    """梅厂镇 as if the database predated it: the township and its villages deleted."""
    Village.objects.filter(township_id=TOWNSHIP_A).delete()
    Division.objects.filter(code=TOWNSHIP_A).delete()


# --- Good input -------------------------------------------------------------------------


def test_it_creates_a_new_township_and_its_villages_under_the_right_parents(
    tmp_path, township_a_gone
):
    source = write(tmp_path, wuqing_slice([TOWNSHIP_A]))

    result = divisions_import(source_dir=source)

    township = Division.objects.get(code=TOWNSHIP_A)
    assert (township.name, township.level, township.parent_id) == (
        "梅厂镇",
        DivisionLevel.TOWNSHIP,
        COUNTY,
    )
    villages = Village.objects.filter(township=township)
    assert villages.count() == 45
    assert villages.get(code="120114101001").kind == VillageKind.COMMUNITY  # 馨梅福苑社区居民委员会
    assert villages.get(code="120114101204").kind == VillageKind.VILLAGE  # 郭罗庄村委会
    assert villages.get(code="120114101204").name == "郭罗庄村委会"
    assert result.created == by_level(0, 0, 0, 1, 45)
    assert result.updated == by_level(1, 1, 1, 0, 0)


@pytest.mark.parametrize("gz", [(), ("villages.csv",)], ids=["plain", "gzipped villages"])
def test_it_creates_every_level_of_a_new_region_and_tells_gachas_from_villages(tmp_path, gz):
    source = write(tmp_path, INNER_MONGOLIA, gz=gz)

    divisions_import(source_dir=source, prefix="15")

    divisions = {
        d.code: (d.name, d.level, d.parent_id)
        for d in Division.objects.filter(code__startswith="15")
    }
    assert divisions == {
        "15": ("内蒙古自治区", DivisionLevel.PROVINCE, None),
        "1506": ("鄂尔多斯市", DivisionLevel.CITY, "15"),
        "150625": ("杭锦旗", DivisionLevel.COUNTY, "1506"),
        BALAGONG: ("巴拉贡镇", DivisionLevel.TOWNSHIP, "150625"),
    }
    villages = {
        v.code: (v.township_id, v.kind) for v in Village.objects.filter(code__startswith="15")
    }
    assert villages == {
        "150625101001": (BALAGONG, VillageKind.COMMUNITY),
        "150625101200": (BALAGONG, VillageKind.VILLAGE),
        "150625101204": (BALAGONG, VillageKind.GACHA),
    }


def test_the_command_reports_what_it_created_by_level(tmp_path):
    source = write(tmp_path, INNER_MONGOLIA)

    output = run(source, "15")

    for level, created in (("province", 1), ("city", 1), ("county", 1), ("township", 1)):
        assert report_line(level, created, 0) in output
    assert report_line("village", 3, 0) in output


# --- Idempotency ------------------------------------------------------------------------


def test_running_the_command_twice_changes_nothing_and_reports_only_updates(tmp_path):
    source = write(tmp_path, INNER_MONGOLIA, gz=("villages.csv",))
    run(source, "15")
    after_first = snapshot()

    output = run(source, "15")

    assert snapshot() == after_first
    assert Division.objects.filter(code__startswith="15").count() == 4
    assert Village.objects.filter(code__startswith="15").count() == 3
    for level in ("province", "city", "county", "township"):
        assert report_line(level, 0, 1) in output
    assert report_line("village", 0, 3) in output


def test_reimporting_the_whole_wuqing_fixture_updates_its_745_villages_and_adds_none():
    before = snapshot()

    output = run(WUQING_FIXTURE, COUNTY)

    assert snapshot() == before
    assert report_line("township", 0, 37) in output
    assert report_line("village", 0, 745) in output


def test_a_renamed_village_takes_the_new_name_and_keeps_the_facts_the_import_does_not_own(
    tmp_path, village_a
):
    village_a.households = 321
    village_a.population = 1088
    village_a.party_org_type = PartyOrgType.BRANCH
    village_a.party_members = 27
    village_a.secretary_name = "王建国"
    village_a.save()
    files = wuqing_slice([TOWNSHIP_A])
    for row in files["villages.csv"]:
        if row[0] == village_a.code:
            row[1] = "新郭罗庄村委会"
    neighbours = snapshot()[1]

    divisions_import(source_dir=write(tmp_path, files))

    village_a.refresh_from_db()
    assert village_a.name == "新郭罗庄村委会"
    assert (village_a.township_id, village_a.kind) == (TOWNSHIP_A, VillageKind.VILLAGE)
    assert (
        village_a.households,
        village_a.population,
        village_a.party_org_type,
        village_a.party_members,
        village_a.secretary_name,
    ) == (321, 1088, PartyOrgType.BRANCH, 27, "王建国")
    others = [row for row in snapshot()[1] if row[0] != village_a.code]
    assert others == [row for row in neighbours if row[0] != village_a.code]


def test_a_village_renamed_as_a_community_becomes_a_community(tmp_path, village_a):
    files = wuqing_slice([TOWNSHIP_A])
    for row in files["villages.csv"]:
        if row[0] == village_a.code:
            row[1] = "郭罗庄社区居委会"

    divisions_import(source_dir=write(tmp_path, files))

    village_a.refresh_from_db()
    assert village_a.kind == VillageKind.COMMUNITY


# --- The prefix -------------------------------------------------------------------------


def test_the_prefix_brings_that_townships_villages_and_nothing_beside_them():
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        Village.objects.filter(township_id=township).delete()
        Division.objects.filter(code=township).delete()

    result = divisions_import(source_dir=WUQING_FIXTURE, prefix=TOWNSHIP_A)

    assert Village.objects.filter(township_id=TOWNSHIP_A).count() == 45
    assert not Division.objects.filter(code=TOWNSHIP_B).exists()
    assert not Village.objects.filter(code__startswith=TOWNSHIP_B).exists()
    assert result.created == by_level(0, 0, 0, 1, 45)
    assert result.updated == by_level(1, 1, 1, 0, 0)


def test_the_prefix_updates_the_ancestors_on_its_path_and_leaves_every_other_row_alone(
    tmp_path,
):
    files = wuqing_slice()
    for rows in files.values():
        for row in rows:
            row[1] += "（新）"
    before = snapshot()

    divisions_import(source_dir=write(tmp_path, files), prefix=TOWNSHIP_A)

    path = {"12", "1201", COUNTY, TOWNSHIP_A}
    for old, new in zip(before[0], snapshot()[0], strict=True):
        renamed = new[1] == old[1] + "（新）"
        assert renamed == (old[0] in path), (old, new)
    for old, new in zip(before[1], snapshot()[1], strict=True):
        renamed = new[1] == old[1] + "（新）"
        assert renamed == old[0].startswith(TOWNSHIP_A), (old, new)


# --- Bad input: each refusal names the file (and line) and writes nothing ----------------


def test_a_bad_village_row_after_good_files_writes_nothing_at_all(tmp_path):
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=village_row("120114101999", ""))
    before = snapshot()

    with pytest.raises(DivisionImportError) as caught:
        divisions_import(source_dir=folder)

    assert_points_at(str(caught.value), bad_file, line)
    assert snapshot() == before
    assert not Division.objects.filter(code="15").exists()
    assert Division.objects.get(code=TOWNSHIP_A).name == "梅厂镇"


def test_the_same_files_without_the_bad_row_do_import(tmp_path):
    """The good part of the refusal tests' folder really would write: they prove something."""
    folder, _bad_file, _line = good_then_bad(tmp_path)

    divisions_import(source_dir=folder)

    assert Village.objects.filter(township_id=BALAGONG).count() == 3
    assert Division.objects.get(code=TOWNSHIP_A).name == "梅厂镇（改）"


def test_it_refuses_a_missing_villages_file(tmp_path):
    folder, bad_file, _line = good_then_bad(tmp_path)
    bad_file.unlink()
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file)
    assert snapshot() == before


def test_it_refuses_a_missing_folder(tmp_path):
    before = snapshot()

    message = refused(tmp_path / "nowhere")

    assert str(tmp_path / "nowhere") in message
    assert snapshot() == before


@pytest.mark.parametrize(
    "header",
    [
        ["code", "name", "streetCode", "provinceCode", "cityCode"],  # one short
        ["code", "name", "provinceCode", "streetCode", "cityCode", "areaCode"],  # reordered
        ["代码", "名称", "乡级代码", "省级代码", "地级代码", "县级代码"],  # translated
    ],
    ids=["a column missing", "columns reordered", "columns renamed"],
)
def test_it_refuses_a_file_with_the_wrong_columns(tmp_path, header):
    files = merged(INNER_MONGOLIA, wuqing_slice([TOWNSHIP_A]))
    folder = write(tmp_path, files, headers={"villages.csv": header})
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, folder / "villages.csv", 1)
    assert snapshot() == before


def test_it_refuses_an_empty_file(tmp_path):
    folder, bad_file, _line = good_then_bad(tmp_path)
    bad_file.write_bytes(b"")
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file)
    assert snapshot() == before


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    """Excel on Chinese Windows saves CSV as GBK."""
    folder, bad_file, _line = good_then_bad(tmp_path)
    bad_file.write_bytes(bad_file.read_text(encoding="utf-8").encode("gbk"))
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file)
    assert snapshot() == before


def test_a_single_gbk_row_in_a_long_utf8_file_is_reported_on_its_own_line(tmp_path):
    """Text is decoded line by line, so the line named is the bad row's, not a chunk's."""
    rows = [village_row(f"120114101{n:03d}", f"第{n}村委会") for n in range(600, 999)]
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=village_row("120114101999"))
    text = bad_file.read_text(encoding="utf-8").splitlines()
    good = text[:-1] + [",".join(f'"{v}"' for v in row) for row in rows]
    bad_line = len(good) + 1
    bad_file.write_bytes(
        "\n".join(good).encode("utf-8")
        + b"\n"
        + '120114101999,"南蔡村委会"'.encode("gbk")
        + b",120114101,12,1201,120114\n"
    )
    before = snapshot()

    message = refused(folder)

    assert bad_line > 400 and line != bad_line
    assert_points_at(message, bad_file, bad_line)
    assert snapshot() == before


def test_it_refuses_a_village_whose_township_is_absent(tmp_path):
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=village_row("120114199001"))
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert "120114199" in message
    assert snapshot() == before


def test_it_refuses_a_township_whose_county_is_absent(tmp_path):
    bad_row = ["120199101", "不存在镇", "120199", "12", "1201"]
    folder, bad_file, line = good_then_bad(tmp_path, "streets.csv", bad_row)
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert "120199" in message
    assert snapshot() == before


@pytest.mark.parametrize(
    "code",
    ["12011410100A", "1201141010O1", "12011410101", "1201141010011"],
    ids=["a letter", "the letter O for a zero", "11 digits", "13 digits"],
)
def test_it_refuses_a_malformed_village_code(tmp_path, code):
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=village_row(code, street=TOWNSHIP_A))
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert code in message
    assert snapshot() == before


def test_it_refuses_a_malformed_province_code(tmp_path):
    folder, bad_file, line = good_then_bad(tmp_path, "provinces.csv", ["150", "内蒙古"])
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert snapshot() == before


def test_it_refuses_a_village_whose_code_does_not_lie_under_its_township_column(tmp_path):
    bad_row = village_row("120114102999", street=TOWNSHIP_A)  # 大碱厂镇's code in 梅厂镇
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=bad_row)
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert "120114102999" in message
    assert snapshot() == before


def test_it_refuses_a_city_whose_code_does_not_lie_under_its_province_column(tmp_path):
    folder, bad_file, line = good_then_bad(tmp_path, "cities.csv", ["1507", "巴彦淖尔市", "14"])
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert "1507" in message
    assert snapshot() == before


@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "blank"])
def test_it_refuses_an_empty_name(tmp_path, name):
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=village_row("120114101999", name))
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert snapshot() == before


@pytest.mark.parametrize(
    "bad_row",
    [
        ["120114101999", "新建村委会", TOWNSHIP_A],
        [*village_row("120114101999"), "备注"],
    ],
    ids=["too few values", "too many values"],
)
def test_it_refuses_a_row_with_the_wrong_number_of_values(tmp_path, bad_row):
    folder, bad_file, line = good_then_bad(tmp_path, bad_row=bad_row)
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert snapshot() == before


@pytest.mark.parametrize("prefix", ["12a", "天津", "12-01", "1201141010011"])
def test_it_refuses_a_prefix_that_is_not_a_division_code(tmp_path, prefix):
    folder, _bad_file, _line = good_then_bad(tmp_path)
    before = snapshot()

    message = refused(folder, prefix)

    assert prefix in message
    assert snapshot() == before


def test_it_refuses_a_prefix_that_matches_nothing(tmp_path):
    folder, _bad_file, _line = good_then_bad(tmp_path)
    before = snapshot()

    message = refused(folder, "99")

    assert "99" in message
    assert snapshot() == before


# --- Bulk writes ------------------------------------------------------------------------


def test_200_villages_take_no_more_queries_than_20_apart_from_a_couple_of_batches(
    tmp_path, django_assert_max_num_queries
):
    queries = {}
    for size in (20, 200):
        Village.objects.filter(code__startswith=COUNTY).delete()
        source = write(tmp_path / str(size), wuqing_slice(villages=size))

        with django_assert_max_num_queries(20) as captured:
            divisions_import(source_dir=source, prefix=COUNTY)

        assert Village.objects.filter(code__startswith=COUNTY).count() == size
        queries[size] = len(captured)
    # SQLite caps a bulk insert of villages at 83 rows (999 parameters, 12 fields).
    assert queries[200] <= queries[20] + 3, queries


# --- Known bugs (strict: they fail once fixed, so the marker gets removed) --------------


def test_a_village_committee_with_shequ_in_its_name_is_filed_as_a_village(tmp_path):
    # 2,409 names in the national data end in 村民委员会/村委会/村 and contain 社区.
    files = {
        "provinces.csv": [["13", "河北省"]],
        "cities.csv": [["1304", "邯郸市", "13"]],
        "areas.csv": [["130406", "峰峰矿区", "1304", "13"]],
        "streets.csv": [["130406001", "滏阳东路街道", "130406", "13", "1304"]],
        "villages.csv": [village_row("130406001202", "东沟社区村民委员会")],
    }

    divisions_import(source_dir=write(tmp_path, files), prefix="13")

    assert Village.objects.get(code="130406001202").kind == VillageKind.VILLAGE


@pytest.mark.parametrize(
    ("bad_file", "bad_row"),
    [
        ("provinces.csv", ["１３", "河北省"]),
        ("villages.csv", village_row("120114101９９９", street=TOWNSHIP_A)),
    ],
    ids=["province typed in full width", "village with full-width last digits"],
)
def test_it_refuses_a_code_written_in_full_width_digits(tmp_path, bad_file, bad_row):
    folder, path, line = good_then_bad(tmp_path, bad_file, bad_row)
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, path, line)
    assert snapshot() == before


def test_it_refuses_a_village_code_listed_twice(tmp_path):
    folder, bad_file, line = good_then_bad(
        tmp_path, bad_row=village_row("150625101200", "查干白二村委会")
    )
    before = snapshot()

    message = refused(folder)

    assert_points_at(message, bad_file, line)
    assert snapshot() == before


def test_a_first_import_adds_no_village_but_a_new_one_in_a_known_township_is_dated(tmp_path):
    from django.utils import timezone

    assert not Village.objects.filter(added_on__isnull=False).exists()  # the session's import
    township = TOWNSHIP_A
    files = wuqing_slice([township])
    files["villages.csv"].append(village_row(f"{township}998", "新设村委会"))
    run(write(tmp_path / "source", files), township)
    assert Village.objects.get(code=f"{township}998").added_on == timezone.localdate()
    assert Village.objects.filter(added_on__isnull=False).count() == 1
