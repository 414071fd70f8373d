#!/usr/bin/env bash
# Colab set-up for the course: the tested stack from constraints.txt, the one file CI installs
# from too, without replacing what Colab itself is built on. Run by every notebook's setup cell
# on Colab; safe to run again (about 2 minutes the first time). Python 3.11 or newer (Colab
# runs 3.13): transformers 5 and trl 1.x need it.
#
#   bash colab_setup.sh              install
#   bash colab_setup.sh --dry-run    print the constraints and the pip command, install nothing
#
# Colab ships datasets 4.0 (too old for the raw Amazon files), no trl, no gensim and no
# bitsandbytes: the [stack] pins of constraints.txt are installed exactly. Colab's torch (and
# its CUDA build) and the packages under [held on Colab] stay as Colab installed them.
# No secrets are handled here: the Hugging Face libraries read the Colab secret HF_TOKEN
# themselves, and helpers.secrets finds the API keys.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"
DRY_RUN=0
[ "${1:-}" = "--dry-run" ] && DRY_RUN=1

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11) and f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")'

# The constraints pip installs with: every [stack] pin of constraints.txt as written, torch and
# every [held on Colab] package at the version installed now (pinned as found if missing), and
# no [tests] pins. Nothing here repeats a version: constraints.txt is the only list.
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
"$PY" - "$REPO_DIR/constraints.txt" "$CONSTRAINTS" <<'PYCODE'
import importlib.metadata as metadata
import re
import sys

source, target = sys.argv[1], sys.argv[2]


def installed(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


lines, section = [], None
for raw in open(source, encoding="utf-8"):
    heading = re.match(r"#\s*\[([^\]]+)\]", raw)
    if heading:
        section = heading.group(1)
        continue
    pin = raw.split("#", 1)[0].strip()
    if not pin:
        continue
    if section == "stack":
        lines.append(pin)
    elif section == "held on Colab":
        name = re.match(r"[A-Za-z0-9._-]+", pin).group(0)
        version = installed(name)
        lines.append(f"{name}=={version}" if version else pin)
    elif section != "tests":
        sys.exit(f"{source}: a pin outside the [stack], [held on Colab] and [tests] sections: {pin}")
torch = installed("torch")
if torch:
    lines.append(f"torch=={torch}")
open(target, "w", encoding="utf-8").write("\n".join(lines) + "\n")
PYCODE

INSTALL=("$PY" -m pip install -q -c "$CONSTRAINTS" -r "$REPO_DIR/requirements.txt")
if [ "$DRY_RUN" = 1 ]; then
    cat "$CONSTRAINTS"
    echo "would run: ${INSTALL[*]}"
    exit 0
fi
"${INSTALL[@]}"

# A regular (not editable) install: importable at once, no runtime restart needed.
"$PY" -m pip install -q --no-deps "$REPO_DIR"

echo "Hugging Face token: the Hub libraries read the Colab secret HF_TOKEN themselves. Real runs"
echo "need it from notebook 01 (Llama 3.1's tokenizer is gated: accept Meta's licence first);"
echo "smoke runs need none."
echo "Course stack ready (the versions cell lists it)."
