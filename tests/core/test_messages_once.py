"""Each rule's message is written once (issue 11): a denial or refusal sentence marked for
translation stands in one place of the app code, its rule book, and everyone else asks it.

`python -m tests.core.test_messages_once [FOLDER]` prints the count for a checkout.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "cepa_collab",
    "notifications",
    "workflows",
    "meetings",
    "advisory",
    "contributions",
    "knowledge",
)
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "N_", "pgettext", "pgettext_lazy"}


def _is_refusal(message: str) -> bool:
    """Sentences that refuse: "Only the owner …", "You may not …", "… may not …"."""
    return message.startswith(("Only ", "You ")) or " may not " in f" {message}"


def refusals_by_text(root: Path = ROOT) -> dict[str, list[str]]:
    """Every refusal sentence marked for translation in app code, with where it stands."""
    where: dict[str, list[str]] = defaultdict(list)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT
                    and node.args
                ):
                    continue
                # pgettext(context, message): the message is the last argument.
                text = node.args[-1]
                if (
                    isinstance(text, ast.Constant)
                    and isinstance(text.value, str)
                    and _is_refusal(text.value)
                ):
                    where[text.value].append(f"{path.relative_to(root)}:{node.lineno}")
    return where


def test_every_refusal_message_is_written_once():
    repeated = {text: places for text, places in refusals_by_text().items() if len(places) > 1}

    assert repeated == {}


def test_the_check_sees_refusals_written_twice(tmp_path):
    app = tmp_path / "workflows"
    app.mkdir()
    (app / "services.py").write_text('_("Only the owner uploads versions.")\n')
    (app / "views.py").write_text(
        '_("Only the owner uploads versions.")\n_("Version %(number)d was uploaded.")\n'
    )

    assert refusals_by_text(tmp_path) == {
        "Only the owner uploads versions.": ["workflows/services.py:1", "workflows/views.py:1"]
    }


if __name__ == "__main__":
    found = refusals_by_text(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
    repeated = {text: places for text, places in found.items() if len(places) > 1}
    print(f"refusal messages: {len(found)}; written more than once: {len(repeated)}")
    for text, places in sorted(repeated.items()):
        print(f"  {len(places)}x {text!r}: {', '.join(places)}")
