"""File-level failures of a registry import (名录导入): the whole table is refused.

Problems with single cells are not exceptions: they are collected as
:class:`huiqi.registry.validate.RowError` rows and written to an error report.
"""

from __future__ import annotations

from pathlib import Path

from huiqi.errors import HuiqiError


class UnknownTableKindError(HuiqiError):
    """The table kind is none of enterprises / recognitions / events / metrics / products /
    demands (未知表类型)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(
            f"未知的表类型 {kind}:应为 企业/认定/事项/指标/产品/需求"
            "(enterprises/recognitions/events/metrics/products/demands)"
        )


class RegistryFileError(HuiqiError):
    """A registry file that cannot be imported at all; ``reason`` says why in Chinese.

    ``sheet`` names the worksheet the problem is in, for workbooks.
    """

    def __init__(self, path: Path | str, reason: str, sheet: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.sheet = sheet
        where = f"(工作表“{sheet}”)" if sheet else ""
        super().__init__(f"{self.path}{where}: {reason}")


class UnreadableTableError(RegistryFileError):
    """The file is missing, empty, damaged, of an unsupported type or in an unknown encoding."""


class MissingColumnsError(RegistryFileError):
    """Required columns (必填列) are absent from the header row.

    ``missing`` holds the Chinese headers of the absent columns.
    """

    def __init__(self, path: Path | str, missing: list[str], sheet: str | None = None) -> None:
        self.missing = missing
        super().__init__(path, f"缺少必填列:{'、'.join(missing)}", sheet)


class DuplicateColumnError(RegistryFileError):
    """Two headers mean the same column (e.g. 信用代码 and 统一社会信用代码 side by side)."""

    def __init__(self, path: Path | str, field: str, headers: list[str], sheet: str | None = None) -> None:
        self.field = field
        self.headers = headers
        super().__init__(path, f"列{'、'.join(headers)}指的是同一项({field}),请只保留一列", sheet)
