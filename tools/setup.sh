#!/usr/bin/env bash
# Install bulletin into ./.venv from the pinned set (requirements.lock).
#   bash tools/setup.sh          the product
#   bash tools/setup.sh --test   the product, the test tools, and the Debian packages the tests use
#                                (LibreOffice Writer and Calc to prove the bulletin and workbooks open, CJK fonts, poppler for page images,
#                                Dovecot as the real IMAP server the mailbox tests start on 127.0.0.1,
#                                PostgreSQL for the several-offices test's Prefect database,
#                                Debian's chromium + chromium-driver for the review desk's browser test)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24"
.venv/bin/python -m pip install --quiet -r requirements.lock
.venv/bin/python -m pip install --quiet --no-deps -e .
# Byte-compile the product once: machines that set PYTHONDONTWRITEBYTECODE would otherwise compile every module
# from source in every command (about a third of a small compile's time). compileall writes the cache anyway.
.venv/bin/python -m compileall -q -j 0 bulletin flows >/dev/null

if [ "${1:-}" = "--test" ]; then
  if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
     || [ ! -e /usr/lib/libreoffice/program/libsclo.so ] \
     || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
     || [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] \
     || [ ! -x /usr/sbin/dovecot ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
      libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils dovecot-imapd postgresql chromium chromium-driver >/dev/null
  fi
fi
.venv/bin/python -c "import bulletin, docxtpl, prefect; print('bulletin installed; prefect', prefect.__version__)"
