"""Where model files are: a bare name is looked up in $BAYES_MODELS_DIR, ./data/models and the project's
data/models; a path is taken as given."""

from __future__ import annotations

import os
from pathlib import Path

from bayes.errors import ModelFileError

# --------------------------------------------------------------------------- locating model files

def models_dirs() -> list[Path]:
    """Where a bare model name is looked up: $BAYES_MODELS_DIR, ./data/models, the project's data/models."""
    dirs = []
    env = os.environ.get("BAYES_MODELS_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "data" / "models")
    dirs.append(Path(__file__).resolve().parents[2] / "data" / "models")
    seen, unique = set(), []
    for d in dirs:
        key = d.resolve() if d.exists() else d
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique


def resolve_model_path(name_or_path: str | os.PathLike) -> Path:
    """A path that exists wins; otherwise `name` means data/models/<name>.yaml."""
    candidate = Path(name_or_path)
    if candidate.is_file() or candidate.suffix in (".yaml", ".yml") or os.sep in str(name_or_path):
        return candidate
    for d in models_dirs():
        for ext in (".yaml", ".yml"):
            path = d / f"{name_or_path}{ext}"
            if path.is_file():
                return _short(path)
    known = sorted({p.stem for d in models_dirs() if d.is_dir() for p in d.glob("*.y*ml")})
    raise ModelFileError(
        f"no model named '{name_or_path}'; expected a path to a .yaml file or one of: "
        + (", ".join(known) if known else "(no models found under data/models)"),
        str(name_or_path),
    )


def _short(path: Path) -> Path:
    """Relative to the working directory when inside it, so messages show data/models/x.yaml."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def available_models() -> list[str]:
    return sorted({p.stem for d in models_dirs() if d.is_dir() for p in d.glob("*.y*ml")})
