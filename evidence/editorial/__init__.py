"""The editorial workflow: roles, the verdict review cycle, living evidence (saved searches
feeding a triage queue) and the reviewers' daily digest.

Modules: ``rules`` (review reasons and due dates, no database), ``review`` (services of
the review cycle), ``triage`` (services of saved searches and candidates), ``digest``
(the daily e-mail), ``roles`` (the Editor / Reviewer / Viewer groups), ``selectors``
(reads for the admin and the pages), ``admin`` (admin classes and views).
"""
