"""The claims ledger read from the file: each sentence of the source in one of the claim forms
(more_likely, less_likely, probability, no_difference), its events, conditions, reading and threshold."""

from __future__ import annotations

from bayes.modelfile.elicitation import CLAIM_MIN_ODDS_RATIO, JudgementError, parse_probability, parse_strength
from bayes.modelfile.scales import SCALES
from bayes.modelfile.spec import CLAIM_FORMS, CLAIM_KEYS, POINT_CLAIM_TOLERANCE, READINGS, ClaimSpec
from bayes.modelfile.validation import Checker, read_assignments
from bayes.modelfile.yamlfile import line_of


def _parse_outcome_event(ck, raw, cid, line, variables, whole_variable_ok: bool):
    if isinstance(raw, str) and whole_variable_ok:
        if raw not in variables:
            ck.fail(f"claim {cid}: outcome names unknown variable '{raw}'", line)
        return raw, variables[raw].states
    raw = ck.mapping(raw, f"'outcome' of claim {cid} (variable: state or [states])", line)
    if len(raw) != 1:
        ck.fail(f"claim {cid}: 'outcome' must name exactly one variable, got {len(raw)}", line)
    (key, states_raw), = raw.items()
    vline = line_of(raw, key)
    var = ck.name(key, f"outcome variable of claim {cid}", vline)
    if var not in variables:
        ck.fail(f"claim {cid}: outcome names unknown variable '{var}'; known variables: {', '.join(variables)}",
                vline)
    if isinstance(states_raw, (str, int)) and not isinstance(states_raw, bool):
        states_raw = [states_raw]
    states_raw = ck.sequence(states_raw, f"outcome states of claim {cid}", vline)
    states = []
    for s in states_raw:
        s = ck.name(s, f"outcome state of claim {cid}", vline)
        if s not in variables[var].states:
            ck.fail(f"claim {cid}: unknown state '{s}' of '{var}'; expected one of: "
                    f"{', '.join(variables[var].states)}", vline)
        states.append(s)
    if not states:
        ck.fail(f"claim {cid}: outcome lists no state of '{var}'", vline)
    return var, tuple(states)


def parse_claims(ck: Checker, raw, line, variables, scale_name) -> dict[str, ClaimSpec]:
    if raw is None:
        return {}
    raw = ck.mapping(raw, "'claims'", line)
    scale = SCALES[scale_name]
    claims = {}
    for cid, body in raw.items():
        with ck.gathering():
            cline = line_of(raw, cid)
            cid = ck.name(cid, "claim id", cline)
            body = ck.mapping(body, f"claim {cid}", cline)
            ck.known_keys(body, CLAIM_KEYS, f"claim {cid}")
            for key in ("quote", "form", "outcome"):
                if key not in body:
                    ck.fail(f"claim {cid} needs '{key}'", cline)
            form = str(body["form"])
            if form not in CLAIM_FORMS:
                ck.fail(f"claim {cid}: unknown form '{form}'; expected one of: {', '.join(CLAIM_FORMS)}",
                        line_of(body, "form"))
            reading = str(body.get("reading", "observation"))
            if reading not in READINGS:
                ck.fail(f"claim {cid}: reading '{reading}' must be 'observation' or 'intervention'",
                        line_of(body, "reading"))
            out_var, out_states = _parse_outcome_event(ck, body["outcome"], cid, line_of(body, "outcome"), variables,
                                                       whole_variable_ok=(form == "no_difference"))
            if_ = read_assignments(ck, body.get("if"), f"'if' of claim {cid}", line_of(body, "if"), variables)
            than = read_assignments(ck, body.get("than"), f"'than' of claim {cid}", line_of(body, "than"), variables)
            given = read_assignments(ck, body.get("given"), f"'given' of claim {cid}", line_of(body, "given"),
                                       variables)
            spec = ClaimSpec(
                id=cid,
                quote=ck.text(body["quote"], f"quote of claim {cid}", line_of(body, "quote")),
                says=ck.text(body.get("says"), f"'says' of claim {cid}", line_of(body, "says"), required=False),
                form=form, reading=reading, outcome_variable=out_var, outcome_states=out_states,
                if_=if_, than=than, given=given,
                note=ck.text(body.get("note"), "note", line_of(body, "note"), required=False) or None,
                line=cline,
            )
            if out_var in if_ or out_var in given:
                ck.fail(f"claim {cid}: the outcome '{out_var}' cannot also be a condition", cline)
            both = set(if_) & set(given)
            if both:
                ck.fail(f"claim {cid}: {', '.join(sorted(both))} is set in both 'if' and 'given'; the compared "
                        "condition goes in 'if'/'than', the shared context in 'given'", line_of(body, "given"))
            if form in ("more_likely", "less_likely") or (form == "no_difference" and "cause" not in body):
                if not if_ or not than:
                    ck.fail(f"claim {cid}: form {form} compares two conditions; give both 'if' and 'than'"
                            + (" (or 'cause', a variable none of whose states makes a difference)"
                               if form == "no_difference" else ""), cline)
                if set(if_) != set(than):
                    ck.fail(f"claim {cid}: 'if' and 'than' must set the same variables", line_of(body, "than"))
                if if_ == than:
                    ck.fail(f"claim {cid}: 'if' and 'than' are the same condition", line_of(body, "than"))
            if form in ("more_likely", "less_likely"):
                if "strength" in body and "min_odds_ratio" in body:
                    ck.fail(f"claim {cid}: give 'strength' or 'min_odds_ratio', not both", cline)
                if "strength" in body:
                    spec.min_odds_ratio = _claim_strength(ck, body["strength"], cid, form, line_of(body, "strength"))
                if "min_odds_ratio" in body:
                    x = ck.number(body["min_odds_ratio"], f"claim {cid}: min_odds_ratio", line_of(body, "min_odds_ratio"),
                                  "a number of at least 1")
                    if x < 1:
                        ck.fail(f"claim {cid}: min_odds_ratio must be a number of at least 1", line_of(body, "min_odds_ratio"))
                    spec.min_odds_ratio = x
            elif form == "probability":
                if ("band" in body) == ("range" in body):
                    ck.fail(f"claim {cid}: form probability needs one of 'band' or 'range' (the same thing: a term of "
                            f"the {scale.title} scale, a range like '10-25%' or [0.1, 0.25], or a number with a "
                            "tolerance)", cline)
                key = "band" if "band" in body else "range"
                tolerance = POINT_CLAIM_TOLERANCE
                if "tolerance" in body:
                    tolerance = _tolerance(ck, body["tolerance"], cid, line_of(body, "tolerance"), scale)
                spec.band, spec.range, spec.tolerance = _claim_range(ck, body[key], cid, key, line_of(body, key), scale,
                                                                     tolerance)
                if than:
                    ck.fail(f"claim {cid}: form probability takes no 'than'", line_of(body, "than"))
            elif form == "no_difference":
                if "cause" in body:
                    if if_ or than:
                        ck.fail(f"claim {cid}: give 'cause' (every state of a variable) or 'if'/'than' (two "
                                "conditions), not both", line_of(body, "cause"))
                    cause = ck.name(body["cause"], "cause", line_of(body, "cause"))
                    if cause not in variables:
                        ck.fail(f"claim {cid}: cause '{cause}' is not a variable; known variables: "
                                f"{', '.join(variables)}", line_of(body, "cause"))
                    if cause == out_var:
                        ck.fail(f"claim {cid}: cause and outcome are the same variable", line_of(body, "cause"))
                    if cause in given:
                        ck.fail(f"claim {cid}: 'given' fixes the cause '{cause}', so it cannot be compared across its "
                                "states", line_of(body, "given"))
                    spec.cause = cause
                if "tolerance" in body:
                    spec.tolerance = _tolerance(ck, body["tolerance"], cid, line_of(body, "tolerance"), scale)
            for key, allowed in (("band", ("probability",)), ("range", ("probability",)), ("cause", ("no_difference",)),
                                 ("tolerance", ("no_difference", "probability"))):
                if key in body and form not in allowed:
                    ck.fail(f"claim {cid}: '{key}' belongs to form {' or '.join(allowed)}, not {form}", line_of(body, key))
            if form != "more_likely" and form != "less_likely":
                for key in ("strength", "min_odds_ratio"):
                    if key in body:
                        ck.fail(f"claim {cid}: '{key}' belongs to forms more_likely/less_likely", line_of(body, key))
            claims[cid] = spec
    return claims


def _claim_strength(ck: Checker, raw, cid: str, form: str, line) -> float:
    """A strength word of the shared ladder as the claim's minimum odds ratio (its direction, if it gives
    one, must agree with the form)."""
    try:
        strength = parse_strength(raw if isinstance(raw, str) else str(raw))
    except JudgementError as exc:
        ck.fail(f"claim {cid}: strength: {exc}", line)
    want = 1 if form == "more_likely" else -1
    if strength.magnitude == "none":
        ck.fail(f"claim {cid}: strength '{raw}' says no effect; use form no_difference", line)
    if strength.direction not in (None, want):
        fixed = f"{'' if strength.magnitude == 'more' else strength.magnitude + ' '}{'more' if want == 1 else 'less'} likely"
        bare = "" if strength.magnitude == "more" else f" (or just '{strength.magnitude}')"
        ck.fail(f"claim {cid}: strength '{raw}' points the other way from form {form}; write '{fixed}'{bare}", line)
    return CLAIM_MIN_ODDS_RATIO[strength.magnitude]


def _one_number(ck: Checker, raw, what: str, line, scale) -> float:
    """One probability written as a number or percentage (not a range or term): a tolerance, a range's end."""
    try:
        j = parse_probability(raw, scale)
    except JudgementError as exc:
        ck.fail(f"{what}: {exc}", line)
    if j.is_range:
        ck.fail(f"{what} must be one number (0.03 or 3%), not a range or term", line)
    return j.point


def _tolerance(ck: Checker, raw, cid: str, line, scale) -> float:
    return _one_number(ck, raw, f"claim {cid}: tolerance", line, scale)


def _claim_range(ck: Checker, raw, cid: str, key: str, line, scale, tolerance: float):
    """(band words or None, (low, high), tolerance) from the same probability language tables accept: a term,
    a range ('10-25%' or [0.1, 0.25]), or one number held within the tolerance; or one side of a term or
    number ('at most unlikely', 'below 45%', Scale.one_sided)."""
    if isinstance(raw, list):
        if len(raw) != 2:
            ck.fail(f"claim {cid}: {key} written as a list must be [low, high]", line)
        ends = [_one_number(ck, x, f"claim {cid}: each end of {key} [low, high]", line, scale) for x in raw]
        if ends[0] > ends[1]:
            ck.fail(f"claim {cid}: {key} low {ends[0]:g} is above high {ends[1]:g}", line)
        return None, (ends[0], ends[1]), tolerance
    if isinstance(raw, str) and (bounds := scale.one_sided(raw)) is not None:
        return " ".join(raw.split()), bounds, tolerance
    try:
        j = parse_probability(raw, scale)
    except JudgementError as exc:
        ck.fail(f"claim {cid}: {key}: {exc}; or one side of it: 'at most unlikely', 'at least likely', "
                "'below 45%'", line)
    if isinstance(raw, str) and scale.is_term(raw):
        return scale.band(raw).term, (j.low, j.high), tolerance
    if j.is_range:
        return None, (j.low, j.high), tolerance
    return None, (max(0.0, j.point - tolerance), min(1.0, j.point + tolerance)), tolerance
