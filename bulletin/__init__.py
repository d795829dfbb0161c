"""bulletin: compile a monthly work bulletin (工作简报) from department drafts.

This package never imports Prefect: every step is a plain function that the CLI and the
Prefect flow (flows/) both call.
"""

__version__ = "0.1.0"
