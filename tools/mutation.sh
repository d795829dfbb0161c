#!/usr/bin/env bash
# Mutation testing with mutmut (pinned in requirements.lock) of the modules that carry the product's safety
# promises: break the code on purpose, one small change at a time, and see whether a test notices.
# A habit, not a CI step: run it before resolving an issue that touches these modules, and record the
# scores in docs/TESTING.md (explain every surviving mutant there, or kill it with a test).
#
#   bash tools/mutation.sh                      every module below (about 15 minutes on 2 cores)
#   bash tools/mutation.sh sanitize ledger      only those
#   MUTATION_DIR=/var/tmp/m bash tools/mutation.sh   where the copies and results go (default /tmp/bulletin-mutation)
#
# Each module is mutated in its own copy of the repository (the last commit: commit first), with the tests that exercise
# it; mutmut runs, for each mutant, only the tests that reach the mutated function. Afterwards:
#   cd $MUTATION_DIR/<module> && ../../<repo>/.venv/bin/mutmut show <mutant name>    # what a survivor changed
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
mutmut="$repo/.venv/bin/mutmut"
out=${MUTATION_DIR:-/tmp/bulletin-mutation}

declare -A SOURCE=(
  [sanitize]=bulletin/intake/sanitize.py
  [docxfile]=bulletin/intake/docxfile.py
  [drafts]=bulletin/intake/drafts.py
  [intake]=bulletin/intake/intake.py
  [delivery]=bulletin/delivery/delivery.py
  [approval]=bulletin/delivery/approval.py
  [ledger]=bulletin/core/ledger.py
  [flow]=flows/decisions.py
  [decide]=bulletin/office/decide.py
  [mailparse]=bulletin/intake/mailparse.py
  [sheetsafety]=bulletin/core/sheetsafety.py
  [returnsheets]=bulletin/intake/returnsheets.py
)
declare -A TESTS=(
  [sanitize]="tests/intake/test_sanitize.py tests/intake/test_hostile_drafts.py tests/intake/test_hostile_parts.py tests/intake/test_sanitize_mutants.py"
  [docxfile]="tests/intake/test_docxfile.py tests/intake/test_hostile_drafts.py tests/intake/test_hostile_parts.py tests/intake/test_part_stream_cache.py tests/intake/test_docxfile_mutants.py"
  [drafts]="tests/intake/test_intake_rules.py tests/intake/test_reading_seen.py tests/intake/test_reading_corpus.py"
  [intake]="tests/intake/test_intake_rules.py tests/intake/test_reading_seen.py tests/intake/test_reading_corpus.py tests/intake/test_intake_columns.py"
  [delivery]="tests/delivery/test_delivery_report.py tests/delivery/test_delivery_words.py tests/delivery/test_delivery.py tests/delivery/test_mail_failures.py tests/delivery/test_review_chain.py tests/delivery/test_outbox_names.py tests/delivery/test_older_version_in_review.py tests/web/test_web_desk.py tests/layout/test_pdf_edition.py tests/delivery/test_delivery_mutants.py"
  [approval]="tests/delivery/test_approval.py tests/delivery/test_delivery.py"
  [ledger]="tests/core/test_ledger.py tests/delivery/test_approval.py tests/delivery/test_delivery.py tests/delivery/test_older_version_in_review.py tests/delivery/test_review_chain.py tests/core/test_ledger_mutants.py"
  [flow]="tests/flows/test_flow_decisions.py"
  [decide]="tests/office/test_one_decide_path.py tests/delivery/test_approval.py"
  [mailparse]="tests/intake/test_mailbox_parts.py tests/intake/test_mail_properties.py tests/intake/test_hostile_mail.py tests/intake/test_mail_shapes.py tests/intake/test_mailparse_mutants.py"
  [sheetsafety]="tests/intake/test_hostile_sheets.py tests/intake/test_notices.py tests/supervision/test_supervision_round.py tests/intake/test_marker_properties.py tests/core/test_sheet_refusals.py tests/core/test_sheet_scan.py"
  [returnsheets]="tests/supervision/test_returned_sheet_trust.py tests/intake/test_mailbox_returned_sheets.py tests/intake/test_marker_properties.py"
)
# Not in a selection: a test that runs a Prefect flow (tests/office/test_one_decide_path.py). mutmut runs pytest twice in
# its own process (stats, then the clean run); Prefect's console handler on the root logger keeps the first run's
# captured stderr, and in the second its "Logging error" dumps aiosmtpd's log records (the test server's AUTH
# line) into stderr, failing test_delivery's password check: a clean run that fails, every mutant "not checked".
ORDER=(sanitize docxfile drafts intake delivery approval ledger flow decide mailparse sheetsafety returnsheets)

modules=("$@")
[ ${#modules[@]} -eq 0 ] && modules=("${ORDER[@]}")
mkdir -p "$out"
printf "module\tfile\tmutants\tkilled\tsurvived\tother\tscore\n" > "$out/scores.tsv"
for module in "${modules[@]}"; do
  source=${SOURCE[$module]:?"unknown module $module (one of: ${ORDER[*]})"}
  work="$out/$module"
  rm -rf "$work" && mkdir -p "$work"
  # the committed tree (git archive), not the working tree: others' unfinished edits in this checkout (a module
  # importing a file not yet added) failed the clean run and left every mutant "not checked"
  git archive HEAD | tar -xf - -C "$work"
  {
    echo "[mutmut]"
    echo "source_paths=${source%%/*}"
    echo "only_mutate=$source"
    echo "pytest_add_cli_args_test_selection="
    # a listed file not (yet) committed is skipped: pytest would stop the clean run on it
    for t in ${TESTS[$module]}; do if [ -e "$work/$t" ]; then echo "    $t"; fi; done
    echo "also_copy="
    for extra in tests templates tools inputs bulletin.toml flows bulletin; do echo "    $extra"; done
  } > "$work/setup.cfg"
  echo "== $module: $source (tests: ${TESTS[$module]})"
  (cd "$work" && "$mutmut" run --max-children "${MUTATION_JOBS:-2}" > run.log 2>&1) || true
  (cd "$work" && "$mutmut" results --all true 2>/dev/null) > "$work/results.txt" || true
  total=$(grep -c ': ' "$work/results.txt" || true)
  killed=$(grep -c ': killed$' "$work/results.txt" || true)
  survived=$(grep -c ': survived$' "$work/results.txt" || true)
  other=$((total - killed - survived))
  score=$(awk -v k="$killed" -v t="$total" 'BEGIN { printf (t ? "%.1f%%" : "-"), (t ? 100 * k / t : 0) }')
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$module" "$source" "$total" "$killed" "$survived" "$other" "$score" \
    | tee -a "$out/scores.tsv"
  # Survivors with their diff line; in ledger.py a change of letter case only in SQL text or a sqlite3.Row key
  # is equivalent (SQLite and sqlite3.Row compare them without case): counted apart, see docs/TESTING.md.
  (cd "$work" && "$repo/.venv/bin/python" - "$module" "$mutmut" <<'PY'
import re, subprocess, sys
module, mutmut = sys.argv[1], sys.argv[2]
names = [l.split(":")[0].strip() for l in open("results.txt", encoding="utf-8") if l.rstrip().endswith(": survived")]
case_only = []
for name in names:
    diff = subprocess.run([mutmut, "show", name], capture_output=True, text=True).stdout
    minus = [l[1:] for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
    plus = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    if module == "ledger" and minus and [l.lower() for l in minus] == [l.lower() for l in plus]:
        case_only.append(name)
        continue
    print(f"    survived: {name}: {' | '.join(p.strip() for p in plus)[:150]}")
if case_only:
    print(f"    + {len(case_only)} equivalent (letter case of SQL text / sqlite3.Row keys only)")
open("case_only.txt", "w", encoding="utf-8").write("\n".join(case_only))
PY
  ) || true
done
echo "scores: $out/scores.tsv"
