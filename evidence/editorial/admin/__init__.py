"""Admin of the editorial workflow: the triage queue (candidates), saved searches and the
digest log (saved_searches), and the review cycle on the verdict pages (verdict_review).

Importing this package registers the candidate, saved search and digest log admins;
evidence/admin.py mixes VerdictReviewAdminMixin and VerdictPublicationAdminMixin (drafts
and publication) into its VerdictAdmin. Every write goes
through evidence.editorial services.
"""

from .candidates import CandidateAdmin
from .saved_searches import DigestLogAdmin, SavedSearchAdmin
from .verdict_publication import VerdictPublicationAdminMixin
from .verdict_review import VerdictReviewAdminMixin

__all__ = [
    "CandidateAdmin",
    "DigestLogAdmin",
    "SavedSearchAdmin",
    "VerdictPublicationAdminMixin",
    "VerdictReviewAdminMixin",
]
