import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def source_dir() -> Path:
    """Where the assessments' source texts are: $BAYES_SOURCE_DIR, else ../shared/sources beside the checkout
    when present. The repository never ships the article; tests that need it skip without it."""
    env = os.environ.get("BAYES_SOURCE_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "sources"


FLAGSHIP_ARTICLE = "russia-mediate-armenia-azerbaijan-2020.txt"


@pytest.fixture(scope="session")
def flagship_article() -> Path:
    """The flagship's article, or a skip naming where it was looked for."""
    path = source_dir() / FLAGSHIP_ARTICLE
    if not path.is_file():
        pytest.skip(f"the flagship's article is not in this checkout (looked for {path}; set BAYES_SOURCE_DIR "
                    "to the folder that holds it)")
    return path


@pytest.fixture(scope="session")
def flagship():
    import bayes

    return bayes.load("caucasus_2020")


@pytest.fixture
def write_model(tmp_path):
    """Write YAML text to a model file and return its path."""
    def write(text: str, name: str = "model.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def bayes_cli():
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    import contextlib
    import io

    from bayes.cli import main

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse --help / usage errors
                code = exc.code
        return code, out.getvalue(), err.getvalue()

    return run


@pytest.fixture(scope="session")
def bayes_exe():
    exe = Path(sys.executable).parent / "bayes"
    if not exe.exists():
        pytest.skip("bayes console script not installed (run `make test`)")
    return str(exe)


os.environ.setdefault("MPLBACKEND", "Agg")
