#!/usr/bin/env bash
# Regenerates the offline breached-password filter from Django's common-password list (docs/security.md#breached-passwords).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=5.2.19
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download -q --no-deps "django==$version" -d "$tmp"
python3 scripts/data/breached_passwords.py "$tmp"/*.whl "$version"
