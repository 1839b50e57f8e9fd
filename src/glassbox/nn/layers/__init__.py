"""The layers of :mod:`glassbox.nn`, one family per module; each is exported by ``glassbox.nn``."""
