"""What the sequential read (``reader.py``) and the parallel one (``parallel.py``) share: the hardened
parser's options and the checks of the XML around the children (``<Message>``, ``<Children>``).
"""

from __future__ import annotations

from lxml import etree

PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_comments=True, remove_pis=True, remove_blank_text=True,
)


class Reject(Exception):
    """Raised while reading; becomes RejectedFile with the file's name."""


def check_children_end(el: etree._Element) -> None:
    for sub in el:
        if sub.tag != "Child":
            raise Reject(f"unexpected element <{sub.tag}> in <Children> at line {sub.sourceline}")
        if sub.tail is not None and sub.tail.strip():
            raise Reject(f"unexpected text after <Child> in <Children> (line {sub.sourceline})")
    if el.text is not None and el.text.strip():
        raise Reject("unexpected text inside <Children>")


def check_message_end(el: etree._Element) -> None:
    for sub in el:
        if sub.tag not in ("Header", "Children"):
            raise Reject(f"unexpected element <{sub.tag}> in <Message> at line {sub.sourceline}")
        if sub.tail is not None and sub.tail.strip():
            raise Reject(f"unexpected text after <{sub.tag}> in <Message>")
    if el.text is not None and el.text.strip():
        raise Reject("unexpected text inside <Message>")
