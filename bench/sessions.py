"""What server-side sessions and the login throttle cost, against what they replaced.

In one run, on one fresh SQLite home with one user:

  check     user_for_session(sid): the lookup every web request now makes (session row joined
            to its user, not disabled, not expired) — against get_user(name), the lookup the
            signed cookie alone needed before
  sign-in   sign_in(name, password, address): scrypt, throttle check, writer lock, session row
            — against authenticate(name, password), the scrypt check alone

Printed: the median and p95 of each in milliseconds and the ratio of medians.

    python bench/sessions.py                    # 2,000 checks, 40 sign-ins
    python bench/sessions.py --checks 5000 --signins 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, n: int) -> list[float]:
    """Milliseconds of ``n`` calls of ``fn``."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def line(label: str, ms: list[float]) -> float:
    med = statistics.median(ms)
    p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
    print(f"  {label:<34} median {med:8.3f} ms   p95 {p95:8.3f} ms   (n={len(ms)})")
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=2000)
    ap.add_argument("--signins", type=int, default=40)
    args = ap.parse_args()

    from dangan.archive.catalog import Catalog
    from dangan.archive.create import init_home
    from dangan.archive.sessions import sign_in, user_for_session
    from dangan.archive.users import add_user, authenticate, get_user

    with tempfile.TemporaryDirectory() as tmp:
        home, _ = init_home(Path(tmp) / "home")
        with Catalog.open(home) as cat:
            add_user(cat, "bench", "viewer", "bench-password")
            _, sid = sign_in(cat, "bench", "bench-password", "127.0.0.1")
            print(f"Per-request session check ({args.checks} calls each):")
            new = line("user_for_session (catalog session)", timed(lambda: user_for_session(cat, sid), args.checks))
            old = line("get_user (signed cookie only)", timed(lambda: get_user(cat, "bench"), args.checks))
            print(f"  ratio {new / old:.2f}x")
            print(f"Sign-in ({args.signins} calls each):")
            signin = lambda: sign_in(cat, "bench", "bench-password", "127.0.0.1")  # noqa: E731
            new = line("sign_in (throttle, lock, session)", timed(signin, args.signins))
            old = line(
                "authenticate (scrypt only)", timed(lambda: authenticate(cat, "bench", "bench-password"), args.signins)
            )
            print(f"  ratio {new / old:.2f}x")


if __name__ == "__main__":
    main()
