"""Import jobs: identifiers or a file in, References out, with a record of each item.

- create.py: creating a job (identifiers, an uploaded file, a refresh of stored references);
- parse.py: parsing a file job's upload into its items, in the run;
- run.py: running a job's pending items, chunk by chunk, fetching then writing;
- finish.py: closing a job;
- retry.py: putting a finished job's failed identifiers back to pending;
- known.py: identifiers already in the library, resolved without a fetch.

The public names are importable from here.
"""

from .create import (
    FILE_FORMATS,
    MAX_IDENTIFIERS,
    SNIFF_BYTES,
    ImportRejected,
    LineError,
    import_job_create_for_file,
    import_job_create_for_identifiers,
    references_stale_ids,
    refresh_job_create,
)
from .finish import import_job_finish
from .messages import ALREADY_IN_LIBRARY, outage_message
from .parse import ITEM_BATCH_SIZE, import_job_parse
from .retry import import_job_can_retry, import_job_retry
from .run import Progress, import_job_run

__all__ = [
    "ALREADY_IN_LIBRARY",
    "FILE_FORMATS",
    "ITEM_BATCH_SIZE",
    "MAX_IDENTIFIERS",
    "SNIFF_BYTES",
    "ImportRejected",
    "LineError",
    "Progress",
    "import_job_create_for_file",
    "import_job_create_for_identifiers",
    "import_job_can_retry",
    "import_job_finish",
    "import_job_parse",
    "import_job_retry",
    "import_job_run",
    "outage_message",
    "references_stale_ids",
    "refresh_job_create",
]
