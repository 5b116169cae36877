"""Identifiers of a rehearsal: the traceer- and conversatie-IDs ketensim gives its messages.

They are version-4 UUIDs in form, derived from the seed and the message (BLAKE2b), so that a session
rebuilt from its journal hands out exactly the ids it handed out before.
"""

from __future__ import annotations

import hashlib
import re
import uuid

__all__ = ["derived_uuid", "is_uuid4"]

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def derived_uuid(*parts: object) -> str:
    """A version-4-shaped UUID determined by ``parts``."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def is_uuid4(text: str) -> bool:
    """True for a version-4 UUID in its canonical lower-case 8-4-4-4-12 form."""
    return isinstance(text, str) and bool(_UUID4.match(text))
