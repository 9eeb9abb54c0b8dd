"""``python -m lacplan ...``: the same as the ``lacplan`` command."""

import sys

from lacplan.cli import main

if __name__ == "__main__":
    sys.exit(main())
