"""A small valid model whose numbers are easy to compute by hand (the classic sprinkler network)."""

TINY = """\
format: bayes-model/1
model:
  title: Sprinkler
  source: textbook example
  as_of: 2020-07
  author: tests
variables:
  rain:
    description: Whether it rains.
    states: [no, yes]
    table:
      - probabilities: {no: 0.8, yes: 0.2}
        rationale: {assumption: textbook number}
  sprinkler:
    description: Whether the sprinkler is on.
    states: [off, on]
    parents: [rain]
    table:
      - given: {rain: no}
        probabilities: {off: 0.6, on: 0.4}
        rationale: {assumption: textbook number}
      - given: {rain: yes}
        probabilities: {off: 0.99, on: 0.01}
        rationale: {assumption: textbook number}
  wet_grass:
    description: Whether the grass is wet.
    states: [dry, wet]
    parents: [rain, sprinkler]
    table:
      - given: {rain: no, sprinkler: off}
        probabilities: {dry: 1.0, wet: 0.0}
        rationale: {assumption: textbook number}
      - given: {rain: no, sprinkler: on}
        probabilities: {dry: 0.1, wet: 0.9}
        rationale: {claims: [T1]}
      - given: {rain: yes, sprinkler: off}
        probabilities: {dry: 0.2, wet: 0.8}
        rationale: {assumption: textbook number}
      - given: {rain: yes, sprinkler: on}
        probabilities: {dry: 0.01, wet: 0.99}
        rationale: {assumption: textbook number}
outcomes:
  - wet_grass: wet
scenarios:
  sprinkler_on:
    observe: {sprinkler: on}
  sprinkler_forced_on:
    do: {sprinkler: on}
claims:
  T1:
    quote: "the sprinkler wets the grass"
    form: more_likely
    reading: intervention
    outcome: {wet_grass: wet}
    if: {sprinkler: on}
    than: {sprinkler: off}
    strength: far_more
  T2:
    quote: "rain is not rare"
    form: probability
    outcome: {rain: yes}
    range: [0.1, 0.3]
  T3:
    quote: "grass colour does not change the rain"
    form: no_difference
    reading: intervention
    outcome: rain
    cause: wet_grass
"""

# Hand computations (see tests/test_inference.py for the working).
P_WET = 0.8 * (0.6 * 0.0 + 0.4 * 0.9) + 0.2 * (0.99 * 0.8 + 0.01 * 0.99)  # 0.44838
P_RAIN_GIVEN_WET = 0.2 * (0.99 * 0.8 + 0.01 * 0.99) / P_WET
P_WET_DO_ON = 0.8 * 0.9 + 0.2 * 0.99  # 0.918
P_WET_DO_OFF = 0.8 * 0.0 + 0.2 * 0.8  # 0.16
P_RAIN_DO_ON_WET = 0.2 * 0.99 / P_WET_DO_ON
P_RAIN_SEEN_ON_WET = 0.2 * 0.01 * 0.99 / (0.2 * 0.01 * 0.99 + 0.8 * 0.4 * 0.9)


# The sprinkler with one table row written once for both states of rain (given: {rain: [no, yes]}).
TINY_SHARED_ROW = TINY.replace("""      - given: {rain: no}
        probabilities: {off: 0.6, on: 0.4}
        rationale: {assumption: textbook number}
      - given: {rain: yes}
        probabilities: {off: 0.99, on: 0.01}
        rationale: {assumption: textbook number}""", """      - given: {rain: [no, yes]}
        probabilities: {off: 0.6, on: 0.4}
        rationale: {assumption: the rain does not change the sprinkler}""")
