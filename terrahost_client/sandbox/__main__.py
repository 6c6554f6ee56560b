"""python -m terrahost_client.sandbox --host 127.0.0.1 --port 8765 [--servers N] [--seed S]
[--ignore-page] [--max-per-page N] [--root-password-in-server-record]"""

import argparse
import re
import signal
import sys

from .app import SandboxApp
from .constants import (
    DEFAULT_SEED,
    DEFAULT_SERVERS,
    DEFAULT_TOKEN_LIFETIME,
    MAX_PER_PAGE,
    MAX_TOKEN_LIFETIME,
)
from .server import make_server


def _ascii_int(text):
    """int(), but ASCII digits only (int() also takes "١٢" and "²")."""
    if re.fullmatch(r"-?[0-9]{1,18}", text.strip()) is None:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def _ascii_seconds(text):
    """float(), but plain ASCII decimals only: no "nan", "inf", "1e309" or "١٢"."""
    if re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,9})?", text.strip()) is None:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return float(text)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m terrahost_client.sandbox",
        description="A stateful, in-memory fake of Terrahost API v3.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_ascii_int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--servers",
        type=_ascii_int,
        default=DEFAULT_SERVERS,
        help="servers of the demo account (default %(default)s)",
    )
    parser.add_argument("--seed", type=_ascii_int, default=DEFAULT_SEED)
    parser.add_argument(
        "--token-lifetime",
        type=_ascii_seconds,
        default=DEFAULT_TOKEN_LIFETIME,
        help="seconds a token is valid (default %(default)s)",
    )
    parser.add_argument(
        "--ignore-page",
        action="store_true",
        help="GET /servers answers page 1 whatever `page` says, as live accounts may",
    )
    parser.add_argument(
        "--max-per-page",
        type=_ascii_int,
        default=MAX_PER_PAGE,
        help="the largest page GET /servers answers, whatever `per_page` asks (default"
        " %(default)s, the size of the recorded live listing; the live maximum is unknown)",
    )
    parser.add_argument(
        "--root-password-in-server-record",
        action="store_true",
        help="a reinstall answers an empty root_passwd; the password shows in the server"
        " record as install_details.root_password while the install runs",
    )
    parser.add_argument("--access-log", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    if args.servers < 0:
        parser.error("--servers must be >= 0")
    if args.max_per_page < 1:
        parser.error("--max-per-page must be >= 1")
    if not 0 < args.token_lifetime <= MAX_TOKEN_LIFETIME:
        parser.error(f"--token-lifetime must be > 0 and <= {MAX_TOKEN_LIFETIME}")
    return args


def _stop(signum, frame):
    raise SystemExit(0)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = SandboxApp(
        seed=args.seed,
        servers=args.servers,
        token_lifetime=args.token_lifetime,
        ignore_page=args.ignore_page,
        max_per_page=args.max_per_page,
        root_password_in_server_record=args.root_password_in_server_record,
    )
    server = make_server(args.host, args.port, app, access_log=args.access_log)
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    # Both explicitly: a background job starts with SIGINT ignored.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"Terrahost sandbox listening on http://{shown}:{port}/api/v3", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.server_close()
    print("Terrahost sandbox stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
