"""The village file (一村一档) as a Word document, for a meeting's papers.

A working paper, not an official document (公文): A4 with GB/T 9704's margins, the body in
仿宋 and the headings in 黑体 (set for East Asian text too, so that Word and WPS do not fall
back on a Western face), tables with ruled cells, page numbers "— 1 —" at the foot. The
same parts as the page, in the same order, in the reader's language.
"""

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from inspections.docx import FANGSONG, _fonts, _page_numbers

HEITI = "黑体"
BODY = 11  # points: 五号 is 10.5; the tables are dense
TABLE = 9


def _text(paragraph, text, *, size=BODY, bold=False, font=FANGSONG):
    run = paragraph.add_run(str(text))
    run.font.size = Pt(size)
    run.font.bold = bold
    _fonts(run, font)
    return run


def _heading(document, text, *, size=14):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(10)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.keep_with_next = True
    _text(paragraph, text, size=size, font=HEITI)
    return paragraph


def _line(document, text, *, size=BODY):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(2)
    _text(paragraph, text, size=size)
    return paragraph


def _table(document, headers, rows):
    """A ruled table: a bold header row, then `rows` (lists of strings)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _text(cell.paragraphs[0], header, size=TABLE, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _text(cell.paragraphs[0], "" if value is None else value, size=TABLE)
    return table


def _day(value):
    return value.strftime("%Y-%m-%d") if value else "—"


def dossier_document(dossier):
    village = dossier.village
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY)
    normal.font.name = FANGSONG
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_numbers(section)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(
        title,
        _("{township} {village}: one village, one file").format(
            township=village.township.name, village=village.name
        ),
        size=18,
        font=HEITI,
    )
    made = document.add_paragraph()
    made.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(
        made,
        _("Code {code} · as of {day}").format(code=village.code, day=_day(dossier.made_on)),
        size=TABLE,
    )

    _heading(document, _("Basic facts"))
    _table(
        document,
        [_("Kind"), _("Households"), _("Population"), _("Party members"), _("Party secretary")],
        [
            [
                village.get_kind_display(),
                village.households if village.households is not None else "—",
                village.population if village.population is not None else "—",
                village.party_members if village.party_members is not None else "—",
                village.secretary_name or "—",
            ]
        ],
    )

    _heading(document, _("Timeline"))
    _table(
        document,
        [_("Date"), _("Part"), _("What happened")],
        [[_day(entry.on), entry.part, entry.text] for entry in dossier.timeline],
    )

    _heading(document, _("Star ratings by year"))
    if dossier.ratings:
        _table(
            document,
            [_("Year"), _("Stars"), _("Grade")],
            [[r.year, r.stars, r.get_grade_display()] for r in dossier.ratings],
        )
    else:
        _line(document, _("Not rated yet."))

    _heading(document, _("Listings on the ledger"))
    if not dossier.cases:
        _line(document, _("Never listed on the ledger."))
    for item in dossier.cases:
        case = item.case
        heading = f"{case.campaign.name} · {case.get_status_display()}"
        if case.is_relapse:
            heading += " · " + _("relapse: listed {n} times").format(n=case.listing)
        _heading(document, heading, size=12)
        _table(
            document,
            [_("Item"), _("Content")],
            [
                [_("Problem categories"), "；".join(c.name for c in case.categories.all())],
                [_("Basic situation"), case.basic_situation or "—"],
                [_("Problems"), case.problems],
                [_("Rectification measures"), case.measures or "—"],
                [_("Person responsible"), case.responsible_person],
                [_("Township leader in charge"), item.township_leader or "—"],
                [_("County-level contact leader"), item.county_leader or "—"],
                [_("Listed on"), _day(case.identified_on)],
                [_("Deadline for transformation"), _day(case.deadline)],
                [
                    _("Transformed / closed"),
                    f"{_day(case.transformed_on)} / {_day(case.closed_on)}",
                ],
            ],
        )
        plan = item.plan
        if plan is not None:
            _line(
                document,
                "{}：{}".format(_("One-village-one-policy plan"), plan.get_status_display()),
            )
            _table(
                document,
                [_("Measure"), _("Owner"), _("Due on"), _("Progress (%)"), _("Completed on")],
                [
                    [t.measure, t.owner, _day(t.due_on), t.progress, _day(t.completed_on)]
                    for t in plan.tasks.all()
                ],
            )
        reviews = list(case.acceptances.all())
        if reviews:
            _line(document, _("Acceptance reviews"))
            _table(
                document,
                [_("Reviewed on"), _("Total score"), _("Pass mark"), _("Conclusion")],
                [
                    [
                        _day(r.reviewed_on),
                        r.total,
                        r.pass_mark,
                        "{} {}".format(_("passed") if r.passed else _("failed"), r.conclusion),
                    ]
                    for r in reviews
                ],
            )
        five = "、".join(f"{'✔' if ok else '✘'}{label}" for label, ok in item.five_ones)
        _line(document, "{}：{}".format(_("Five ones and support"), five))
        for link in item.support:
            _line(document, f"{link.get_kind_display()}：{link.name}", size=TABLE)

    _heading(document, _("First secretaries"))
    if not dossier.postings:
        _line(document, _("No first secretary has been posted here."))
    for posting in dossier.postings:
        a = posting.assignment
        end = _day(a.actual_end) if a.actual_end else _day(a.planned_end)
        _line(
            document, f"{a.secretary.name}（{a.secretary.unit.name}）{_day(a.started_on)} — {end}"
        )
        grades = "；".join(f"{e.year} {e.get_grade_display()}" for e in posting.evaluations)
        _line(document, "{} {}".format(_("Evaluations:"), grades or "—"), size=TABLE)
        if posting.months:
            _table(
                document,
                [_("Month"), _("Days in the village"), _("Households visited")],
                [
                    [month.strftime("%Y-%m"), p.days_on_site, p.households_visited]
                    for month, p in posting.months
                ],
            )

    _heading(document, _("Villagers' awareness of the first secretary"))
    total = dossier.awareness
    if not total.asked:
        _line(document, _("No household interviews on inspection visits yet."))
    else:
        _line(
            document,
            _(
                "{rate} per cent of the households asked know the first secretary ({aware} of "
                "{asked}, on {visits} inspection visits)."
            ).format(rate=total.rate, aware=total.aware, asked=total.asked, visits=total.visits),
        )
        _table(
            document,
            [
                _("Visited on"),
                _("First secretary"),
                _("Households asked"),
                _("Households that know him"),
            ],
            [
                [
                    _day(check.visit.visited_on),
                    check.secretary.name if check.secretary else "—",
                    check.households_asked,
                    check.households_aware,
                ]
                for check in dossier.interviews
            ],
        )

    _heading(document, _("Organisation life: twelve months of activity plans and activities held"))
    rows = []
    for m in dossier.activity:
        if m.plan is None:
            state = _("none")
        elif not m.plan.submitted_at:
            state = _("draft")
        elif m.plan.late:
            state = _("submitted late")
        else:
            state = _("submitted on time")
        planned = "\n".join(
            f"{i.date:%m-%d} {i.get_kind_display()}：{i.topic}"
            for i in (m.plan.items.all() if m.plan else ())
        )
        held = "\n".join(f"{r.held_on:%m-%d} {r.get_kind_display()}：{r.topic}" for r in m.records)
        rows.append([m.month.strftime("%Y-%m"), state, planned, held])
    _table(document, [_("Month"), _("Plan"), _("Planned"), _("Held")], rows)

    _heading(document, _("Activity venue"))
    venue = dossier.venue
    if venue is None:
        _line(document, _("No activity venue entered."))
    else:
        _line(
            document,
            _("{state}; {area} m² (standard here: {standard} m²); works {start} – {end}").format(
                state=venue.get_state_display(),
                area=venue.area,
                standard=venue.standard_area,
                start=_day(venue.works_started_on),
                end=_day(venue.works_finished_on),
            ),
        )
        funding = list(venue.funding.all())
        if funding:
            _table(
                document,
                [_("Year"), _("Source"), _("Amount (10,000 yuan)")],
                [[str(f.year), f.get_source_display(), str(f.amount)] for f in funding],
            )

    _heading(document, _("Inspection visits and findings"))
    if not dossier.visits:
        _line(document, _("No inspection visit recorded."))
    for visit in dossier.visits:
        _line(document, f"{_day(visit.visited_on)} {visit.round} · {visit.team.name}")
        findings = list(visit.findings.all())
        if findings:
            _table(
                document,
                [_("Finding"), _("Deadline"), _("Status"), _("Answer of the township")],
                [
                    [f.description, _day(f.deadline), f.get_status_display(), f.response or "—"]
                    for f in findings
                ],
            )

    _heading(document, _("Circulars that named the village"))
    for circular in dossier.circulars:
        _line(document, f"{circular.reference} {circular.title}")
    if not dossier.circulars:
        _line(document, _("None."))
    return document
