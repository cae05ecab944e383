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


class BusyError(HuiqiError):
    """Another huiqi job holds the database's writer lock for longer than we may wait (数据库忙)."""


_OS_REASONS = {
    "FileNotFoundError": "文件或文件夹不存在",
    "IsADirectoryError": "是文件夹,这里需要文件路径",
    "NotADirectoryError": "路径中有一段是文件而不是文件夹",
    "FileExistsError": "已有同名文件,无法在此创建文件夹",
    "PermissionError": "没有读写权限",
}


def describe_failure(exc: BaseException) -> str | None:
    """One Chinese line for a failure a user can act on, or None for a bug (logged instead).

    >>> describe_failure(FileNotFoundError(2, "No such file or directory", "a.txt"))
    'a.txt: 文件或文件夹不存在'
    >>> describe_failure(KeyError("x")) is None
    True
    """
    if isinstance(exc, HuiqiError):
        return str(exc)
    if isinstance(exc, OSError):
        import errno

        where = f"{exc.filename}: " if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"{where}磁盘空间不足"
        reason = _OS_REASONS.get(type(exc).__name__)
        return f"{where}{reason or f'无法读写(系统错误 {exc.errno})'}"
    try:
        from sqlalchemy import exc as sa
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, sa.ArgumentError):
        return "数据库地址(HUIQI_DATABASE_URL)格式不对,应如 postgresql+psycopg://用户@主机/库名"
    if isinstance(exc, sa.OperationalError | sa.InterfaceError):
        text = str(exc.orig if getattr(exc, "orig", None) else exc).lower()
        if "locked" in text or "busy" in text:
            return "数据库正被另一个任务占用,请稍后重试"
        if "unable to open" in text:
            return "无法打开 SQLite 数据库文件:请检查数据目录(HUIQI_DATA_DIR)是否可写"
        return "无法连接数据库:请检查 HUIQI_DATABASE_URL 和数据库服务是否已启动"
    if isinstance(exc, sa.IntegrityError):
        return "数据冲突:另一个任务同时写入了同样的数据,请重试"
    return None
