#!/usr/bin/env bash
# Colab set-up for the course: the pinned GPU stack, without touching Colab's own torch.
# Run by every notebook's setup cell on Colab; safe to run again (about 2 minutes the first time).
# Python 3.10-3.13. Colab ships datasets 4.0 (too old for the raw Amazon files), no trl and no
# bitsandbytes; everything below is upgraded or added, and torch is held where Colab put it.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"

# Hold torch (and its CUDA build) exactly as installed: no package below may replace it.
CONSTRAINTS="$(mktemp)"
"$PY" - "$CONSTRAINTS" <<'PYCODE'
import sys
try:
    import torch
    pin = f"torch=={torch.__version__}\n"
except ImportError:
    pin = ""
open(sys.argv[1], "w").write(pin)
PYCODE

"$PY" -m pip install -q -c "$CONSTRAINTS" \
    "transformers==5.23.0" \
    "tokenizers==0.23.3" \
    "datasets==5.2.0" \
    "huggingface_hub==2.4.0" \
    "trl==1.16.0" \
    "peft==0.21.2" \
    "accelerate==1.15.0" \
    "bitsandbytes==0.50.2" \
    "openai==3.54.0" \
    "python-dotenv==1.2.4" \
    "gensim==4.4.0" \
    "scikit-learn>=1.4" \
    "ipywidgets>=8.1"

# A regular (not editable) install: importable at once, no runtime restart needed.
"$PY" -m pip install -q --no-deps "$REPO_DIR"

# The setup cell copies Colab secrets into the environment; log in to the Hub if a token is there.
if [ -n "${HF_TOKEN:-}" ]; then
    "$PY" -c "import os; from huggingface_hub import login; login(token=os.environ['HF_TOKEN'])" \
        >/dev/null 2>&1 && echo "Logged in to the Hugging Face Hub." \
        || echo "HF_TOKEN is set but the Hub login failed: check the token at https://huggingface.co/settings/tokens"
else
    echo "No HF_TOKEN secret: fine for notebooks 01-06 in smoke mode; Llama (07-09) needs one."
fi
echo "Course stack ready: $("$PY" -c 'import torch, transformers, trl; print(f"torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}")')"
