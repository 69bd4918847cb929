"""The ``skillcert`` command: Django's management commands under the project's name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.settings")
    from django.core.management import execute_from_command_line

    from skillcert.env import ConfigError

    args = list(sys.argv if argv is None else ["skillcert", *argv])
    args[0] = "skillcert"
    try:
        execute_from_command_line(args)
    except ConfigError as exc:  # a setting that cannot run: say which, without a traceback
        sys.stderr.write(f"skillcert: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
