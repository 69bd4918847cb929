"""The ``skillcert`` command: Django's management commands under the project's name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["skillcert", *argv])
    args[0] = "skillcert"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
