"""The one phrase builder: how a variable, a state and an outcome are named wherever a reader looks (brief,
deck, chart titles, notebooks). Names come from the analyst's labels (`label:` of a variable, `states:
{name: Label}`); where none is given, `Variable.display` / `state_display` turn the id into words, the only
place that happens. No "X: x" doubles: when a state's label already says the variable (or the other way
round), the longer one is used alone."""

from __future__ import annotations

import re

SHORT_LABEL = 48  # longer variable labels are usually whole questions: sentences name the variable in words instead


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def variable_phrase(model, variable: str, capitalise: bool = True) -> str:
    """The variable as a sentence names it: its label, or its name in words when the label is a whole question."""
    v = model.spec.variables[variable]
    label = v.display if len(v.display) <= SHORT_LABEL else variable.replace("_", " ")
    return capital(label) if capitalise else label  # the analyst's own case is kept mid-sentence


def state_phrase(model, variable: str, state: str) -> str:
    return model.spec.variables[variable].state_display(state)


def states_phrase(model, variable: str, states) -> str:
    return " or ".join(state_phrase(model, variable, s) for s in states)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def outcome_phrase(model, variable: str, states, capitalise: bool = True) -> str:
    """'Escalation: escalates to a wider war'; 'Political talks' (not 'Talks: political talks'); 'Hezbollah
    attack' for the state 'attack' of 'Hezbollah attack'. `states` is one state or several (joined by 'or')."""
    states = (states,) if isinstance(states, str) else tuple(states)
    v = model.spec.variables[variable]
    var = v.display if len(v.display) <= SHORT_LABEL else variable.replace("_", " ")
    said = states_phrase(model, variable, states)
    text = f"{var}: {said}"
    if len(states) == 1:
        vw, sw = _words(var), _words(said)
        if vw.strip() and vw in sw:
            text = said
        elif sw.strip() and sw in vw:
            text = var
    return capital(text) if capitalise else text  # the analyst's own case is kept mid-sentence


def parameter_phrase(model, name: str) -> str:
    """A judgement's name ('P(escalation=escalates_to_wider_war | alignment=turns_west)', 'talks: leak
    P(calm)') for readers: every variable=state through `outcome_phrase`, the rest of the ids as words."""
    variables = model.spec.variables

    def one(m: re.Match) -> str:  # 'var=state' as 'Variable = state label' (a colon would stutter inside P(...))
        var, states = m.group(1), m.group(2).split("|")
        if var in variables and all(s in variables[var].states for s in states):
            return f"{variable_phrase(model, var)} = {states_phrase(model, var, states)}"
        return m.group(0)

    head = re.match(r"^([A-Za-z_][A-Za-z0-9_]*): (.*)$", name)
    owner = None
    if head and head.group(1) in variables:  # a builder's judgement: 'var: leak P(state)' and the like
        owner, name = head.group(1), head.group(2)
    text = re.sub(r"\b([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_|]+)", one, name)
    if owner is not None:
        text = re.sub(r"P\(([A-Za-z0-9_|]+)\)", lambda m: f"P({states_phrase(model, owner, m.group(1).split('|'))})"
                      if all(s in variables[owner].states for s in m.group(1).split("|")) else m.group(0), text)
        text = f"{text} of {variable_phrase(model, owner)}"
    return text.replace(" | ", " given ").replace("_", " ")
