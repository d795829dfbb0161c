"""The 督查专报 is a series of its own ([series."督查专报"] in bulletin.toml): `Workspace.for_series` gives the
workspace as the series sees it (core/workspace.py says what differs); this module only names the default."""

DEFAULT_SERIES = "督查专报"
