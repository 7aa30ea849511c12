"""Write requirements.txt and requirements-dev.txt from the environment ``make lock`` just installed.

Runtime pins are the closure of requirements.in; dev pins are the closure of requirements-dev.in minus
the runtime ones. Run by ``make lock`` with that environment's Python.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _key(name: str) -> str:
    return name.lower().replace("_", "-")


def _roots(path: Path) -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _closure(roots: list[Requirement]) -> dict[str, str]:
    pins: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    stack = [(r.name, set(r.extras)) for r in roots]
    while stack:
        name, extras = stack.pop()
        key = _key(name)
        if key in seen and extras <= seen[key]:
            continue
        seen[key] = seen.get(key, set()) | extras
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        pins[key] = f"{dist.metadata['Name']}=={dist.version}"
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in (extras | {""})):
                continue
            stack.append((req.name, set(req.extras)))
    return pins


def main() -> None:
    runtime = _closure(_roots(ROOT / "requirements.in"))
    dev = {k: v for k, v in _closure(_roots(ROOT / "requirements-dev.in")).items() if k not in runtime}
    header = "# Fully pinned {} (from {}). Regenerate with `make lock`.\n"
    (ROOT / "requirements.txt").write_text(
        header.format("runtime dependencies", "requirements.in")
        + "".join(f"{p}\n" for p in sorted(runtime.values(), key=str.lower))
    )
    (ROOT / "requirements-dev.txt").write_text(
        header.format("test and lint tools", "requirements-dev.in")
        + "-r requirements.txt\n"
        + "".join(f"{p}\n" for p in sorted(dev.values(), key=str.lower))
    )


if __name__ == "__main__":
    main()
