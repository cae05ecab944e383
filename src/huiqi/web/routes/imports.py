"""Imports of products and demands over HTTP (产品、需求导入): a CSV or Excel upload, checked row
by row by the registry's importer (:func:`huiqi.registry.importer.import_file`, the same as
``huiqi import products|demands`` and the 数据导入 page): good rows are stored in one
transaction, bad rows come back as the error report (行号, 列, 值, 原因). Officers and admins."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select

from huiqi.db.models import ImportRun
from huiqi.errors import BusyError
from huiqi.payout.errors import Invalid, TooLarge, UnsupportedMedia
from huiqi.registry.errors import RegistryFileError
from huiqi.registry.importer import (
    KIND_ZH,
    MODE_IMPORT,
    MODE_REPLACE,
    MODE_WITHDRAW,
    import_file,
    template_file,
)
from huiqi.web import supply
from huiqi.web.deps import Me, require
from huiqi.web.errors import RESPONSES
from huiqi.web.routes.catalog import XLSX_RESPONSE, xlsx
from huiqi.web.schemas_catalog import ImportOut, RowErrorOut

router = APIRouter(tags=["数据导入"], responses=RESPONSES)
KINDS = ("products", "demands")
Kind = Annotated[Literal["products", "demands"], Path(description="products(产品)或 demands(需求)")]
MODES = {"import": MODE_IMPORT, "replace": MODE_REPLACE, "withdraw": MODE_WITHDRAW}
SUFFIXES = (".csv", ".xlsx", ".xlsm")
MAX_BYTES = 200 * 1024 * 1024  # as the 数据导入 page: registry files run to tens of MB
MAX_ERRORS = 5000


def paths(prefix: str) -> list[str]:
    """The upload addresses, for the body-size limit (:class:`huiqi.web.app.BodyLimit`)."""
    return [f"{prefix}/imports/{kind}" for kind in KINDS]


def _rows(errors) -> list[RowErrorOut]:
    return [RowErrorOut(row=e.row, column=e.column, value=str(e.value), reason=e.reason) for e in errors]


@router.post("/imports/{kind}", response_model=ImportOut, summary="导入产品或需求(CSV 或 Excel)")
def import_table(
    kind: Kind,
    request: Request,
    me: Me,
    file: Annotated[UploadFile, File(description="CSV(UTF-8 或 GB18030)或 Excel(.xlsx),中英文表头均可")],
    mode: Annotated[
        Literal["import", "replace", "withdraw"],
        Query(
            description="import:新增并更正(默认);replace:文件即全部名单,同一文件名先前导入而本次没有的行撤回;withdraw:撤回文件中列出的行"
        ),
    ] = "import",
) -> ImportOut:
    """逐行校验,合格的行一次写入,有误的行逐条返回(行号、列、值、原因);同一文件再次导入不会重复。经办人员和管理员可用。"""
    require(me, "officer", "admin")
    name = FilePath(file.filename or "").name
    if not name:
        raise Invalid("请上传文件(CSV 或 Excel)", "file")
    if len(name.encode("utf-8")) > 200 or any(ord(c) < 32 or c in '\\/:*?"<>|' for c in name):
        raise Invalid("文件名过长或含有不能用于文件名的字符,请改名后再上传", "file")
    if FilePath(name).suffix.lower() not in SUFFIXES:
        raise UnsupportedMedia(f"{name}:只能导入 CSV 或 Excel(.xlsx)文件", "file")
    content = file.file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise TooLarge(f"{name}:文件超过 {MAX_BYTES // 1024 // 1024}MB", "file")
    engine = request.app.state.engine
    with tempfile.TemporaryDirectory() as folder:
        path = (
            FilePath(folder) / name
        )  # the file name is the import's source (替换 withdraws that source's rows)
        path.write_bytes(content)
        try:
            summary = import_file(
                engine,
                kind,
                path,
                FilePath(folder) / "错误报告.csv",
                replace=mode == "replace",
                withdraw=mode == "withdraw",
            )
        except RegistryFileError as exc:
            where = f"(工作表“{exc.sheet}”)" if exc.sheet else ""
            raise Invalid(f"{name}{where}:{exc.reason}", "file") from None
        except BusyError:
            raise supply.Busy("数据库正被另一个导入任务占用,请稍后再试") from None
    summary.report = None  # the report is this answer; its temporary file is gone
    digest = hashlib.sha256(content).hexdigest()
    with engine.connect() as conn:
        run_id = conn.execute(
            select(func.max(ImportRun.id)).where(ImportRun.sha256 == digest, ImportRun.kind == kind)
        ).scalar()
    counts = {
        "file_name": name,
        "rows_total": summary.rows_total,
        "rows_new": summary.rows_new,
        "rows_changed": summary.rows_changed,
        "rows_withdrawn": summary.rows_withdrawn,
        "rows_bad": summary.rows_bad,
    }
    supply.audit(engine, me, f"import.{kind}", "import_run", run_id, after=counts, reason=MODES[mode])
    return ImportOut(
        kind=kind,
        kind_zh=KIND_ZH[kind],
        mode=summary.mode,
        file_name=name,
        sheet=summary.sheet,
        rows_total=summary.rows_total,
        rows_new=summary.rows_new,
        rows_changed=summary.rows_changed,
        rows_unchanged=summary.rows_unchanged,
        rows_withdrawn=summary.rows_withdrawn,
        rows_bad=summary.rows_bad,
        rows_warned=len(summary.warnings),
        message=supply.plain(summary.describe()),
        errors=_rows(summary.errors[:MAX_ERRORS]),
        errors_total=len(summary.errors),
        warnings=_rows(summary.warnings[:MAX_ERRORS]),
    )


@router.get(
    "/imports/templates/{kind}",
    response_class=Response,
    responses=XLSX_RESPONSE,
    summary="空白导入模板(Excel)",
)
def template(kind: Kind, me: Me) -> Response:
    """中文表头和“说明”工作表(与 huiqi import --template 相同)。"""
    require(me, "officer", "admin")
    with tempfile.TemporaryDirectory() as folder:
        path = template_file(kind, FilePath(folder) / f"{KIND_ZH[kind]}模板.xlsx")
        content = path.read_bytes()
    return xlsx(content, f"{KIND_ZH[kind]}模板.xlsx")
