"""Events of the evidence layer that other parts react to."""

from django.dispatch import Signal

# Sent inside the publishing transaction, with ``version`` (a VerdictVersion): the public
# caches of its pair are replaced (now and again at commit) and, once it commits, its
# followers are told (evidence/receivers.py).
version_published = Signal()
