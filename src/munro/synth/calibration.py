"""What the synthetic authority should look like, and the knobs that get it there.

``TARGETS`` are the England 2024-25 figures (DfE "Children in need" 2025
release, ``shared/reference/cin_published_stats``; rates per 10,000 children
aged 0-17) that a real authority's synthetic returns should land near with
default options. Everything else in this module is a model parameter: a
probability or a distribution of the journey simulation. The parameters were
tuned by running the generator and measuring the targets the way
definitions.md section 2 computes them (``tests/synth/test_calibration.py``
does the same); change one and re-run that test.

Distributions are given as ``(values, weights)`` tables or as piecewise-linear
cumulative distributions (``knots``), so they read as the shapes they are.
"""

from __future__ import annotations

TARGETS = {
    "referral_rate": 519.0,          # referrals per 10k
    "rereferral_12m": 22.6,          # percent of referrals
    "nfa": 6.5,                      # percent of referrals
    "not_in_need": 30.8,             # percent of referrals (closed RC8/RC9)
    "assessment_rate": 533.0,        # assessments authorised per 10k
    "assessment_within_45": 85.7,    # percent
    "assessment_median": 33.0,       # working days
    "s47_rate": 189.0,
    "icpc_rate": 59.0,
    "icpc_within_15": 81.4,          # percent of ICPCs within 15 working days of S47 start
    "cpp_start_rate": 51.0,
    "cpp_neglect": 49.0,             # percent of plan starts (initial category)
    "cpp_emotional": 34.0,
    "cpp_rate": 40.6,                # plans open at 31 March per 10k
    "cpp_repeat": 24.5,              # percent of plan starts that are 2nd or later
    "cpp_lasting_2y": 4.4,           # percent of plans ending that lasted >= 729 days
    "cin_rate": 330.0,               # children in need at 31 March per 10k
    "source_police": 28.0,           # percent of referrals
    "source_schools": 21.0,
    "source_health": 15.0,
}

# Years simulated before the first requested year, so that the first return
# already holds long-open cases, earlier plans and recent referrals. Ten years
# is what it takes for the stock of looked-after children (open episodes that
# last years) and for chains of re-referrals to settle: with six, the rates
# still drift up by 1-2% a year over the first returns.
WARMUP_YEARS = 10

# First referrals (children new to the simulation) per 10k children a year.
# Re-referrals of the same children bring the total to TARGETS["referral_rate"].
FIRST_REFERRAL_RATE = 314.0

# --- the child ---------------------------------------------------------------

# Age at first referral: (label, share, low age in days, high age in days).
# Negative ages are unborn children (pre-birth referrals, at most 40 weeks early).
AGE_AT_FIRST_REFERRAL = (
    ("unborn", 0.030, -230, -20),
    ("0", 0.100, 0, 364),
    ("1-4", 0.170, 365, 5 * 365 - 1),
    ("5-9", 0.205, 5 * 365, 10 * 365 - 1),
    ("10-15", 0.345, 10 * 365, 16 * 365 - 1),
    ("16-17", 0.150, 16 * 365, 18 * 365 - 40),
)

# Relative chance of an S47 ending in a conference, by age band at referral
# (younger children are far more often made subject to a plan).
ICPC_AGE_FACTOR = {"unborn": 2.0, "0": 1.6, "1-4": 1.3, "5-9": 1.1, "10-15": 0.75, "16-17": 0.35}

SEX = (("M", "F", "X"), (0.515, 0.482, 0.003))  # X: indeterminate / not recorded

ETHNICITY = (
    ("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
     "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"),
    (57.5, 0.4, 0.4, 6.0, 1.0, 2.6, 1.1, 1.4, 3.2, 1.3,
     3.6, 1.3, 1.9, 1.3, 4.3, 1.4, 0.2, 3.2, 0.6, 3.3),
)

# Share of children with at least one disability, and the mix of codes among them.
P_DISABLED = 0.12
DISABILITY = (
    ("AUT", "LD", "COMM", "BEH", "MOB", "PC", "HAND", "INC", "HEAR", "VIS", "CON", "DDA"),
    (34.0, 22.0, 16.0, 12.0, 4.0, 2.5, 1.0, 1.5, 2.0, 1.5, 1.0, 2.5),
)
P_SECOND_DISABILITY = 0.30

# UPN: children who never get one (educated outside the maintained sector,
# abroad, unaccompanied asylum seekers...) and their UPNunknown reason.
P_NO_UPN = 0.03
NO_UPN_REASON = (("UN2", "UN3", "UN4", "UN5", "UN6"), (40, 10, 20, 10, 20))
P_UPN_OTHER_LA = 0.15     # UPN allocated by a school in another authority
P_FORMER_UPN = 0.01
P_NFA_NO_UPN = 0.5        # no-further-action-only children returned with UN7

# Children already known before they enter the simulation (a plan in another
# authority, or before the warm-up): chance of earlier plans by age band.
P_PRIOR_CPP = {"unborn": 0.0, "0": 0.017, "1-4": 0.075, "5-9": 0.125, "10-15": 0.165, "16-17": 0.17}

# A family-level propensity: a minority of families account for most repeat
# referrals and repeat plans. (share, multiplier on re-referral and on plans)
RISK_GROUPS = ((0.70, 0.75, 0.9), (0.30, 1.6, 1.25))

# --- the referral --------------------------------------------------------------

# Referral source, percent of referrals. 5D (early help) exists from 2023;
# before that its share is recorded as 5B.
REFERRAL_SOURCE = (
    ("1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4",
     "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10"),
    (4.6, 0.8, 1.0, 1.3, 19.4, 1.6, 2.3, 2.6, 0.7, 2.0, 2.9, 4.5, 1.9,
     3.5, 3.4, 1.6, 4.4, 28.0, 2.6, 3.3, 1.6, 6.0),
)

P_NFA = 0.066
NFA_NEED = (("N9", "N0", None), (25, 15, 60))   # most NFA referrals carry no need code

# Child arriving on a plan from another authority: a transfer-in conference
# recorded at episode level (CINdetails/DateOfInitialCPC), no section 47.
P_TRANSFER_IN = 0.004
# Cases closed without an assessment (moved away, services refused...).
P_NO_ASSESSMENT = 0.012

# Working days from referral to assessment start and to strategy discussion (S47 start).
ASSESSMENT_DELAY = ((0, 1, 2, 3, 4, 5, 7, 10, 15), (30, 22, 14, 9, 6, 5, 6, 5, 3))
S47_DELAY = ((0, 1, 2, 3, 4, 5, 8, 12), (30, 25, 15, 10, 6, 5, 5, 4))

# Assessment duration, working days from start to authorisation: (days, cumulative share).
ASSESSMENT_DAYS = (
    (0, 0.0), (1, 0.015), (10, 0.07), (20, 0.18), (28, 0.35), (33, 0.50), (40, 0.70),
    (45, 0.857), (50, 0.905), (60, 0.948), (80, 0.980), (120, 0.996), (150, 1.0),
)

# Working days from S47 start to the initial conference (DfE 2025: 8.7% 0-10,
# 72.7% 11-15, 8.9% 16-20, 9.7% 21+; quartiles 13/14/15).
ICPC_DAYS = (
    (4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
     21, 22, 23, 25, 28, 32, 38, 45, 55),
    (0.3, 0.5, 0.8, 1.0, 1.4, 2.0, 2.7, 5.6, 9.6, 15.7, 19.3, 22.5, 3.0, 2.0, 1.5, 1.2, 1.2,
     1.8, 1.5, 1.3, 1.3, 1.1, 0.9, 0.7, 0.6, 0.5),
)
# Working days from S47 start to its conclusion when no conference is needed.
S47_NO_ICPC_DAYS = (5, 35)

# Initial pathway of an assessed referral.
P_S47_INITIAL = 0.31        # strategy discussion and S47 straight away
P_ICPC_GIVEN_S47 = 0.238    # before the age, family and previous-plan factors
P_PLAN_GIVEN_ICPC = 0.86
# Children who have had a plan are more likely to have another.
PREVIOUS_PLAN_FACTOR = 1.5
P_NOT_IN_NEED = 0.565        # assessed, no S47: closed RC8/RC9
P_RC9 = 0.45                 # of those, from 2023 (referred to early help)
P_NO_FACTORS_NOT_IN_NEED = 0.22   # factor 21 alone, only for not-in-need closures

# After an S47 with no conference: (CIN plan, in need without a plan, closed, looked after)
AFTER_S47_NO_ICPC = (0.50, 0.28, 0.19, 0.03)
# After a conference with no plan: (CIN plan, in need without a plan, closed)
AFTER_ICPC_NO_PLAN = (0.70, 0.15, 0.15)
# In need, no S47: (CIN plan, in need without a plan)
P_CIN_PLAN = 0.62

# Calendar days of a CIN plan and of "in need without a plan" (lognormal median, sigma).
CIN_PLAN_DAYS = (180.0, 0.75)
CIN_NO_PLAN_DAYS = (120.0, 0.8)
DISABLED_CIN_DAYS = (700.0, 0.7)   # children whose primary need is their disability
P_NEED_DISABILITY = 0.45           # of disabled children in need without S47
CIN_MIN_DAYS = 14

# Escalation during a CIN plan: a new assessment and S47 part way through.
P_ESCALATION = 0.17
P_ICPC_GIVEN_LATER_S47 = 0.35
P_LAC_FROM_CIN = 0.03

# Repeat assessments during long episodes (looked after or disabled), per year open.
P_REASSESSMENT_PER_YEAR = 0.2

# --- child protection plans ------------------------------------------------------

ABUSE_CATEGORY = (("NEG", "EMO", "PHY", "SAB", "MUL"), (49.0, 34.0, 7.5, 4.5, 5.0))
P_CATEGORY_CHANGES = 0.08
P_SEEN_SOCIAL_WORKER = 0.97

# Review conferences: first within 3 months of the ICPC, then within 6 months
# of the previous review (calendar days, uniform; a few are late).
FIRST_REVIEW_DAYS = (56, 90)
NEXT_REVIEW_DAYS = (140, 182)
P_LATE_REVIEW = 0.04
LATE_REVIEW_DAYS = (183, 215)

# Plan ends between reviews (child looked after, moved away) before review k,
# else at review k with HAZARD_AT_REVIEW[k] (the last value repeats).
P_END_BETWEEN_REVIEWS = 0.035
HAZARD_AT_REVIEW = (0.22, 0.46, 0.52, 0.54, 0.60, 0.62)

# After a plan ends: (step down to CIN plan, in need without a plan, closed, looked after, moved away)
AFTER_PLAN = (0.50, 0.10, 0.19, 0.16, 0.05)

# Pre-proceedings (module 5, 2027 format): share of plans where the authority
# starts pre-proceedings, and its outcomes. The draft spec gives no meanings
# for A/B/C; here C is the one that goes to court (and the child into care).
P_PRE_PROCEEDINGS = 0.11
PP_OUTCOME = (("A", "B", "C"), (45, 30, 25))

# --- looked after and closure ------------------------------------------------------

# Years looked after (lognormal median, sigma); the episode stays open throughout.
LAC_YEARS = (3.0, 0.9)
LAC_CLOSURE_YOUNG = (("RC1", "RC4", "RC3", "RC7"), (42, 25, 8, 25))   # under 5 at the end
LAC_CLOSURE_OLDER = (("RC4", "RC3", "RC7", "RC5"), (12, 10, 73, 5))
AT_18_CLOSURE = (("RC6", "RC7"), (45, 55))
SERVICE_CLOSURE = (("RC7", "RC5", "RC3", "RC4"), (91, 6, 1.5, 1.5))
NO_ASSESSMENT_CLOSURE = (("RC7", "RC5"), (70, 30))
P_DEATH = 0.0004            # per service episode: closed RC2 with a date of death
CLOSURE_LAG_DAYS = (0, 0, 0, 1, 2, 5, 10)   # calendar days from the last activity to closure

# --- re-referral ----------------------------------------------------------------------

# Chance of another referral after an episode closes, by how it closed.
P_REREFERRAL = {
    "nfa": 0.52, "not_in_need": 0.48, "service": 0.395, "lac": 0.15,
    "moved": 0.05, "final": 0.0,
}
# Calendar days from closure to the next referral: a mixture of a quick
# return and a slow one (share, mean days).
REREFERRAL_GAP = ((0.55, 100.0), (0.45, 750.0))

# --- assessment factors -------------------------------------------------------------

# Percent of assessments with factors that record each factor (DfE C3 2025,
# as shares of episodes with factors). 3B and 4B are set a little under the
# published shares because the child protection boost below and repeat
# assessments lift their share of assessed episodes back to it.
# 18A/19A before 2021 take the shares of their splits.
FACTORS = {
    "1A": 2.1, "1B": 14.3, "1C": 2.3, "2A": 4.8, "2B": 14.2, "2C": 3.1,
    "3A": 11.3, "3B": 29.5, "3C": 5.0, "4A": 17.6, "4B": 31.0, "4C": 4.6,
    "5A": 12.3, "5B": 3.0, "5C": 1.5, "6A": 4.7, "6B": 5.4, "6C": 1.0,
    "7A": 3.7, "8B": 0.05, "8C": 0.05, "8D": 0.05, "8E": 0.18, "8F": 0.05,
    "9A": 1.2, "10A": 3.3, "11A": 2.4, "12A": 0.4, "13A": 1.7, "14A": 7.0,
    "15A": 5.0, "16A": 17.6, "17A": 19.0, "18B": 3.0, "18C": 12.0,
    "19B": 2.5, "19C": 3.7, "20": 16.3, "22A": 0.15, "23A": 0.4, "24A": 3.2,
}
# Assessments on the child protection route record more factors.
FACTOR_BOOST_S47 = 1.15
