"""Events of the references layer that higher layers may act on.

references never imports evidence; evidence listens here instead (evidence/receivers.py).
"""

from django.dispatch import Signal

# Sent inside the writing transaction with ``reference_ids``: the references whose
# retraction / correction / expression-of-concern status has just changed.
references_amended = Signal()
