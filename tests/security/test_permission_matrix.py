# Long module: the expected matrix is one table, a line per door and method, so that a
# door's answers for every role read across one line and every door is in one place.
"""The permission matrix: every door of the admin and the API, for every role, against an
object inside and one outside a limited user's condition scope, with the intended answer
in one table (issue 12).

The doors are enumerated from the URLconf (tests.support.permission_matrix.enumerate_doors):
every pattern under /admin/, /api/ and /fhir/ with the methods that reach a view. A door
without a row fails ``test_every_door_has_a_row``, so a new door cannot be added unseen; a
row whose door is gone fails ``test_no_row_is_stale``.

Reading the table
-----------------
One line per door and method. ``door`` is the URL name (the route pattern when the
pattern has none); ``[...]`` after it names a variant of the same door (another bulk
action, another parent...). ``object`` is what the request is aimed at:

- ``-``: no object (or one that does not matter);
- a condition-scoped kind (condition, verdict, study, guidelineposition, candidate,
  savedsearch): checked twice, with the object under CHILD_IN (inside the limited
  users' scope, ROOT_IN) and with the one under CHILD_OUT. For an add it is the parent
  the new object is put under;
- importjob / importjobitem: checked with the caller's own job and someone else's;
- any other kind: its one object; ``kind:which`` checks only that object.

A cell is one symbol for every object, or ``inside/outside`` (``own/other``):

  A  ALLOW     L  LOGIN (admin login page / API 401)     D  DENY (403; refused write)
  H  HIDDEN (404, the admin's "doesn't exist" redirect, not listed)
  R  REFUSED (D or H)     N  404 for everyone     -  not checked

The exact status codes behind each symbol are in symbol_matches(); every write is also
judged by its effect (the rows before and after): an allowed write changed the database,
any other answer left it as it was.

Columns: anon(ymous), viewer (Viewer), l_ed (Editor limited to ROOT_IN), g_ed (Editor
without scope), l_rev (Reviewer limited to ROOT_IN), super(user).

The table is the intended rule (CONVENTIONS.md, "Who may do what"), not what the code
does today: a failing check is a door to fix, not a row to change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from tests.support import permission_matrix as pm

MATRIX = """
door                                                        method object            anon   viewer l_ed   g_ed   l_rev  super
admin:index                                                 GET    -                 L      A      A      A      A      A
admin:login                                                 GET    -                 A      A      A      A      A      A
admin:logout                                                POST   -                 L      A      A      A      A      A
admin:password_change                                       GET    -                 L      A      A      A      A      A
admin:password_change                                       POST   -                 L      A      A      A      A      A
admin:password_change_done                                  GET    -                 L      A      A      A      A      A
admin:autocomplete                                          GET    condition         L      A      A/H    A      A/H    A
admin:jsi18n                                                GET    -                 L      A      A      A      A      A
admin:view_on_site                                          GET    verdict           L      A      A      A      A      A
admin:auth_group_changelist                                 GET    group             L      D      D      D      D      A
admin:auth_group_changelist                                 POST   group             L      D      D      D      D      A
admin:auth_group_add                                        GET    -                 L      D      D      D      D      A
admin:auth_group_add                                        POST   -                 L      D      D      D      D      A
admin:auth_group_history                                    GET    group             L      D      D      D      D      A
admin:auth_group_delete                                     GET    group             L      D      D      D      D      A
admin:auth_group_delete                                     POST   group             L      D      D      D      D      A
admin:auth_group_change                                     GET    group             L      D      D      D      D      A
admin:auth_group_change                                     POST   group             L      D      D      D      D      A
admin/auth/group/<path:object_id>/                          GET    -                 L      A      A      A      A      A
admin:auth_user_password_change                             GET    user              L      D      D      D      D      A
admin:auth_user_password_change                             POST   user              L      D      D      D      D      A
admin:auth_user_changelist                                  GET    user              L      D      D      D      D      A
admin:auth_user_changelist                                  POST   user              L      D      D      D      D      A
admin:auth_user_add                                         GET    -                 L      D      D      D      D      A
admin:auth_user_add                                         POST   -                 L      D      D      D      D      A
admin:auth_user_history                                     GET    user              L      D      D      D      D      A
admin:auth_user_delete                                      GET    user              L      D      D      D      D      A
admin:auth_user_delete                                      POST   user              L      D      D      D      D      A
admin:auth_user_change                                      GET    user              L      D      D      D      D      A
admin:auth_user_change                                      POST   user              L      D      D      D      D      A
admin/auth/user/<path:object_id>/                           GET    -                 L      A      A      A      A      A
admin:authtoken_tokenproxy_changelist                       GET    tokenproxy        L      D      D      D      D      A
admin:authtoken_tokenproxy_changelist                       POST   tokenproxy        L      D      D      D      D      D
admin:authtoken_tokenproxy_add                              GET    -                 L      D      D      D      D      A
admin:authtoken_tokenproxy_add                              POST   -                 L      D      D      D      D      A
admin:authtoken_tokenproxy_history                          GET    tokenproxy        L      D      D      D      D      A
admin:authtoken_tokenproxy_delete                           GET    tokenproxy        L      D      D      D      D      A
admin:authtoken_tokenproxy_delete                           POST   tokenproxy        L      D      D      D      D      A
admin:authtoken_tokenproxy_change                           GET    tokenproxy        L      D      D      D      D      A
admin:authtoken_tokenproxy_change                           POST   tokenproxy        L      D      D      D      D      A
admin/authtoken/tokenproxy/<path:object_id>/                GET    -                 L      A      A      A      A      A
admin:django_celery_beat_periodictask_changelist            GET    periodictask      L      D      D      D      D      A
admin:django_celery_beat_periodictask_changelist            POST   periodictask      L      D      D      D      D      A
admin:django_celery_beat_periodictask_add                   GET    -                 L      D      D      D      D      A
admin:django_celery_beat_periodictask_add                   POST   -                 L      D      D      D      D      A
admin:django_celery_beat_periodictask_history               GET    periodictask      L      D      D      D      D      A
admin:django_celery_beat_periodictask_delete                GET    periodictask      L      D      D      D      D      A
admin:django_celery_beat_periodictask_delete                POST   periodictask      L      D      D      D      D      A
admin:django_celery_beat_periodictask_change                GET    periodictask      L      D      D      D      D      A
admin:django_celery_beat_periodictask_change                POST   periodictask      L      D      D      D      D      A
admin/django_celery_beat/periodictask/<path:object_id>/     GET    -                 L      A      A      A      A      A
admin:django_celery_beat_clockedschedule_changelist         GET    clockedschedule   L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_changelist         POST   clockedschedule   L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_add                GET    -                 L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_add                POST   -                 L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_history            GET    clockedschedule   L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_delete             GET    clockedschedule   L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_delete             POST   clockedschedule   L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_change             GET    clockedschedule   L      D      D      D      D      A
admin:django_celery_beat_clockedschedule_change             POST   clockedschedule   L      D      D      D      D      A
admin/django_celery_beat/clockedschedule/<path:object_id>/  GET    -                 L      A      A      A      A      A
admin:django_celery_beat_crontabschedule_changelist         GET    crontabschedule   L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_changelist         POST   crontabschedule   L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_add                GET    -                 L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_add                POST   -                 L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_history            GET    crontabschedule   L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_delete             GET    crontabschedule   L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_delete             POST   crontabschedule   L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_change             GET    crontabschedule   L      D      D      D      D      A
admin:django_celery_beat_crontabschedule_change             POST   crontabschedule   L      D      D      D      D      A
admin/django_celery_beat/crontabschedule/<path:object_id>/  GET    -                 L      A      A      A      A      A
admin:django_celery_beat_solarschedule_changelist           GET    solarschedule     L      D      D      D      D      A
admin:django_celery_beat_solarschedule_changelist           POST   solarschedule     L      D      D      D      D      A
admin:django_celery_beat_solarschedule_add                  GET    -                 L      D      D      D      D      A
admin:django_celery_beat_solarschedule_add                  POST   -                 L      D      D      D      D      A
admin:django_celery_beat_solarschedule_history              GET    solarschedule     L      D      D      D      D      A
admin:django_celery_beat_solarschedule_delete               GET    solarschedule     L      D      D      D      D      A
admin:django_celery_beat_solarschedule_delete               POST   solarschedule     L      D      D      D      D      A
admin:django_celery_beat_solarschedule_change               GET    solarschedule     L      D      D      D      D      A
admin:django_celery_beat_solarschedule_change               POST   solarschedule     L      D      D      D      D      A
admin/django_celery_beat/solarschedule/<path:object_id>/    GET    -                 L      A      A      A      A      A
admin:django_celery_beat_intervalschedule_changelist        GET    intervalschedule  L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_changelist        POST   intervalschedule  L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_add               GET    -                 L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_add               POST   -                 L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_history           GET    intervalschedule  L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_delete            GET    intervalschedule  L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_delete            POST   intervalschedule  L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_change            GET    intervalschedule  L      D      D      D      D      A
admin:django_celery_beat_intervalschedule_change            POST   intervalschedule  L      D      D      D      D      A
admin/django_celery_beat/intervalschedule/<path:object_id>/ GET    -                 L      A      A      A      A      A
admin:axes_accessattempt_changelist                         GET    accessattempt     L      D      D      D      D      A
admin:axes_accessattempt_changelist                         POST   accessattempt     L      D      D      D      D      A
admin:axes_accessattempt_add                                GET    -                 L      D      D      D      D      D
admin:axes_accessattempt_add                                POST   -                 L      D      D      D      D      D
admin:axes_accessattempt_history                            GET    accessattempt     L      D      D      D      D      A
admin:axes_accessattempt_delete                             GET    accessattempt     L      D      D      D      D      A
admin:axes_accessattempt_delete                             POST   accessattempt     L      D      D      D      D      A
admin:axes_accessattempt_change                             GET    accessattempt     L      D      D      D      D      A
admin:axes_accessattempt_change                             POST   accessattempt     L      D      D      D      D      D
admin/axes/accessattempt/<path:object_id>/                  GET    -                 L      A      A      A      A      A
admin:axes_accesslog_changelist                             GET    accesslog         L      D      D      D      D      A
admin:axes_accesslog_changelist                             POST   accesslog         L      D      D      D      D      A
admin:axes_accesslog_add                                    GET    -                 L      D      D      D      D      D
admin:axes_accesslog_add                                    POST   -                 L      D      D      D      D      D
admin:axes_accesslog_history                                GET    accesslog         L      D      D      D      D      A
admin:axes_accesslog_delete                                 GET    accesslog         L      D      D      D      D      A
admin:axes_accesslog_delete                                 POST   accesslog         L      D      D      D      D      A
admin:axes_accesslog_change                                 GET    accesslog         L      D      D      D      D      A
admin:axes_accesslog_change                                 POST   accesslog         L      D      D      D      D      D
admin/axes/accesslog/<path:object_id>/                      GET    -                 L      A      A      A      A      A
admin:axes_accessfailurelog_changelist                      GET    accessfailurelog  L      D      D      D      D      A
admin:axes_accessfailurelog_changelist                      POST   accessfailurelog  L      D      D      D      D      A
admin:axes_accessfailurelog_add                             GET    -                 L      D      D      D      D      D
admin:axes_accessfailurelog_add                             POST   -                 L      D      D      D      D      D
admin:axes_accessfailurelog_history                         GET    accessfailurelog  L      D      D      D      D      A
admin:axes_accessfailurelog_delete                          GET    accessfailurelog  L      D      D      D      D      A
admin:axes_accessfailurelog_delete                          POST   accessfailurelog  L      D      D      D      D      A
admin:axes_accessfailurelog_change                          GET    accessfailurelog  L      D      D      D      D      A
admin:axes_accessfailurelog_change                          POST   accessfailurelog  L      D      D      D      D      D
admin/axes/accessfailurelog/<path:object_id>/               GET    -                 L      A      A      A      A      A
admin:references_reference_duplicates                      GET    -                 L      D      A      A      A      A
admin:references_reference_duplicates                      POST   -                 L      D      D      D      D      A
admin:references_reference_simple_history                   GET    reference         L      A      A      A      A      A
admin:references_reference_simple_history                   POST   reference         L      D      A      A      A      A
admin:references_reference_changelist                       GET    reference         L      A      A      A      A      A
admin:references_reference_changelist                       POST   reference         L      D      D      D      D      A
admin:references_reference_add                              GET    -                 L      D      A      A      A      A
admin:references_reference_add                              POST   -                 L      D      A      A      A      A
admin:references_reference_history                          GET    reference         L      A      A      A      A      A
admin:references_reference_delete                           GET    reference         L      D      D      D      D      A
admin:references_reference_delete                           POST   reference         L      D      D      D      D      A
admin:references_reference_change                           GET    reference         L      A      A      A      A      A
admin:references_reference_change                           POST   reference         L      D      A      A      A      A
admin/references/reference/<path:object_id>/                GET    -                 L      A      A      A      A      A
admin:references_referencenotice_changelist                 GET    referencenotice   L      A      A      A      A      A
admin:references_referencenotice_changelist                 POST   referencenotice   L      D      D      D      D      A
admin:references_referencenotice_add                        GET    -                 L      D      A      A      A      A
admin:references_referencenotice_add                        POST   -                 L      D      A      A      A      A
admin:references_referencenotice_history                    GET    referencenotice   L      A      A      A      A      A
admin:references_referencenotice_delete                     GET    referencenotice   L      D      D      D      D      A
admin:references_referencenotice_delete                     POST   referencenotice   L      D      D      D      D      A
admin:references_referencenotice_change                     GET    referencenotice   L      A      A      A      A      A
admin:references_referencenotice_change                     POST   referencenotice   L      D      A      A      A      A
admin/references/referencenotice/<path:object_id>/          GET    -                 L      A      A      A      A      A
admin:references_importjob_changelist                       GET    importjob         L      A/H    A/H    A/H    A/H    A/A
admin:references_importjob_changelist                       POST   importjob         L      D      D      D      D      A/A
admin:references_importjob_add                              GET    -                 L      D      A      A      A      A
admin:references_importjob_add                              POST   -                 L      D      A      A      A      A
admin:references_importjob_history                          GET    importjob         L      A/H    A/H    A/H    A/H    A/A
admin:references_importjob_delete                           GET    importjob         L      D/H    D/H    D/H    D/H    A/A
admin:references_importjob_delete                           POST   importjob         L      D/H    D/H    D/H    D/H    A/A
admin:references_importjob_change                           GET    importjob         L      A/H    A/H    A/H    A/H    A/A
admin:references_importjob_change                           POST   importjob         L      D/H    D/H    D/H    D/H    D
admin:references_importjob_retry                            POST   importjob         L      D/H    A/H    A/H    A/H    A/A
admin/references/importjob/<path:object_id>/                GET    -                 L      A      A      A      A      A
admin:references_importjobitem_changelist                   GET    importjobitem     L      A/H    A/H    A/H    A/H    A/A
admin:references_importjobitem_changelist                   POST   importjobitem     L      D      D      D      D      A/A
admin:references_importjobitem_add                          GET    -                 L      D      D      D      D      D
admin:references_importjobitem_add                          POST   -                 L      D      D      D      D      D
admin:references_importjobitem_history                      GET    importjobitem     L      A/H    A/H    A/H    A/H    A/A
admin:references_importjobitem_delete                       GET    importjobitem     L      D/H    D/H    D/H    D/H    A/A
admin:references_importjobitem_delete                       POST   importjobitem     L      D/H    D/H    D/H    D/H    A/A
admin:references_importjobitem_change                       GET    importjobitem     L      A/H    A/H    A/H    A/H    A/A
admin:references_importjobitem_change                       POST   importjobitem     L      D/H    D/H    D/H    D/H    D
admin/references/importjobitem/<path:object_id>/            GET    -                 L      A      A      A      A      A
admin:therapies_therapy_simple_history                      GET    therapy           L      A      A      A      A      A
admin:therapies_therapy_simple_history                      POST   therapy           L      D      A      A      A      A
admin:therapies_therapy_changelist                          GET    therapy           L      A      A      A      A      A
admin:therapies_therapy_changelist                          POST   therapy           L      D      A      A      A      A
admin:therapies_therapy_add                                 GET    -                 L      D      A      A      A      A
admin:therapies_therapy_add                                 POST   -                 L      D      A      A      A      A
admin:therapies_therapy_history                             GET    therapy           L      A      A      A      A      A
admin:therapies_therapy_delete                              GET    therapy           L      D      A      A      A      A
admin:therapies_therapy_delete                              POST   therapy           L      D      A      A      A      A
admin:therapies_therapy_change                              GET    therapy           L      A      A      A      A      A
admin:therapies_therapy_change                              POST   therapy           L      D      A      A      A      A
admin/therapies/therapy/<path:object_id>/                   GET    -                 L      A      A      A      A      A
admin:therapies_formulation_simple_history                  GET    formulation       L      A      A      A      A      A
admin:therapies_formulation_simple_history                  POST   formulation       L      D      A      A      A      A
admin:therapies_formulation_changelist                      GET    formulation       L      A      A      A      A      A
admin:therapies_formulation_changelist                      POST   formulation       L      D      A      A      A      A
admin:therapies_formulation_add                             GET    -                 L      D      A      A      A      A
admin:therapies_formulation_add                             POST   -                 L      D      A      A      A      A
admin:therapies_formulation_history                         GET    formulation       L      A      A      A      A      A
admin:therapies_formulation_delete                          GET    formulation       L      D      A      A      A      A
admin:therapies_formulation_delete                          POST   formulation       L      D      A      A      A      A
admin:therapies_formulation_change                          GET    formulation       L      A      A      A      A      A
admin:therapies_formulation_change                          POST   formulation       L      D      A      A      A      A
admin/therapies/formulation/<path:object_id>/               GET    -                 L      A      A      A      A      A
admin:therapies_adverseeffect_simple_history                GET    adverseeffect     L      A      A      A      A      A
admin:therapies_adverseeffect_simple_history                POST   adverseeffect     L      D      A      A      A      A
admin:therapies_adverseeffect_changelist                    GET    adverseeffect     L      A      A      A      A      A
admin:therapies_adverseeffect_changelist                    POST   adverseeffect     L      D      A      A      A      A
admin:therapies_adverseeffect_add                           GET    -                 L      D      A      A      A      A
admin:therapies_adverseeffect_add                           POST   -                 L      D      A      A      A      A
admin:therapies_adverseeffect_history                       GET    adverseeffect     L      A      A      A      A      A
admin:therapies_adverseeffect_delete                        GET    adverseeffect     L      D      A      A      A      A
admin:therapies_adverseeffect_delete                        POST   adverseeffect     L      D      A      A      A      A
admin:therapies_adverseeffect_change                        GET    adverseeffect     L      A      A      A      A      A
admin:therapies_adverseeffect_change                        POST   adverseeffect     L      D      A      A      A      A
admin/therapies/adverseeffect/<path:object_id>/             GET    -                 L      A      A      A      A      A
admin:therapies_contraindication_simple_history             GET    contraindication  L      A      A      A      A      A
admin:therapies_contraindication_simple_history             POST   contraindication  L      D      A      A      A      A
admin:therapies_contraindication_changelist                 GET    contraindication  L      A      A      A      A      A
admin:therapies_contraindication_changelist                 POST   contraindication  L      D      A      A      A      A
admin:therapies_contraindication_add                        GET    -                 L      D      A      A      A      A
admin:therapies_contraindication_add                        POST   -                 L      D      A      A      A      A
admin:therapies_contraindication_history                    GET    contraindication  L      A      A      A      A      A
admin:therapies_contraindication_delete                     GET    contraindication  L      D      A      A      A      A
admin:therapies_contraindication_delete                     POST   contraindication  L      D      A      A      A      A
admin:therapies_contraindication_change                     GET    contraindication  L      A      A      A      A      A
admin:therapies_contraindication_change                     POST   contraindication  L      D      A      A      A      A
admin/therapies/contraindication/<path:object_id>/          GET    -                 L      A      A      A      A      A
admin:therapies_regulatorystatus_simple_history             GET    regulatorystatus  L      A      A      A      A      A
admin:therapies_regulatorystatus_simple_history             POST   regulatorystatus  L      D      A      A      A      A
admin:therapies_regulatorystatus_changelist                 GET    regulatorystatus  L      A      A      A      A      A
admin:therapies_regulatorystatus_changelist                 POST   regulatorystatus  L      D      A      A      A      A
admin:therapies_regulatorystatus_add                        GET    -                 L      D      A      A      A      A
admin:therapies_regulatorystatus_add                        POST   -                 L      D      A      A      A      A
admin:therapies_regulatorystatus_history                    GET    regulatorystatus  L      A      A      A      A      A
admin:therapies_regulatorystatus_delete                     GET    regulatorystatus  L      D      A      A      A      A
admin:therapies_regulatorystatus_delete                     POST   regulatorystatus  L      D      A      A      A      A
admin:therapies_regulatorystatus_change                     GET    regulatorystatus  L      A      A      A      A      A
admin:therapies_regulatorystatus_change                     POST   regulatorystatus  L      D      A      A      A      A
admin/therapies/regulatorystatus/<path:object_id>/          GET    -                 L      A      A      A      A      A
admin:evidence_candidate_include                            POST   candidate         L      D      A/H    A      A/H    A
admin:evidence_candidate_exclude                            POST   candidate         L      D      A/H    A      A/H    A
admin:evidence_candidate_changelist                         GET    candidate         L      A      A/H    A      A/H    A
admin:evidence_candidate_changelist                         POST   candidate         L      D      A/H    A      A/H    A
admin:evidence_candidate_add                                GET    -                 L      D      D      D      D      D
admin:evidence_candidate_add                                POST   -                 L      D      D      D      D      D
admin:evidence_candidate_history                            GET    candidate         L      A      A/H    A      A/H    A
admin:evidence_candidate_delete                             GET    candidate         L      D      D      D      D      D
admin:evidence_candidate_delete                             POST   candidate         L      D      D      D      D      D
admin:evidence_candidate_change                             GET    candidate         L      A      A/H    A      A/H    A
admin:evidence_candidate_change                             POST   candidate         L      D      A/H    A      A/H    A
admin/evidence/candidate/<path:object_id>/                  GET    -                 L      A      A      A      A      A
admin:evidence_savedsearch_simple_history                   GET    savedsearch       L      A      A/H    A      A/H    A
admin:evidence_savedsearch_simple_history                   POST   savedsearch       L      D      A/H    A      A/H    A
admin:evidence_savedsearch_changelist                       GET    savedsearch       L      A      A/H    A      A/H    A
admin:evidence_savedsearch_changelist                       POST   savedsearch       L      D      A/H    A      A/H    A
admin:evidence_savedsearch_add                              GET    -                 L      D      A      A      A      A
admin:evidence_savedsearch_add                              POST   savedsearch       L      D      A/D    A      A/D    A
admin:evidence_savedsearch_history                          GET    savedsearch       L      A      A/H    A      A/H    A
admin:evidence_savedsearch_delete                           GET    savedsearch       L      D      A/H    A      A/H    A
admin:evidence_savedsearch_delete                           POST   savedsearch       L      D      A/H    A      A/H    A
admin:evidence_savedsearch_change                           GET    savedsearch       L      A      A/H    A      A/H    A
admin:evidence_savedsearch_change                           POST   savedsearch       L      D      A/H    A      A/H    A
admin/evidence/savedsearch/<path:object_id>/                GET    -                 L      A      A      A      A      A
admin:evidence_digestlog_changelist                         GET    digestlog         L      A      A      A      A      A
admin:evidence_digestlog_changelist                         POST   digestlog         L      D      D      D      D      A
admin:evidence_digestlog_add                                GET    -                 L      D      D      D      D      D
admin:evidence_digestlog_add                                POST   -                 L      D      D      D      D      D
admin:evidence_digestlog_history                            GET    digestlog         L      A      A      A      A      A
admin:evidence_digestlog_delete                             GET    digestlog         L      D      D      D      D      A
admin:evidence_digestlog_delete                             POST   digestlog         L      D      D      D      D      A
admin:evidence_digestlog_change                             GET    digestlog         L      A      A      A      A      A
admin:evidence_digestlog_change                             POST   digestlog         L      D      D      D      D      D
admin/evidence/digestlog/<path:object_id>/                  GET    -                 L      A      A      A      A      A
admin:evidence_condition_simple_history                     GET    condition         L      A      A/H    A      A/H    A
admin:evidence_condition_simple_history                     POST   condition         L      D      A/H    A      A/H    A
admin:evidence_condition_changelist                         GET    condition         L      A      A/H    A      A/H    A
admin:evidence_condition_changelist                         POST   condition         L      D      D      D      D      A
admin:evidence_condition_add                                GET    -                 L      D      A      A      A      A
admin:evidence_condition_add                                POST   condition         L      D      A/D    A      A/D    A
admin:evidence_condition_history                            GET    condition         L      A      A/H    A      A/H    A
admin:evidence_condition_delete                             GET    condition         L      D      D      D      D      A
admin:evidence_condition_delete                             POST   condition         L      D      D      D      D      A
admin:evidence_condition_change                             GET    condition         L      A      A/H    A      A/H    A
admin:evidence_condition_change                             POST   condition         L      D      A/H    A      A/H    A
admin/evidence/condition/<path:object_id>/                  GET    -                 L      A      A      A      A      A
admin:evidence_editorscope_changelist                       GET    editorscope       L      A      D      D      D      A
admin:evidence_editorscope_changelist                       POST   editorscope       L      D      D      D      D      A
admin:evidence_editorscope_add                              GET    -                 L      D      D      D      D      A
admin:evidence_editorscope_add                              POST   -                 L      D      D      D      D      A
admin:evidence_editorscope_history                          GET    editorscope       L      A      D      D      D      A
admin:evidence_editorscope_delete                           GET    editorscope       L      D      D      D      D      A
admin:evidence_editorscope_delete                           POST   editorscope       L      D      D      D      D      A
admin:evidence_editorscope_change                           GET    editorscope       L      A      D      D      D      A
admin:evidence_editorscope_change                           POST   editorscope       L      D      D      D      D      A
admin/evidence/editorscope/<path:object_id>/                GET    -                 L      A      A      A      A      A
admin:evidence_verdict_needs_review                         GET    -                 L      A      A      A      A      A
admin:evidence_verdict_sign_off                             POST   verdict           L      D      D/R    D      A/R    A
admin:evidence_verdict_publish                              POST   verdict           L      D      D/R    D      A/R    A
admin:evidence_verdict_simple_history                       GET    verdict           L      A      A/H    A      A/H    A
admin:evidence_verdict_simple_history                       POST   verdict           L      D      A/H    A      A/H    A
admin:evidence_verdict_changelist                           GET    verdict           L      A      A/H    A      A/H    A
admin:evidence_verdict_changelist                           POST   verdict           L      D      A/H    A      A/H    A
admin:evidence_verdict_add                                  GET    -                 L      D      D      D      D      A
admin:evidence_verdict_add                                  POST   verdict           L      D      D      D      D      A
admin:evidence_verdict_history                              GET    verdict           L      A      A/H    A      A/H    A
admin:evidence_verdict_delete                               GET    verdict           L      D      D      D      D      A
admin:evidence_verdict_delete                               POST   verdict           L      D      D      D      D      A
admin:evidence_verdict_change                               GET    verdict           L      A      A/H    A      A/H    A
admin:evidence_verdict_change                               POST   verdict           L      D      A/H    A      A/H    A
admin/evidence/verdict/<path:object_id>/                    GET    -                 L      A      A      A      A      A
admin:evidence_study_simple_history                         GET    study             L      A      A/H    A      A/H    A
admin:evidence_study_simple_history                         POST   study             L      D      A/H    A      A/H    A
admin:evidence_study_changelist                             GET    study             L      A      A/H    A      A/H    A
admin:evidence_study_changelist                             POST   study             L      D      A/H    A      A/H    A
admin:evidence_study_add                                    GET    -                 L      D      A      A      A      A
admin:evidence_study_add                                    POST   study             L      D      A/D    A      A/D    A
admin:evidence_study_history                                GET    study             L      A      A/H    A      A/H    A
admin:evidence_study_delete                                 GET    study             L      D      A/H    A      A/H    A
admin:evidence_study_delete                                 POST   study             L      D      A/H    A      A/H    A
admin:evidence_study_change                                 GET    study             L      A      A/H    A      A/H    A
admin:evidence_study_change                                 POST   study             L      D      A/H    A      A/H    A
admin/evidence/study/<path:object_id>/                      GET    -                 L      A      A      A      A      A
admin:evidence_guidelineposition_simple_history             GET    guidelineposition L      A      A/H    A      A/H    A
admin:evidence_guidelineposition_simple_history             POST   guidelineposition L      D      A/H    A      A/H    A
admin:evidence_guidelineposition_changelist                 GET    guidelineposition L      A      A/H    A      A/H    A
admin:evidence_guidelineposition_changelist                 POST   guidelineposition L      D      A/H    A      A/H    A
admin:evidence_guidelineposition_add                        GET    -                 L      D      A      A      A      A
admin:evidence_guidelineposition_add                        POST   guidelineposition L      D      A/D    A      A/D    A
admin:evidence_guidelineposition_history                    GET    guidelineposition L      A      A/H    A      A/H    A
admin:evidence_guidelineposition_delete                     GET    guidelineposition L      D      A/H    A      A/H    A
admin:evidence_guidelineposition_delete                     POST   guidelineposition L      D      A/H    A      A/H    A
admin:evidence_guidelineposition_change                     GET    guidelineposition L      A      A/H    A      A/H    A
admin:evidence_guidelineposition_change                     POST   guidelineposition L      D      A/H    A      A/H    A
admin/evidence/guidelineposition/<path:object_id>/          GET    -                 L      A      A      A      A      A
admin:app_list                                              GET    -                 L      A      A      A      A      A
admin/(?P<url>.*)$                                          GET    -                 L      N      N      N      N      N
api:evidence:condition-list                                 GET    -                 A      A      A      A      A      A
api:evidence:condition-detail                               GET    condition         A      A      A      A      A      A
api:evidence:condition-references                           GET    condition         A      A      A      A      A      A
api:evidence:condition-summary                              GET    condition         A      A      A      A      A      A
api:evidence:verdict-list                                   GET    -                 A      A      A      A      A      A
api:evidence:verdict-detail                                 GET    verdict           A      A      A      A      A      A
api:evidence:verdict-detail                                 PATCH  verdict           L      D      A/D    A      A/D    A
api:evidence:verdict-history                                GET    verdict           A      A      A      A      A      A
api:evidence:verdict-references                             GET    verdict           A      A      A      A      A      A
api:evidence:verdict-publish                                POST   verdict           L      D      D      D      A/D    A
api:evidence:verdict-versions                               GET    verdict           A      A      A      A      A      A
api:evidence:verdict-version                                GET    verdict           A      A      A      A      A      A
api:evidence:study-list                                     GET    -                 A      A      A      A      A      A
api:evidence:study-list                                     POST   study             L      D      A/D    A      A/D    A
api:evidence:study-detail                                   GET    study             A      A      A      A      A      A
api:evidence:study-detail                                   PATCH  study             L      D      A/D    A      A/D    A
api:evidence:study-detail                                   DELETE study             L      D      A/D    A      A/D    A
api:evidence:candidate-list                                 GET    candidate         L      A      A/H    A      A/H    A
api:evidence:candidate-detail                               GET    candidate         L      A      A/H    A      A/H    A
api:evidence:candidate-exclude                              POST   candidate         L      D      A/H    A      A/H    A
api:evidence:candidate-include                              POST   candidate         L      D      A/H    A      A/H    A
api:therapies:therapy-list                                  GET    -                 A      A      A      A      A      A
api:therapies:therapy-detail                                GET    therapy           A      A      A      A      A      A
api:references:reference-list                               GET    -                 A      A      A      A      A      A
api:references:reference-detail                             GET    reference         A      A      A      A      A      A
api:references:importjob-list                               POST   -                 L      D      A      A      A      A
api:references:importjob-detail                             GET    importjob         L      A/H    A/H    A/H    A/H    A/A
api:token                                                   POST   -                 -      A      A      A      A      A
api:token                                                   DELETE -                 L      A      A      A      A      A
api:schema                                                  GET    -                 A      A      A      A      A      A
api:docs                                                    GET    -                 A      A      A      A      A      A
api:not-found                                               GET    -                 N      N      N      N      N      N
fhir:metadata                                               GET    -                 A      A      A      A      A      A
fhir:citation-search                                        GET    reference         A      A      A      A      A      A
fhir:citation-read                                          GET    reference         A      A      A      A      A      A
fhir:evidence-read                                          GET    study             A      A      A      A      A      A
fhir:artifactassessment-read                                GET    verdict           A      A      A      A      A      A
fhir:bundle-search                                          GET    condition         A      A      A      A      A      A
fhir:not-found                                              GET    -                 N      N      N      N      N      N
admin:app_list[auth]                                        GET    -                 L      H      H      H      H      A
admin:evidence_verdict_changelist[sign_off_selected]        POST   verdict           L      D      D      D      A/H    A
admin:evidence_study_simple_history[to_ROOT_OUT]            POST   study:moved       L      D      D      A      D      A
admin:evidence_condition_change[parent=CHILD_IN]            POST   condition:out     L      D      R      A      R      A
admin:evidence_condition_change[parent=ROOT_OUT]            POST   condition:in      L      D      D      A      D      A
admin:evidence_condition_add[no_parent]                     POST   -                 L      D      D      A      D      A
"""  # noqa: E501

SCOPED_KINDS = {"condition", "verdict", "study", "guidelineposition", "candidate", "savedsearch"}
OWNED_KINDS = {"importjob", "importjobitem"}


@dataclass(frozen=True)
class Row:
    door: str
    variant: str
    method: str
    kind: str
    objects: tuple[str, ...]
    cells: dict[str, tuple[str, ...]]  # role -> one symbol per object

    @property
    def key(self) -> str:
        return f"{self.door}[{self.variant}]" if self.variant else self.door


def _objects(spec: str) -> tuple[str, tuple[str, ...]]:
    if spec == "-":
        return "-", ("-",)
    kind, _, which = spec.partition(":")
    if which:
        return kind, (which,)
    if kind in SCOPED_KINDS:
        return kind, ("in", "out")
    if kind in OWNED_KINDS:
        return kind, ("own", "other")
    return kind, ("one",)


def parse(table: str) -> list[Row]:
    rows = []
    for line in table.strip().splitlines()[1:]:
        door, method, spec, *cells = line.split()
        assert len(cells) == len(pm.ROLES), f"{door} {method}: {len(cells)} cells"
        kind, objects = _objects(spec)
        name, _, variant = door.partition("[")
        by_role = {}
        for role, cell in zip(pm.ROLES, cells, strict=True):
            symbols = tuple(cell.split("/"))
            if len(symbols) == 1:
                symbols *= len(objects)
            assert len(symbols) == len(objects), f"{door} {method} {role}: {cell} vs {objects}"
            assert set(symbols) <= pm.SYMBOLS, f"{door} {method} {role}: {cell}"
            by_role[role] = symbols
        rows.append(Row(name, variant.rstrip("]"), method, kind, objects, by_role))
    return rows


ROWS = parse(MATRIX)
DOORS = {door.id: door for door in pm.enumerate_doors()}
CHECKS = [
    pytest.param(row, role, index, id=f"{row.key}|{row.method}|{role}|{which}")
    for row in ROWS
    for role in pm.ROLES
    for index, which in enumerate(row.objects)
    if row.cells[role][index] != pm.NA
]


def test_every_door_has_a_row():
    covered = {(row.door, row.method) for row in ROWS}
    missing = sorted(
        f"{door.id} {method}  ({door.route}, {door.view})"
        for door in DOORS.values()
        for method in door.methods
        if (door.id, method) not in covered
    )
    assert not missing, "doors without a row in MATRIX:\n" + "\n".join(missing)


def test_no_row_is_stale():
    doors = {(door.id, method) for door in DOORS.values() for method in door.methods}
    stale = sorted(f"{row.key} {row.method}" for row in ROWS if (row.door, row.method) not in doors)
    assert not stale, "rows in MATRIX for no door:\n" + "\n".join(stale)


def test_the_size_of_the_matrix():
    # What docs/reliability.md reports; update both together.
    print(
        f"\n{len(DOORS)} routes, {len({(r.door, r.method) for r in ROWS})} (route, method) "
        f"doors, {len(ROWS)} rows, {len(pm.ROLES)} roles, {len(CHECKS)} checks"
    )
    assert len(CHECKS) > 1000


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each check
    runs inside its own savepoint (the ``db`` fixture), so writes never leak."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield pm.build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize(("row", "role", "index"), CHECKS)
def test_door(world, db, row: Row, role: str, index: int):
    door = DOORS[row.door]
    which = row.objects[index]
    expected = row.cells[role][index]
    outcome = pm.exercise(door, row.variant, row.method, role, row.kind, which, world)
    api = door.route.startswith(("api/", "fhir/"))
    assert pm.symbol_matches(
        expected,
        outcome,
        api=api,
        method=row.method,
        role=role,
        view=door.view,
        has_object=row.kind != "-",
    ), (
        f"expected {expected}, got {outcome.status} {outcome.location} "
        f"changed={outcome.changed} listed={outcome.listed} {' '.join(outcome.notes)}"
    )
    if row.door == "api:evidence:verdict-history" and expected == pm.ALLOW:
        # Reads are public, account names are not: anonymous callers see a role.
        # Names go to staff with view rights on that verdict (a limited user's rights end
        # at their scope).
        name = world.history_user.username.encode()
        if role == "anonymous" or (role.startswith("limited") and which == "out"):
            assert name not in outcome.body, "an editor's username shown without view rights"
        else:
            assert name in outcome.body, "staff with view rights should see who changed it"
