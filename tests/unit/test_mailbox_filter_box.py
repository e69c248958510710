"""/dev/mailbox's Recipient box follows the filter: "Show all" empties it (it kept the address
typed, as if the list were still filtered by it)."""

from __future__ import annotations

from cyberhub.pages.mailbox import MailboxState, mailbox_content


def _props_of(node: object, field_id: str) -> list[str]:
    """The rendered props of the element with id `field_id` ([] when there is none)."""
    if isinstance(node, dict):
        props = [str(p) for p in node.get("props", [])]
        if f'id:"{field_id}"' in props:
            return props
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            if found := _props_of(child, field_id):
                return found
    return []


def test_the_recipient_box_is_made_anew_when_the_filter_changes() -> None:
    props = _props_of(mailbox_content().render(), "mailbox-to")
    assert f"defaultValue:{MailboxState.recipient!s}" in props
    assert f"key:{MailboxState.recipient!s}" in props
