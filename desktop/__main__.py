"""`python -m desktop` (or `pythonw -m desktop`, the Start-menu shortcut): start the panel."""

import sys

from desktop.commands import main

if __name__ == "__main__":
    sys.exit(main())
