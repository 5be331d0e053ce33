"""Scenario-forecasting toolkit: an analyst's assessment as a discrete Bayesian network.

    import bayes
    model = bayes.load("caucasus_2020")      # data/models/caucasus_2020.yaml, or any path
    model.query("escalation", given={"azerbaijan_alignment": "turns_to_euro_atlantic"})
    model.scenarios()                         # every named scenario, one tidy table
    model.check()                             # the claims ledger, evaluated
"""



def _one_blas_thread_under_a_cap() -> None:
    """Under an address-space cap (`ulimit -v`) OpenBLAS fails to start its threads and spins for ever; with
    a cap set, before numpy is first imported, it is asked for one thread (a setting of the user's wins)."""
    import os

    try:
        import resource

        capped = resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY
    except (ImportError, ValueError, OSError):
        return
    if capped:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


_one_blas_thread_under_a_cap()

from bayes.errors import BayesInputError, ModelFileError, QueryError  # noqa: E402
from bayes.model import Model, load  # noqa: E402
from bayes.modelfile.locate import available_models  # noqa: E402

__all__ = ["load", "Model", "available_models", "BayesInputError", "ModelFileError", "QueryError"]
__version__ = "0.1.0"
