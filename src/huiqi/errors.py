"""Every kind of failure huiqi reports to a user, in one place.

Each exception carries a message in Chinese for the person at the terminal; the CLI prints
``str(exc)`` on one line and never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class HuiqiError(Exception):
    """Base class: a failure the user can act on."""


class DocumentError(HuiqiError):
    """A document could not be read as a policy document (文件无法读取或不是政策文件).

    ``reason`` says why in words a policy officer understands, e.g. ``文件为空``.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmptyDocumentError(DocumentError):
    """The file holds no text (空文件或没有可读文字)."""


class UnsupportedFormatError(DocumentError):
    """The file's type is not one huiqi reads (不支持的文件类型)."""


class UnreadableDocumentError(DocumentError):
    """The file is damaged, encrypted or in an unknown encoding (文件损坏或无法解码)."""


class NotAPolicyError(DocumentError):
    """The text reads fine but is not a policy document (不是政策文件)."""
