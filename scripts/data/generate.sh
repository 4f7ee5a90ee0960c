#!/usr/bin/env bash
# Regenerates the committed data tables (phone numbering plans, common passwords).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q phonenumbers zxcvbn babel
.venv/bin/python scripts/data/generate.py
