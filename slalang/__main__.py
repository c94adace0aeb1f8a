import sys

from slalang.cli import main

sys.exit(main())
