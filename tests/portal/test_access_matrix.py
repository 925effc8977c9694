"""Every URL of the URL conf × every persona × GET, POST and PATCH: the status each must get.

The expected answers are written out below, by hand, once: MATRIX is a table of who may
read, create, change, approve, close and export each thing, one row per URL and method,
one column per persona. It is deliberately not computed from `portal.roles` (the table the
views check): a wrong role table must fail here, not agree with itself.

The URLs are read from the URL conf: a new URL with no row fails
`test_every_url_has_a_row_in_the_matrix` (and its own cases), and a URL with a parameter
that no object builder fills fails `test_every_url_with_parameters_names_an_object`.

The codes:
  ok     GET: 200. POST/PATCH: done (200, 201, 302) or refused as bad input (400) or by the
         record's state (409, e.g. applying for acceptance of a case that is not rectifying):
         the action is allowed, the empty body is what fails.
  login  302 to the login page (pages, for anonymous users).
  403    in scope, but the role may not (and the API's answer to anonymous users).
  404    out of the persona's scope, or hidden from it: as if it did not exist.
  405    the method is not allowed; any other number is that exact status.
A URL with no PATCH row refuses PATCH: 405 to every logged-in user, and to anonymous users
the same as its GET (the login page, or 403 from the API). A method a row refuses to every
logged-in user is asked of all nine personas in one case per URL
(`test_methods_a_url_refuses`); each method the URL takes, persona by persona.

The Tianjin municipal department's administrator (province level, division 12, whose area
holds Wuqing) has no column: he gets the county administrator's answer on every row but
those written out in TIANJIN (what he may not do, or may do where the county may not), so a
row added later covers him too, and his answers are still written by hand.

The objects (see `_objects`) all belong to township A (梅厂镇) of Wuqing: alice's township.
bob organises township B; jimo is another county's administrator; the first secretary is
posted to village A; the inspector is on none of the round's teams; the round is an
announced random check (明察), its visit has happened, and its circular is a draft.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from firstsecretary.models import (
    Assignment,
    DispatchUnit,
    FirstSecretary,
    SupportLink,
    WorkLog,
    WorkLogPhoto,
)
from inspections.models import Circular, Finding, InspectionRound, Team, Visit
from portal.models import (
    ApiToken,
    Attachment,
    BulkJob,
    GeneratedReport,
    ImportBatch,
    Notification,
)
from rectification.models import (
    AcceptanceCriterion,
    Campaign,
    Case,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)
from tests.conftest import (
    PERSONAS,
    first_village_of_township_a,
    kept_for_the_module,
    make_persona,
)
from villages.models import ActivityPlan, ActivityRecord, Venue, Village

# The table's column headings, and the persona each stands for.
COLUMNS = {
    "anon": "anonymous",
    "root": "superuser",
    "county": "county_admin",
    "jimo": "other_county_admin",
    "alice": "alice",
    "bob": "bob",
    "insp": "inspector",
    "secr": "secretary",
    "viewer": "viewer",
}

MATRIX = """
                                 anon   root   county jimo   alice  bob    insp   secr   viewer

# The shell: every logged-in user reads the home page, the dashboard and their notices;
# exports need the export right (not a first secretary); a notice is its owner's alone,
# and so is an API token.
home                       GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
dashboard                  GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
dashboard_print            GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
dashboard_export           GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
login                      GET   ok     302    302    302    302    302    302    302    302
                           POST  200    302    302    302    302    302    302    302    302
                           PATCH 405    302    302    302    302    302    302    302    302
logout                     GET   405    405    405    405    405    405    405    405    405
                           POST  302    302    302    302    302    302    302    302    302
                           PATCH 405    405    405    405    405    405    405    405    405
set_language               GET   302    302    302    302    302    302    302    302    302
                           POST  302    302    302    302    302    302    302    302    302
                           PATCH 302    302    302    302    302    302    302    302    302
healthz                    GET   ok     ok     ok     ok     ok     ok     ok     ok     ok
                           POST  405    405    405    405    405    405    405    405    405
                           PATCH 405    405    405    405    405    405    405    405    405
# A chooser's search: any logged-in user, answering only from the user's own scope.
chooser_search             GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
notifications              GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
notifications_read_all     GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     ok     ok
notifications_read_selected GET  login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     ok     ok
notification_read          GET   login  405    405    405    405    405    405    405    405
                           POST  login  404    404    404    ok     404    404    404    404
api_tokens                 GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  ok     ok     ok     ok     ok     ok     ok     ok
api_token_revoke           GET   login  405    405    405    405    405    405    405    405
                           POST  login  404    404    404    ok     404    404    404    404
report_list                GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
report_detail              GET   login  ok     ok     404    ok     404    ok     404    ok
                           POST  login  405    405    405    405    405    405    405    405
report_download            GET   login  ok     ok     404    ok     404    ok     404    ok
                           POST  login  405    405    405    405    405    405    405    405
# A batch job (a large batch of the ledger) is its requester's alone, like a notice.
bulk_job_detail            GET   login  404    404    404    ok     404    404    404    404
                           POST  login  405    405    405    405    405    405    405    405
bulk_job_results           GET   login  404    404    404    ok     404    404    404    404
                           POST  login  405    405    405    405    405    405    405    405

# Users: a county administrator manages the users of their county.
user_list                  GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
user_create                GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
user_edit                  GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
user-list                  GET   403    ok     ok     ok     403    403    403    403    403
                           POST  403    ok     ok     ok     403    403    403    403    403
user-detail                GET   403    ok     ok     404    403    403    403    403    403
                           POST  403    405    405    405    405    405    405    405    405
                           PATCH 403    ok     ok     404    403    403    403    403    403

# Villages and divisions: everyone reads in scope; the county and the township change a village.
# A village's file (一村一档) is read like its page; its Word file is an export.
township_list              GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
village_list               GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
village_export             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
village_detail             GET   login  ok     ok     404    ok     404    ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
village_dossier            GET   login  ok     ok     404    ok     404    ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
village_dossier_docx       GET   login  ok     ok     404    ok     404    ok     403    ok
                           POST  login  405    405    405    405    405    405    405    405
village_edit               GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  ok     ok     404    ok     404    403    403    403
village-list               GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
village-detail             GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
                           PATCH 403    ok     ok     404    ok     404    403    403    403
division-list              GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
division-detail            GET   403    ok     ok     404    ok     404    ok     404    ok
                           POST  403    405    405    405    405    405    405    405    405

# Activity venues (活动场所): everyone reads the register in scope; the county and the
# township enter and correct a venue; an organization department sets the standard areas.
venue_list                 GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
venue_export               GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
venue_create               GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  ok     ok     ok     ok     ok     403    403    403
venue_edit                 GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  ok     ok     404    ok     404    403    403    403
venue_standards            GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403

# Screening (排查): the county and the townships file star ratings and import them.
screening                  GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
rating_create              GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  ok     ok     ok     ok     ok     403    403    403
county_settings            GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
county_calendar            GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
rating_export              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
rating_import              GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  ok     ok     ok     ok     ok     403    403    403
rating_import_template     GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  405    405    405    405    405    405    405    405
rating_import_preview      GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
rating_import_errors       GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
rating_import_confirm      GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
rating-list                GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     ok     ok     403    403    403
rating-detail              GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405

# Campaigns and categories: the county's; the townships read them.
campaign_list              GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
campaign_create            GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
campaign_edit              GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
category_create            GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
category_edit              GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
criterion_create           GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
criterion_edit             GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
campaign-list              GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     403    403    403    403    403
campaign-detail            GET   403    ok     ok     404    ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
                           PATCH 403    ok     ok     404    403    403    403    403    403
acceptance-criterion-list  GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
acceptance-criterion-detail GET  403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
category-list              GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
category-detail            GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405

# Cases (台账): read in scope; the county and the township create and change them and apply
# for close-out; only the county accepts and closes; evidence from whoever updates tasks.
case_list                  GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
case_export                GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
case_create                GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  ok     ok     ok     ok     ok     403    403    403
case_detail                GET   login  ok     ok     404    ok     404    ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
case_edit                  GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  ok     ok     404    ok     404    403    403    403
case_import                GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  ok     ok     ok     ok     ok     403    403    403
case_import_template       GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  405    405    405    405    405    405    405    405
case_import_preview        GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
case_import_errors         GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
case_import_confirm        GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
# The ledger's batch (one action on many cases): whoever applies or decides, each case by
# its own service; acceptance results from a workbook: the county that accepts.
case_batch                 GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     403    403    403
acceptance_import          GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
acceptance_import_template GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
acceptance_import_preview  GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
acceptance_import_confirm  GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
acceptance_import_errors   GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
case_apply                 GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
case_withdraw              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
case_acceptance            GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
case_close                 GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
case_evidence              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    ok     403
attachment_download        GET   login  ok     ok     404    ok     404    ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
case-list                  GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     ok     ok     403    403    403
case-detail                GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
                           PATCH 403    ok     ok     404    ok     404    403    403    403
case-events                GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
case-apply                 GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    403    403
case-withdraw              GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    403    403
case-acceptance            GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
case-batch                 GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     ok     ok     ok     403    403    403
batch-job-list             GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
batch-job-detail           GET   403    404    404    404    ok     404    404    404    404
                           POST  403    405    405    405    405    405    405    405    405
case-close                 GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
case-evidence              GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    ok     403

# Plans (一村一策) and their tasks: the township drafts and submits, only the county approves;
# task progress from the township, the county and the first secretary.
plan_edit                  GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  ok     ok     404    ok     404    403    403    403
plan_submit                GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
plan_withdraw              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
plan_review                GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
# The plans awaiting approval, decided in bulk: the county's department, each in its area.
plan_pending               GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
task_progress              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    ok     403
case-plan                  GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
case-plan-submit           GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    403    403
case-plan-review           GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
task-list                  GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
task-detail                GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
task-progress              GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    ok     403

# First secretaries: the county keeps the roster, postings and evaluations; the township
# reads those posted in its villages; a first secretary writes his own work log.
secretary_list             GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
secretary_export           GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
secretary_create           GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
secretary_import           GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
secretary_import_template  GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
secretary_import_preview   GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
secretary_import_errors    GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  405    405    405    405    405    405    405    405
secretary_import_confirm   GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
secretary_detail           GET   login  ok     ok     404    ok     404    ok     404    ok
                           POST  login  405    405    405    405    405    405    405    405
secretary_edit             GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
secretary_assign           GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
secretary_evaluate         GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
assignment_end             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
unit_create                GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
worklog                    GET   login  ok     403    403    403    403    403    ok     403
                           POST  login  ok     403    403    403    403    403    ok     403
# A login lands on `start`: the first secretary is sent to his own page (my_village),
# everyone else home. A day of the log is corrected by its author only (the log here is
# another secretary's, in another village); its photos are seen by whoever sees the village.
start                      GET   login  302    302    302    302    302    302    302    302
                           POST  login  405    405    405    405    405    405    405    405
my_village                 GET   login  ok     403    403    403    403    403    ok     403
                           POST  login  405    405    405    405    405    405    405    405
worklog_edit               GET   login  403    403    403    403    403    403    404    403
                           POST  login  403    403    403    403    403    403    404    403
worklog_photo              GET   login  ok     ok     404    ok     404    ok     404    ok
                           POST  login  405    405    405    405    405    405    405    405
presence                   GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
presence_export            GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
# Work logs to look at (请核实): signals for whoever reads the secretaries' work in scope,
# never shown to a first secretary.
trust_review               GET   login  ok     ok     ok     ok     ok     ok     403    ok
                           POST  login  405    405    405    405    405    405    405    405
unit-list                  GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     403    403    403    403    403
unit-detail                GET   403    ok     ok     404    ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
secretary-list             GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     403    403    403    403    403
secretary-detail           GET   403    ok     ok     404    ok     404    ok     404    ok
                           POST  403    405    405    405    405    405    405    405    405
assignment-list            GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     403    403    403    403    403
assignment-detail          GET   403    ok     ok     404    ok     404    ok     404    ok
                           POST  403    405    405    405    405    405    405    405    405
assignment-end             GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
worklog-list               GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     403    403    403    403    403    ok     403
worklog-detail             GET   403    ok     ok     404    ok     404    ok     404    ok
                           POST  403    405    405    405    405    405    405    405    405

# Support (五个一, 包保): only the county links supporters to a case.
support_overview           GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
support_add                GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
support_remove             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
# Contact visits (联系包保走访): the township and the county record them on the case page.
contact_visit_add          GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
support-list               GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     403    403    403    403    403
support-detail             GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405

# Organisation life: the township files activity plans and records; the county sits in.
activity_township          GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
activity_plan              GET   login  ok     ok     404    ok     404    403    403    403
                           POST  login  ok     ok     404    ok     404    403    403    403
activity_copy              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
activity_submit_all        GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     403    403    403
# The urging board (催报) is read by all in scope; only the county department urges.
activity_urging            GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
activity_urge              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     403    403    403    403    403
activity_records           GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
activity_record_create     GET   login  ok     ok     ok     ok     ok     403    403    403
                           POST  login  ok     ok     ok     ok     ok     403    403    403
activity_sit_in            GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
activity_timeliness        GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
activity_timeliness_export GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
activity-plan-list         GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     ok     ok     403    403    403
activity-plan-detail       GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
activity-plan-submit       GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    403    403
activity-record-list       GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     ok     ok     403    403    403
activity-record-detail     GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
activity-record-sit-in     GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
timeliness-api             GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405

# The dashboard's figures: whoever reads the dashboard, in their own area.
statistics-summary         GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
statistics-funnel          GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
statistics-categories      GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
statistics-ranking         GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
statistics-activity-plans  GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405

# Inspections: the county runs rounds, teams and circulars; inspectors record visits and
# findings and verify them (only in rounds they are on: the inspector here is on no team);
# the township answers findings and acknowledges circulars.
round_list                 GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
round_export               GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
quarterly_report           GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
round_create               GET   login  ok     ok     ok     403    403    403    403    403
                           POST  login  ok     ok     ok     403    403    403    403    403
round_detail               GET   login  ok     ok     404    ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
round_move                 GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
round_draw                 GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
team_create                GET   login  ok     ok     404    403    403    403    403    403
                           POST  login  ok     ok     404    403    403    403    403    403
visit_create               GET   login  403    403    403    403    403    403    403    403
                           POST  login  403    403    403    403    403    403    403    403
visit_list                 GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
visit_export               GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
visit_detail               GET   login  ok     ok     404    ok     404    ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
finding_create             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     403    403    403    403    ok     403    403
visit_interviews           GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     403    403    403    403    ok     403    403
finding_list               GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
finding_export             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     ok     ok     ok     ok     403    ok
finding_detail             GET   login  ok     ok     404    ok     404    ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
finding_answer             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    ok     404    403    403    403
finding_verify             GET   login  405    405    405    405    405    405    405    405
                           POST  login  403    403    403    403    403    403    403    403
# Answered findings verified in bulk: inspectors (each finding refused unless theirs).
finding_pending            GET   login  ok     403    403    403    403    ok     403    403
                           POST  login  ok     403    403    403    403    ok     403    403
round-list                 GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     ok     ok     403    403    403    403    403
round-detail               GET   403    ok     ok     404    ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
round-move                 GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
round-draw                 GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
visit-list                 GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     403    403    403    403    ok     403    403
visit-detail               GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
finding-list               GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    ok     403    403    403    403    ok     403    403
finding-detail             GET   403    ok     ok     404    ok     404    ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
finding-answer             GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    ok     404    403    403    403
finding-verify             GET   403    405    405    405    405    405    405    405    405
                           POST  403    403    403    403    403    403    403    403    403
finding-send-back          GET   403    405    405    405    405    405    405    405    405
                           POST  403    403    403    403    403    403    403    403    403

# A draft circular (通报, not yet published) exists for its authors, the county department,
# only: everyone else gets 404, as if it did not exist; the lists answer, without it.
circular_list              GET   login  ok     ok     ok     ok     ok     ok     ok     ok
                           POST  login  405    405    405    405    405    405    405    405
circular_draft             GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
circular_detail            GET   login  ok     ok     404    404    404    404    404    404
                           POST  login  405    405    405    405    405    405    405    405
circular_docx              GET   login  ok     ok     404    404    404    404    404    404
                           POST  login  405    405    405    405    405    405    405    405
circular_edit              GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
circular_publish           GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    403    403    403    403    403
circular_acknowledge       GET   login  405    405    405    405    405    405    405    405
                           POST  login  ok     ok     404    404    404    403    403    403
circular-list              GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
circular-detail            GET   403    ok     ok     404    404    404    404    404    404
                           POST  403    405    405    405    405    405    405    405    405
circular-publish           GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    403    403    403    403    403
circular-acknowledge       GET   403    405    405    405    405    405    405    405    405
                           POST  403    ok     ok     404    404    404    403    403    403

# The API's index and documentation: any logged-in user.
api-root                   GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
api_schema                 GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405
api_docs                   GET   403    ok     ok     ok     ok     ok     ok     ok     ok
                           POST  403    405    405    405    405    405    405    405    405"""

# The object each URL with parameters is requested on (a key of `_objects`).
URL_OBJECT = {
    "chooser_search": "chooser",
    "activity-plan-detail": "activity_plan",
    "activity-plan-submit": "activity_plan",
    "activity-record-detail": "record",
    "activity-record-sit-in": "record",
    "activity_copy": "village_month",
    "activity_plan": "village_month",
    "activity_sit_in": "record",
    "assignment-detail": "assignment",
    "assignment-end": "assignment",
    "api_token_revoke": "api_token",
    "assignment_end": "assignment",
    "acceptance-criterion-detail": "criterion",
    "attachment_download": "attachment",
    "campaign-detail": "campaign",
    "campaign_edit": "campaign",
    "case-acceptance": "case",
    "case-apply": "case",
    "case-close": "case",
    "case-detail": "case",
    "case-events": "case",
    "case-evidence": "case",
    "case-plan": "case",
    "case-plan-review": "case",
    "case-plan-submit": "case",
    "case-withdraw": "case",
    "case_acceptance": "case",
    "case_apply": "case",
    "case_close": "case",
    "case_detail": "case",
    "case_edit": "case",
    "case_evidence": "case",
    "case_import_confirm": "ledger_import",
    "acceptance_import_confirm": "acceptance_import",
    "acceptance_import_errors": "acceptance_import",
    "acceptance_import_preview": "acceptance_import",
    "bulk_job_detail": "bulk_job",
    "bulk_job_results": "bulk_job",
    "batch-job-detail": "bulk_job",
    "case_import_errors": "ledger_import",
    "case_import_preview": "ledger_import",
    "case_withdraw": "case",
    "category-detail": "category",
    "category_edit": "county_category",
    "circular-acknowledge": "circular",
    "circular-detail": "circular",
    "circular-publish": "circular",
    "circular_acknowledge": "circular",
    "circular_detail": "circular",
    "circular_docx": "circular",
    "circular_draft": "round",
    "circular_edit": "circular",
    "circular_publish": "circular",
    "division-detail": "division",
    "finding-answer": "finding",
    "finding-detail": "finding",
    "finding-verify": "finding",
    "finding-send-back": "finding",
    "finding_answer": "finding",
    "finding_create": "visit",
    "visit_interviews": "visit",
    "finding_detail": "finding",
    "finding_verify": "finding",
    "notification_read": "notification",
    "plan_edit": "case",
    "plan_review": "case",
    "plan_submit": "case",
    "plan_withdraw": "case",
    "rating-detail": "rating",
    "rating_import_confirm": "rating_import",
    "rating_import_errors": "rating_import",
    "rating_import_preview": "rating_import",
    "report_detail": "report",
    "report_download": "report",
    "round-detail": "round",
    "round-draw": "round",
    "round-move": "round",
    "round_detail": "round",
    "round_draw": "round",
    "round_move": "round",
    "secretary-detail": "secretary",
    "secretary_assign": "secretary",
    "secretary_detail": "secretary",
    "secretary_edit": "secretary",
    "secretary_evaluate": "secretary",
    "secretary_import_confirm": "roster_import",
    "secretary_import_errors": "roster_import",
    "secretary_import_preview": "roster_import",
    "support-detail": "support",
    "support_add": "case",
    "contact_visit_add": "case",
    "support_remove": "support",
    "task-detail": "task",
    "task-progress": "task",
    "task_progress": "task",
    "team_create": "round",
    "unit-detail": "unit",
    "user_edit": "user",
    "criterion_edit": "county_criterion",
    "user-detail": "user",
    "village-detail": "village",
    "village_detail": "village",
    "village_dossier": "village",
    "village_dossier_docx": "village",
    "village_edit": "village",
    "venue_edit": "venue",
    "visit-detail": "visit",
    "visit_create": "round",
    "visit_detail": "visit",
    "worklog-detail": "worklog",
    "worklog_edit": "worklog",
    "worklog_photo": "worklog_photo",
}

CODES = {"ok", "login", "200", "302", "400", "403", "404", "405", "409"}


def _parse(table):
    """{(url name, method): {persona: code}} from the text of MATRIX."""
    lines = [line for line in table.splitlines() if line.strip() and not line.startswith("#")]
    headings = lines[0].split()
    assert headings == list(COLUMNS), f"MATRIX columns must be {list(COLUMNS)}"
    personas = [COLUMNS[heading] for heading in headings]
    rows, name = {}, None
    for line in lines[1:]:
        cells = line.split()
        if not line[0].isspace():
            name, cells = cells[0], cells[1:]
        method, codes = cells[0], cells[1:]
        assert len(codes) == len(personas), f"{name} {method}: {len(codes)} codes"
        assert set(codes) <= CODES, f"{name} {method}: unknown code in {codes}"
        assert (name, method) not in rows, f"{name} {method} twice"
        rows[name, method] = dict(zip(personas, codes, strict=True))
    for url_name, method in list(rows):
        if method == "GET" and (url_name, "PATCH") not in rows:
            anonymous = rows[url_name, "GET"]["anonymous"]
            assert anonymous in ("login", "403"), f"{url_name}: write its PATCH row"
            rows[url_name, "PATCH"] = dict.fromkeys(personas, "405") | {"anonymous": anonymous}
    return rows


# Where the Tianjin department's answer is not the county administrator's (see above).
# He manages administrators and leaders, not a township's organizer (portal.roles.GRANTS):
# he reads alice on the API, but may neither open her edit page nor change her.
TIANJIN = {
    ("user_edit", "GET"): "403",
    ("user_edit", "POST"): "403",
    ("user-detail", "PATCH"): "403",
}


def _with_tianjin(rows):
    for key, row in rows.items():
        row["tianjin_admin"] = TIANJIN.get(key, row["county_admin"])
    assert set(TIANJIN) <= set(rows), "TIANJIN names rows that MATRIX does not have"
    return rows


EXPECTED = _with_tianjin(_parse(MATRIX))


def _objects(village_a, alice):
    """The objects URLs are tested on (all in township A, 梅厂镇): the kwargs of each."""
    report = GeneratedReport.objects.create(
        kind="villages.village_list",
        title="村（社区）名单",
        scope_code=alice.division_id,
        requested_by=alice,
        status="done",
    )
    report.file.save("villages.xlsx", ContentFile(b"PK test"), save=True)
    campaign = Campaign.objects.create(
        division_id="120114", year=2026, name="2026年度整顿", started_on=date(2026, 3, 1)
    )
    case = Case.objects.create(
        campaign=campaign,
        village=village_a,
        problems="班子不团结",
        responsible_person="李秀英",
        identified_on=date(2026, 3, 10),
        deadline=date(2026, 12, 31),
    )
    plan = Plan.objects.create(case=case, status="approved")
    task = PlanTask.objects.create(
        plan=plan, measure="选优配强书记", owner="镇党委", due_on=date(2026, 6, 30)
    )
    rating = VillageRating.objects.create(village=village_a, year=2026, stars=3, grade=3)
    batches = {
        kind: ImportBatch.objects.create(
            kind=kind,
            file=ContentFile(b"not a workbook", name="upload.xlsx"),
            original_name="upload.xlsx",
            context={"campaign": campaign.pk},
            scope_code=alice.division_id,
            uploaded_by=alice,
        )
        for kind in ("rectification.ledger", "rectification.ratings", "rectification.acceptance")
    }
    attachment = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        scope_code=village_a.code,
        file=ContentFile(b"%PDF-1.4 evidence", name="evidence.pdf"),
        original_name="会议记录.pdf",
        kind="pdf",
        size=17,
        uploaded_by=alice,
    )
    county_category = Category.objects.create(name="村级组织阵地建设薄弱", division_id="120114")
    county_criterion = AcceptanceCriterion.objects.create(
        name="阵地建设达标", points=100, division_id="120114"
    )
    unit = DispatchUnit.objects.create(
        county_id="120114", name="区财政局", level="county", kind="government"
    )
    # Posted to a village of township A that is not the first secretary's own.
    other_village = Village.objects.filter(township_id=village_a.township_id).exclude(
        pk=village_a.pk
    )[0]
    posted = FirstSecretary.objects.create(
        county_id="120114",
        name="王磊",
        gender="male",
        birth_year=1988,
        education="undergraduate",
        unit=unit,
    )
    posting = Assignment.objects.create(
        secretary=posted,
        village=other_village,
        started_on=date(2026, 3, 1),
        planned_end=date(2028, 2, 28),
    )
    log = WorkLog.objects.create(
        assignment=posting,
        date=date(2026, 4, 1),
        households_visited=8,
        kind="visit",
        summary="走访农户",
    )
    photo = WorkLogPhoto.objects.create(
        log=log,
        image=ContentFile(b"\xff\xd8\xff\xe0 a photo", name="day.jpg"),
        original_name="IMG_0001.jpg",
        width=1600,
        height=1200,
    )
    link = SupportLink.objects.create(case=case, kind="enterprise", name="武清区某建材公司")
    roster_batch = ImportBatch.objects.create(
        kind="firstsecretary.roster",
        file=ContentFile(b"not a workbook", name="roster.xlsx"),
        original_name="roster.xlsx",
        context={"county": "120114"},
        scope_code=alice.division_id,
        uploaded_by=alice,
    )
    record = ActivityRecord.objects.create(
        village=village_a,
        held_on=date(2026, 4, 10),
        kind="theme_day",
        topic="主题党日",
        attendance=25,
    )
    note = Notification.objects.create(user=alice, key="matrix", title="测试", url="/")
    bulk_job = BulkJob.objects.create(
        kind="rectification.case",
        action="close",
        ids=[case.pk],
        scope_code=alice.division_id,
        requested_by=alice,
        status="done",
        results=[{"id": case.pk, "ok": False, "status": "identified", "error": "测试"}],
    )
    api_token = ApiToken.objects.create(user=alice, name="脚本", prefix="abcdefgh", digest="0" * 64)
    activity_plan = ActivityPlan.objects.create(village=village_a, month=date(2026, 12, 1))
    inspection = InspectionRound.objects.create(
        county_id="120114",
        year=2026,
        quarter=4,
        kind="random",
        status="active",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    team = Team.objects.create(round=inspection, name="第一组")
    visit = Visit.objects.create(
        round=inspection,
        team=team,
        village=village_a,
        visited_on=date(2026, 10, 9),
        summary="查阅会议记录",
    )
    finding = Finding.objects.create(
        visit=visit,
        category=Category.objects.first(),
        description="三会一课记录不全",
        severity="serious",
        township_id=village_a.township_id,
        deadline=date(2026, 12, 1),
        status="rectifying",
    )
    circular = Circular.objects.create(
        round=inspection, county_id="120114", year=2026, number=1, title="通报", body="正文"
    )
    return {
        "chooser": {"source": "villages"},
        "round": {"pk": inspection.pk},
        "visit": {"pk": visit.pk},
        "finding": {"pk": finding.pk},
        "circular": {"pk": circular.pk},
        "village_month": {"code": village_a.code, "year": 2026, "month": 12},
        "record": {"pk": record.pk},
        "activity_plan": {"pk": activity_plan.pk},
        "notification": {"pk": note.pk},
        "unit": {"pk": unit.pk},
        # The roster is the county's: township A sees the secretary posted in its village.
        "secretary": {"pk": posted.pk},
        "assignment": {"pk": posting.pk},
        "worklog": {"pk": log.pk},
        "worklog_photo": {"pk": photo.pk},
        "support": {"pk": link.pk},
        "roster_import": {"pk": roster_batch.pk},
        "acceptance_import": {"pk": batches["rectification.acceptance"].pk},
        "bulk_job": {"pk": bulk_job.pk},
        "county_category": {"pk": county_category.pk},
        "county_criterion": {"pk": county_criterion.pk},
        "attachment": {"pk": attachment.pk},
        "ledger_import": {"pk": batches["rectification.ledger"].pk},
        "rating_import": {"pk": batches["rectification.ratings"].pk},
        "campaign": {"pk": campaign.pk},
        "criterion": {"pk": AcceptanceCriterion.objects.filter(division=None).first().pk},
        "api_token": {"pk": api_token.pk},
        "category": {"pk": Category.objects.first().pk},
        "case": {"pk": case.pk},
        "task": {"pk": task.pk},
        "rating": {"pk": rating.pk},
        "village": {"code": village_a.code},
        "venue": {"code": Venue.objects.create(village=village_a, area=180, state="below").pk},
        "division": {"code": village_a.township_id},
        "user": {"pk": alice.pk},
        "report": {"pk": report.pk},
    }


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: staff only, see test_admin_is_for_superusers_only
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, tuple(pattern.pattern.converters) or _regex_params(pattern)


def _regex_params(pattern):
    regex = getattr(pattern.pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


URLS = dict(_walk(get_resolver().url_patterns))


def test_every_url_has_a_row_in_the_matrix():
    rows = {url_name for url_name, _ in EXPECTED}
    assert sorted(set(URLS) - rows) == [], "add rows for these URLs to MATRIX"
    assert sorted(rows - set(URLS)) == [], "these MATRIX rows name URLs that no longer exist"


def test_every_url_with_parameters_names_an_object():
    for name, params in URLS.items():
        if params:
            assert name in URL_OBJECT, f"{name} takes {params}: add it to URL_OBJECT"


CLOCK = datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
METHODS = ("GET", "POST", "PATCH")


def _refused(url_name, method):
    """Whether the row says every logged-in persona gets 405: the URL does not take it."""
    row = EXPECTED.get((url_name, method))
    return row is not None and all(
        code == "405" for persona_name, code in row.items() if persona_name != "anonymous"
    )


# The methods each URL takes, asked of each persona in a case of its own; the methods it
# refuses are asked of every persona in one case per URL (test_methods_a_url_refuses).
ACCEPTED = [
    (url_name, method)
    for url_name in sorted(URLS)
    for method in METHODS
    if not _refused(url_name, method)
]
REFUSED = {
    url_name: [method for method in METHODS if _refused(url_name, method)]
    for url_name in sorted(URLS)
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The personas' users and the objects (see `_objects`), written once for the module on
    the matrix's day. Every case still runs in its own transaction, rolled back after it,
    so what one request changes no other case sees."""
    with kept_for_the_module(django_db_blocker):
        with time_machine.travel(CLOCK, tick=False):
            users = {name: make_persona(name) for name in PERSONAS if name != "anonymous"}
            objects = _objects(first_village_of_township_a(), users["alice"])
            sessions = {name: _logged_in(user) for name, user in users.items()}
        yield users, objects, sessions


def _logged_in(user):
    """The key of a session in which the user has logged in, written once for the module:
    each case sends it as its cookie instead of logging in again (a quarter of a case's
    time). What a request writes to the session is rolled back with its case."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def persona(world, db):
    """The world's user of a persona (None for anonymous)."""
    users, _objects, _sessions = world
    return users.get


@pytest.fixture
def clock():
    """A fixed day: whether a visit has happened, or a month's plan is due, is not today's."""
    with time_machine.travel(CLOCK):
        yield


def _ask(client, url_name, kwargs, session, method):
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    url = reverse(url_name, kwargs=kwargs)
    if method == "GET":
        return url, client.get(url)
    if method == "POST":
        return url, client.post(url, {})
    return url, client.patch(url, "{}", content_type="application/json")


def _wrong(url, response, want, persona_name, method):
    """What is wrong with the answer (None if it is the one the matrix expects)."""
    got = response.status_code
    where = f"{method} {url} as {persona_name}: {got}, expected {want}"
    if want == "ok":
        return None if got in ((200,) if method == "GET" else (200, 201, 302, 400, 409)) else where
    if want == "login":
        if got == 302 and response["Location"].startswith(reverse("login")):
            return None
        return where
    return None if str(got) == want else where


def _kwargs(objects, url_name):
    return objects[URL_OBJECT[url_name]] if url_name in URL_OBJECT else {}


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("url_name, method", ACCEPTED)
def test_access(client, world, db, clock, url_name, persona_name, method):
    _users, objects, sessions = world
    url, response = _ask(
        client, url_name, _kwargs(objects, url_name), sessions.get(persona_name), method
    )
    want = EXPECTED.get((url_name, method), {}).get(persona_name, "a row in MATRIX")
    problem = _wrong(url, response, want, persona_name, method)
    assert problem is None, problem


@pytest.mark.parametrize("url_name", [url_name for url_name in sorted(URLS) if REFUSED[url_name]])
def test_methods_a_url_refuses(world, db, clock, url_name):
    """Each method the URL refuses, asked by every persona: 405 to each logged-in user, and
    to anonymous users what the row says (the login page, 403 from the API, or 405). Each
    request runs in a transaction of its own, rolled back after it."""
    _users, objects, sessions = world
    problems = []
    for method in REFUSED[url_name]:
        for persona_name in PERSONAS:
            with transaction.atomic():
                url, response = _ask(
                    Client(),
                    url_name,
                    _kwargs(objects, url_name),
                    sessions.get(persona_name),
                    method,
                )
                transaction.set_rollback(True)
            want = EXPECTED[url_name, method][persona_name]
            problems.append(_wrong(url, response, want, persona_name, method))
    assert [problem for problem in problems if problem] == []


def test_every_method_of_every_url_is_asked_of_every_persona():
    asked = {(url_name, method) for url_name, method in ACCEPTED}
    asked |= {(url_name, method) for url_name, methods in REFUSED.items() for method in methods}
    assert asked == {(url_name, method) for url_name in URLS for method in METHODS}
    assert len(ACCEPTED) * len(PERSONAS) + sum(map(len, REFUSED.values())) * len(PERSONAS) == (
        len(URLS) * len(METHODS) * len(PERSONAS)
    )


@pytest.mark.parametrize("persona_name", [p for p in PERSONAS if p != "superuser"])
def test_admin_is_for_superusers_only(client, persona, persona_name):
    user = persona(persona_name)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_superuser_reaches_the_admin(client, persona):
    client.force_login(persona("superuser"))
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_download_streams_the_file_to_those_in_scope(client, world, persona):
    _users, objects, _sessions = world
    client.force_login(persona("county_admin"))
    response = client.get(reverse("report_download", kwargs=objects["report"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK test"
