"""The size rules of docs/architecture.md, checked on every module of ours.

A module has at most MAX_MODULE_LINES lines unless one of its first 30 lines starts with
``# Long module:``; a function or method has at most MAX_FUNCTION_LINES lines, from its
``def`` to its last line (decorators not counted), unless the line directly above its
first decorator (or its ``def``) is a comment block opening with ``# Long function:``. The
comment says why; the test only asks that there is one. Migrations are generated code.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "config",
    "evidence",
    "therapies",
    "references",
    "search",
    "fhir_api",
    "devtools",
    "bench",
    "tests",
]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_MODULE = "# Long module:"
LONG_FUNCTION = "# Long function:"


def our_modules() -> list[Path]:
    paths = []
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            paths += (ROOT / package).rglob("*.py")
    return sorted(path for path in paths if "migrations" not in path.relative_to(ROOT).parts)


def long_module(path: Path, lines: list[str]) -> str | None:
    if len(lines) <= MAX_MODULE_LINES:
        return None
    if any(line.startswith(LONG_MODULE) for line in lines[:30]):
        return None
    return f"{path.relative_to(ROOT)}:1 module of {len(lines)} lines"


def long_functions(path: Path, source: str, lines: list[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1
        if length <= MAX_FUNCTION_LINES:
            continue
        first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
        if _says_why(lines, first):
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}() of {length} lines")
    return found


def _says_why(lines: list[str], first: int) -> bool:
    """Does the comment block directly above line ``first`` open with LONG_FUNCTION?"""
    index = first - 2
    opening = None
    while index >= 0 and lines[index].strip().startswith("#"):
        opening = lines[index].strip()
        index -= 1
    return opening is not None and opening.startswith(LONG_FUNCTION)


def offenders() -> list[str]:
    found = []
    for path in our_modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        module = long_module(path, lines)
        if module:
            found.append(module)
        found += long_functions(path, source, lines)
    return found


def test_modules_and_functions_are_short_or_say_why():
    found = offenders()
    assert not found, (
        f"Over {MAX_MODULE_LINES} lines per module or {MAX_FUNCTION_LINES} per function, "
        f"with no '{LONG_MODULE}' / '{LONG_FUNCTION}' comment saying why:\n" + "\n".join(found)
    )
