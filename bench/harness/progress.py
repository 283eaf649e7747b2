"""Progress lines on stdout, with the elapsed time: a full run takes the better part of an
hour and is meant to be watched (or left unattended and read afterwards)."""

import time

_STARTED = time.monotonic()


def say(message: str) -> None:
    elapsed = int(time.monotonic() - _STARTED)
    print(f"[bench {elapsed // 60:3d}:{elapsed % 60:02d}] {message}", flush=True)
