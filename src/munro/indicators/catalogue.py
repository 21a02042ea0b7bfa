"""The item catalogue: the framework's sections and questions, and every item munro reports.

The framework's five sections, with their introductions and local key questions,
are here (``SECTIONS``), quoted verbatim apart from whitespace. The items are
not written here: each is registered with its computation by ``@item`` in the
module that computes it (``registry.py`` says how), and this module is the one
place that imports those modules, which fills the register. ``ITEMS`` (in
definitions.md order: section 2, then section 3), ``CATALOGUE`` (in framework
section order, then definitions.md order), ``item(id)`` and ``by_section()`` are
views over the register; ``compute.ITEMS``, ``docs/indicators.md`` and LAIT's
measures (``benchmark/lait.py``) are derived from them.

Text quoted from the framework (rationales, item wording, section purposes and
local key questions) is verbatim apart from whitespace, and
``tests/indicators/test_catalogue.py`` checks it against the framework file, so
it can be shown to inspectors as the framework's own words. Everything else is
munro's, written from definitions.md; where munro's text quotes the framework it
does so in double quotes, and those quotes are checked too.

``docs/indicators.md`` is generated from this module
(``python -m munro.indicators.docs > docs/indicators.md``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# The item modules, imported so that their items register (nothing else imports them for that).
from . import activity, casework, front_door, imported, plans, timeliness
from .registry import COMPARABILITY, POLARITIES, REGISTER, SECTION_IDS, Item
from .result import UNITS

__all__ = ["COMPARABILITY", "POLARITIES", "UNITS", "Item", "Question", "Section", "SECTIONS", "ITEMS", "CATALOGUE",
           "ITEM_MODULES", "section", "item", "by_section", "question_of"]


@dataclass(frozen=True, kw_only=True)
class Question:
    """A local key question of the framework, quoted.

    ``parts`` are its lettered or bulleted sub-items; ``then`` the numbered
    lines that follow them (only the workforce question on key professionals
    has these: each numbered line applies to every lettered agency).
    """

    text: str
    parts: tuple[str, ...] = ()
    then: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Section:
    id: str
    name: str
    short_name: str
    purpose: tuple[str, ...]  # the framework's introductory paragraphs, quoted
    questions: tuple[Question, ...]  # the framework's local key questions, quoted
    note: str = ""  # munro's remark where the framework gives no introduction or questions


SECTIONS: tuple[Section, ...] = (
    Section(
        id="outcomes",
        name="Outcomes and experiences of children, young people and their families",
        short_name="Outcomes and experiences",
        purpose=(
            "Professor Munro made it clear in her review of the child protection system that "
            "everyone involved in child protection should pursue child-centred working and "
            "recognise children and young people as individuals with rights, including their "
            "right to participation in decisions about them in line with their age and maturity.",
            "The review emphasises the importance of the quality of the relationship between the "
            "child and family and professionals and its impact on the effectiveness of help "
            "given. The clear message from children (and their parents) is that they value "
            "continuity in those key relationships. Professor Munro highlighted that the key "
            "measure of the success of child protection systems is whether children are receiving "
            "effective help when they need it.",
            "It is therefore crucial for local areas to get feedback from children and young "
            "people and their families to inform learning and drive service improvement. It is "
            "also key to understanding the impact of the service and the difference children "
            "young people and their families feel has been made to their lives. All too often "
            "children and young people report that they have not been involved in the decisions "
            "effecting their lives, they have not been provided with adequate information and "
            "they have not understood what is happening to them. We know also that social work is "
            "more effective when parents have clarity around expectations of their behaviour.",
            "These questions and information items also underline the importance of the quality "
            "and continuity of a child's or young person's relationship with their social "
            "workers. Additionally they provide information on the educational attainment of "
            "children in need, whether they are in school and the quality and/or quantity of the "
            "education they receive.",
        ),
        questions=(
            Question(
                text="How do you know how safe the children and young people engaged with children's "
                "social care services in your area feel:",
                parts=("(a) At home", "(b) At school", "(c) In their local area"),
            ),
            Question(text="What is done as a result to help children and young people to be safe and to feel safe?"),
            Question(text="And how do you know whether the services you provide have made a difference?"),
            Question(
                text="How do you know whether children and young people engaged with children's social "
                "care services feel that their wishes and feelings are considered by the "
                "professionals involved in their case and that they understand what is happening and "
                "why?"
            ),
            Question(
                text="How do you know what children feel about the difference key professionals have made "
                "and how well they feel treated?"
            ),
            Question(text="How is this fed into the development of the service?"),
            Question(
                text="How do you know how helpful children and young people think the relationship with "
                "their social worker is during their journey from needing help to being helped?"
            ),
            Question(text="How do you know what children think about changes of social worker?"),
            Question(
                text="How do you know whether the families engaged with children's social care feel that "
                "their views have been considered by each of the professionals involved in their "
                "child's case and that they understand what is happening, why it is happening and "
                "what the expectation of them is?"
            ),
            Question(text="How is this fed into the development of the service?"),
            Question(
                text="How do you know that vulnerable children and young people in your area are receiving "
                "a suitable education?"
            ),
        ),
    ),
    Section(
        id="workforce",
        name="Workforce",
        short_name="Workforce",
        purpose=(
            "With the Government's commitment to implement Professor Munro's recommendation to "
            "reduce prescription, leaders in local authorities will have more autonomy but also "
            "more responsibility for helping their staff to operate with a high level of "
            "knowledge and skills. In moving to a system that promotes the exercise of "
            "professional judgment, local multi-agency systems will need to be better at "
            "monitoring, learning and adapting their practice.",
            "Professor Munro's review highlighted that the messages frontline workers receive "
            "about what is important have a strong influence on the way they practise and on how "
            "caseloads are prioritised. A system based solely on process-based targets and "
            "performance indicators has skewed local priorities so that the focus is on specific "
            "aspects of process rather than practice quality and learning. To this end an "
            "understanding of how the workforce views the role they play in child protection and "
            "the difficulties they face is imperative in informing professional development and "
            "service improvement.",
            "The local workforce questions and information items are intended as a starting point "
            "for local areas to understand their social workers' workload, and that of other "
            "practitioners, and their perceptions of the support they receive and the service "
            "they are able to offer vulnerable children and young people.",
            "Professor Munro highlighted the importance of early help from the child or young "
            "person's point of view i.e. that preventative services do more to reduce abuse and "
            "neglect than reactive services. Early help is also cost effective when current "
            "expenditure is compared to the cost of intervention when serious problems develop "
            "later. The local questions and national information items will help local areas "
            "judge how key professionals understand how and when to identify if children are "
            "suffering or likely to suffer abuse or neglect.",
        ),
        questions=(
            Question(
                text="How do you know what children and young people's social workers and other key "
                "professionals working with vulnerable children think about whether:",
                parts=(
                    "a) Their interventions have improved the safety and welfare of children",
                    "b) They received adequate reflective supervision and support",
                    "c) Their workloads are manageable",
                    "d) They are able to spend enough time with children and young people",
                ),
            ),
            Question(text="And what are you doing as a result?"),
            Question(
                text="How do you know that key professionals within:",
                parts=(
                    "a) The police",
                    "b) The health service",
                    "c) Schools and early years settings",
                    "d) Adult social care",
                    "e) Youth services",
                    "f) Criminal justice agencies",
                    "g) Other services",
                ),
                then=(
                    "1) know how to identify concerns about a child or young persons welfare and what to do?",
                    "2) understand agreed children's social care referral thresholds for Section 17 "
                    "(children in need) which includes children about whom there are concerns about their "
                    "safety",
                    "3) know what to do where they have concerns about a child who would benefit from early help?",
                ),
            ),
            Question(
                text="How do you support children & young people who do not meet the threshold for "
                "statutory intervention but require targeted or multi-agency support?"
            ),
        ),
    ),
    Section(
        id="timeliness",
        name="Timeliness and quality of decision making and planning",
        short_name="Timeliness",
        purpose=(
            "Professor Munro was clear that local attention needs to be given to: the timeliness "
            "in the identification of children's needs and provision of help; the quality of the "
            "assessment to inform next steps to safeguard and promote children's welfare; and the "
            "effectiveness of the help provided.",
            "The local questions and national information items underline the continued "
            "importance of not allowing cases to drift, whilst emphasising the need to balance "
            "the speed of decision making with the quality and effectiveness of those decisions "
            "made.",
        ),
        questions=(
            Question(
                text="How do you measure and understand the quality and timeliness of professional "
                "decision making for vulnerable children and young people? Including:",
                parts=(
                    "Quality of assessments",
                    "Quality and timeliness of decisions after assessments have been completed.",
                    "Whether the plans have improved children's outcomes",
                ),
            ),
            Question(
                text="How do you know that the time from Initial Child Protection Conference to the first "
                "core group meeting is reasonable and appropriate for the child's safety and welfare?"
            ),
        ),
    ),
    Section(
        id="plans",
        name="Plans",
        short_name="Plans",
        purpose=(),
        questions=(),
        note=(
            "The framework gives the Plans table no introduction or local questions of its own. It "
            "follows the tables of \"Timeliness and quality of decision making and planning\", whose "
            "local questions ask, among other things, \"Whether the plans have improved children's "
            "outcomes\"."
        ),
    ),
    Section(
        id="activity",
        name="Activity",
        short_name="Activity",
        purpose=(),
        questions=(),
        note="The framework gives the Activity table no introduction or local questions of its own.",
    ),
)

if tuple(s.id for s in SECTIONS) != SECTION_IDS:
    raise ValueError(f"the sections {[s.id for s in SECTIONS]} are not registry.SECTION_IDS {SECTION_IDS}")
_SECTIONS = {s.id: s for s in SECTIONS}


def section(section_id: str) -> Section:
    try:
        return _SECTIONS[section_id]
    except KeyError:
        raise KeyError(f"unknown section {section_id!r}; sections are {', '.join(SECTION_IDS)}") from None


# The item modules in definitions.md order: section 2's items from the CIN census (timeliness, plans,
# activity), those needing an LA's casework records beyond it, then section 3's imported items. A new
# item module goes here too (the register refuses items of a module not listed).
ITEM_MODULES = (timeliness, plans, activity, casework, front_door, imported)

# id -> item, in definitions.md order
ITEMS: dict[str, Item] = {i.id: i for i in REGISTER.in_order(ITEM_MODULES)}
# Every item, in framework section order and then in definitions.md order.
CATALOGUE: tuple[Item, ...] = tuple(sorted(ITEMS.values(), key=lambda i: SECTION_IDS.index(i.section)))


def item(item_id: str) -> Item:
    """The catalogue entry for ``item_id``; KeyError naming the nearest ids when it is unknown."""
    try:
        return ITEMS[item_id]
    except KeyError:
        near = difflib.get_close_matches(str(item_id), ITEMS, n=3)
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        raise KeyError(
            f"unknown item id {item_id!r}.{hint} The items are listed in docs/indicators.md "
            f"(munro.indicators.catalogue.CATALOGUE)."
        ) from None


def by_section() -> dict[str, tuple[Item, ...]]:
    """Every section id, in framework order, with its items in catalogue order."""
    return {s.id: tuple(i for i in CATALOGUE if i.section == s.id) for s in SECTIONS}


def question_of(quote: str) -> Question:
    """The local question that ``quote`` (an item's key question: a whole question or one of its parts) belongs to."""
    for s in SECTIONS:
        for q in s.questions:
            if quote == q.text or quote in q.parts or quote in q.then:
                return q
    raise KeyError(f"{quote!r} is not a local key question of the framework")
