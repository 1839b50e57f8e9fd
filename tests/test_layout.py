"""The test tree itself: pytest's default import mode needs unique module names."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parent


def module_name(path: Path) -> str:
    """The name pytest imports a test file under: dotted through packages with __init__.py."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def test_every_test_module_has_a_unique_import_name():
    names = Counter(module_name(path) for path in TESTS.rglob("test_*.py"))
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert not clashes, f"rename these test files (their basenames collide): {clashes}"
