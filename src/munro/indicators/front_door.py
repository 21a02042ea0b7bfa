"""The items of the front door and early help, from Ofsted's Annex A (lists 1 and 2), which the CIN census lacks.

definitions.md has no item for contacts or early help; the framework asks about both among its local
questions (whether key professionals "understand agreed children's social care referral thresholds"
and "know what to do where they have concerns about a child who would benefit from early help", and
"How do you support children & young people who do not meet the threshold for statutory intervention
but require targeted or multi-agency support?"), so munro adds two items of its own definition,
written as precisely as definitions.md's (docs/annex-a.md):

- ``contact_conversion``: of contacts in the period, the percent that became a referral: a referral of
  the same child dated on the contact's date or within the ``CONVERSION_DAYS`` calendar days after it,
  and not after the period's end R;
- ``early_help_rate``: early help assessments started in the period per 10,000 children.

Each needs the LA's Annex A workbooks to cover every day of the period (``Context.annex_a_covers``);
otherwise it is None with a reason. The queries run either way, so that ``--show-sql`` prints them.
"""

from __future__ import annotations

from .activity import rate_result
from .context import Context, Key, count_if, days_between
from .registry import PER_10K, item
from .result import ItemResult, count_of, percent

CONVERSION_DAYS = 7  # a referral this many calendar days after the contact, or fewer, is the contact's

_Q_THRESHOLDS = ("2) understand agreed children's social care referral thresholds for Section 17 (children in "
                 "need) which includes children about whom there are concerns about their safety")
_Q_EARLY_HELP = ("How do you support children & young people who do not meet the threshold for statutory "
                 "intervention but require targeted or multi-agency support?")


def _missing(ctx: Context, item_id: str, unit: str, key: Key, what: str) -> ItemResult | None:
    """None when the LA's Annex A workbooks cover the period; else the result saying what is needed."""
    if ctx.annex_a_covers(*key):
        return None
    p = key.period
    return ItemResult.missing(item_id, unit, (
        f"needs {what} (Annex A list) for every day of {p.start.isoformat()} to {p.end.isoformat()}, which the "
        "CIN census does not collect: load the LA's Annex A workbooks covering them with munro ingest"))


@item(
    id="contact_conversion",
    title="Contacts that became referrals",
    section="activity",
    source="Ofsted's Annex A list 1 (contacts) and the CIN census's referrals",
    needs=("Annex A list 1 (contacts)",),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not a national item of the framework. Its local questions ask whether key professionals "
        "understand agreed children's social care referral thresholds; the share of contacts to the "
        "front door that become referrals shows how far the contacts made meet them."
    ),
    rationale_quoted=False,
    unit="percent",
    polarity="neither",
    polarity_reason=(
        "A low percent may mean partners contact the front door about children who do not need social care, "
        "a high one that the front door turns away few; neither is better in itself."
    ),
    comparability="munro",
    headline="percent of contacts in the year followed by a referral of the same child within 7 days",
    definition=(
        "Of contacts in the year (Annex A list 1, `Date of Contact` in the year; every contact counts, two "
        "about one child as two), the percent that became a referral: the same child (LA and child "
        "identifier) has a referral (CIN census `CINreferralDate`, including no-further-action referrals; "
        "Annex A list 3's `Date of Referral` when the items run from an Annex A alone) dated on the contact's "
        "date or up to 7 calendar days after it, and not after 31 March (R). Also `count` (contacts), "
        "`numerator` (those that became a referral) and `children` (children with a contact in the year). "
        "Needs the LA's Annex A workbooks to cover every day of the year; without them the value is null "
        "with a reason."
    ),
    figures=("count", "numerator", "children"),
    key_questions=(_Q_THRESHOLDS,),
)
def contact_conversion(ctx: Context) -> dict[Key, ItemResult]:
    # Only the columns it needs: no item reads a date of birth (pseudonymisation degrades them to months).
    c = ctx.during(ctx.t.contacts.select("la_code", "la_child_id", "contact_date", "load_id", "sheet_row"),
                   "contact_date")
    e = ctx.t.episodes
    e = e.select(e_la=e.la_code, e_child=e.la_child_id, e_ref=e.referral_date)
    joined = c.left_join(e, [c.la_code == e.e_la, c.la_child_id == e.e_child, e.e_ref >= c.contact_date,
                             e.e_ref <= c.p_end, days_between(c.contact_date, e.e_ref) <= CONVERSION_DAYS])
    # One row per contact (a workbook's sheet row) and period, however many referrals followed it.
    each = joined.group_by([*ctx.by, "load_id", "sheet_row"]).aggregate(
        referred=count_if(joined.e_ref.notnull()), child=joined.la_child_id.max())
    rows = ctx.per_key(each.group_by(ctx.by).aggregate(
        n=each.count(), converted=count_if(each.referred > 0), children=each.child.nunique()))
    out = {}
    for key in ctx.keys:
        n, converted = count_of(rows[key].get("n")), count_of(rows[key].get("converted"))
        out[key] = _missing(ctx, "contact_conversion", "percent", key, "contacts") or ItemResult(
            id="contact_conversion", unit="percent", value=percent(converted, n),
            reason=None if n else f"no contacts {key.period.in_words}", numerator=converted, denominator=n, count=n,
            figures={"children": count_of(rows[key].get("children"))})
    return out


@item(
    id="early_help_rate",
    title="Early help assessments started (rate per 10,000)",
    section="activity",
    source="Ofsted's Annex A list 2 (early help assessments)",
    needs=("Annex A list 2 (early help assessments)",),
    framework_item=None,
    framework_source=None,
    rationale=(
        "Not a national item of the framework. Its local questions ask how children who do not meet the "
        "threshold for statutory intervention are supported, and whether key professionals know what to "
        "do for a child who would benefit from early help; early help assessments are where that support "
        "starts."
    ),
    rationale_quoted=False,
    unit="per_10k",
    polarity="neither",
    polarity_reason="How much early help an area offers depends on its needs and its services: no rate is "
                    "better in itself.",
    comparability="munro",
    headline=f"early help assessments started in the year {PER_10K}",
    definition=(
        f"Early help assessments started in the year (Annex A list 2, `Assessment start date` in the year; "
        f"every assessment counts) {PER_10K}. Also `count`, `children` (children with an assessment "
        "started in the year) and `completed` (assessments with an `Assessment completion date` in the year "
        "and not after 31 March, R). Needs the LA's Annex A workbooks to cover every day of the year; "
        "without them the value is null with a reason."
    ),
    figures=("count", "children", "completed"),
    key_questions=(_Q_EARLY_HELP,),
)
def early_help_rate(ctx: Context) -> dict[Key, ItemResult]:
    help_ = ctx.t.early_help.select("la_code", "la_child_id", "start_date", "completion_date")  # no birth date
    started = ctx.during(help_, "start_date")
    rows = ctx.per_key(started.group_by(ctx.by).aggregate(n=started.count(), children=started.la_child_id.nunique()))
    done = ctx.during(help_, "completion_date")
    completed = ctx.per_key(done.group_by(ctx.by).aggregate(n=done.count()))
    out = {}
    for key in ctx.keys:
        out[key] = _missing(ctx, "early_help_rate", "per_10k", key, "early help assessments") or rate_result(
            ctx, "early_help_rate", key, count_of(rows[key].get("n")),
            figures={"children": count_of(rows[key].get("children")),
                     "completed": count_of(completed[key].get("n"))})
    return out
