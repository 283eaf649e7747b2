"""Events of the evidence layer that other parts react to."""

from django.dispatch import Signal

# Sent once a publication has committed, with ``version`` (a VerdictVersion): the public
# caches of its pair are replaced and its followers are told (evidence/receivers.py).
version_published = Signal()
