#!/usr/bin/env bash
# Run the property-based (Hypothesis) tests of the outside doors longer than the suite does.
#   bash tools/fuzz.sh            # 5000 examples per property
#   FUZZ_EXAMPLES=50000 bash tools/fuzz.sh
# The suite itself runs each property with a small budget (50 examples). Add one line per fuzzed door below.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-5000}"
PY="${PYTHON:-.venv/bin/python}"

# mail door: parse_message on arbitrary bytes/headers, attachment names (RFC 2047/2231/raw GBK) -> safe names
"$PY" -m pytest -q -p no:cacheprovider tests/intake/test_mail_properties.py

# draft door: random small mutations of a valid draft's zip members and XML parts -> read (and python-docx
# builds it) or Refused with a reason; never another exception, never a hang
"$PY" -m pytest -q -p no:cacheprovider tests/intake/test_docx_properties.py

# review desk: random paths, tokens, cookies and form fields on every route -> never a 500, no file from outside
# the workspace, no secret/settings/password in a response, hostile text escaped
"$PY" -m pytest -q -p no:cacheprovider tests/web/test_desk_properties.py

# 督查 returned-sheet marker: random bytes, workbooks with damaged/hostile parts, valid workbooks with random marker
# cells -> (round, unit) as the cells say, or None; never an error, no cell outside the rows/columns asked for
"$PY" -m pytest -q -p no:cacheprovider tests/intake/test_marker_properties.py

# spreadsheet scan: worksheets with and without row/cell references, shared or inline strings -> read_sheet gives
# exactly the cells written (the used range found the same way openpyxl would read it)
"$PY" -m pytest -q -p no:cacheprovider tests/core/test_sheet_scan.py
