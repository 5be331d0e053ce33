"""Scenario-forecasting toolkit: an analyst's assessment as a discrete Bayesian network.

    import bayes
    model = bayes.load("caucasus_2020")      # data/models/caucasus_2020.yaml, or any path
    model.query("escalation", given={"azerbaijan_alignment": "turns_to_euro_atlantic"})
    model.scenarios()                         # every named scenario, one tidy table
    model.check()                             # the claims ledger, evaluated
"""

from bayes.errors import BayesInputError, ModelFileError, QueryError
from bayes.model import Model, load
from bayes.modelfile.locate import available_models

__all__ = ["load", "Model", "available_models", "BayesInputError", "ModelFileError", "QueryError"]
__version__ = "0.1.0"
