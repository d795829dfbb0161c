#!/usr/bin/env bash
# Render a bulletin .docx to PNG pages with LibreOffice + pdftoppm, official fonts mapped to Noto CJK.
#   bash tools/preview.sh outputs/2026-10/工作简报第64期.docx docs/preview   -> docs/preview-1.png, ...
set -euo pipefail
docx=$1
prefix=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
FONTCONFIG_FILE="$(cd "$(dirname "$0")/.." && pwd)/bulletin/layout/fonts.conf" HOME="$work" \
  soffice "-env:UserInstallation=file://$work/profile" --headless --convert-to pdf --outdir "$work" "$docx" >/dev/null
pdftoppm -png -r "${DPI:-70}" "$work"/*.pdf "$prefix"
ls "$prefix"*
