"""数据导入: upload a registry file (CSV or Excel), watch the import's progress, read the
row-by-row error report and download it. The import itself is the command line's
(:func:`huiqi.registry.importer.import_file`): every row checked, good rows stored in one
transaction, bad rows reported with 行号, 列, 值, 原因."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select

from huiqi.db.engine import data_dir
from huiqi.db.models import ImportRun
from huiqi.errors import HuiqiError
from huiqi.registry.errors import RegistryFileError
from huiqi.registry.importer import KIND_ZH, KINDS, MODE_IMPORT, MODE_REPLACE, MODE_WITHDRAW, import_file
from huiqi.web.deps import DB
from huiqi.web.pages.common import V, read_form, redirect, render

router = APIRouter()
SUFFIXES = (".csv", ".xlsx", ".xlsm")
MAX_BYTES = 200 * 1024 * 1024
MODES = (
    (MODE_IMPORT, "导入:新增并更正"),
    (MODE_REPLACE, "替换:文件即全部名单,文件中没有的行撤回"),
    (MODE_WITHDRAW, "撤回:撤回文件中列出的行"),
)
STEPS = (("读取", 0.1), ("等待写入权限并校验", 0.3), ("写入数据库", 0.7))


@router.get("/import")
def import_page(request: Request, v: V, session: DB):
    v.need("officer", "admin")
    runs = list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(15)))
    return render(
        request,
        "import.html",
        v,
        kinds=[(k, KIND_ZH[k]) for k in KINDS],
        modes=MODES,
        runs=runs,
        KIND_ZH=KIND_ZH,
    )


@router.get("/import/template/{kind}")
def template(
    v: V, kind: Annotated[str, Path(pattern="^(enterprises|recognitions|events|metrics|products|demands)$")]
) -> Response:
    """A blank template with Chinese headers and a 说明 sheet (as ``huiqi import --template``)."""
    import tempfile
    from urllib.parse import quote

    from huiqi.registry.importer import template_file

    v.need("officer", "admin")
    with tempfile.TemporaryDirectory() as folder:
        path = template_file(kind, FilePath(folder) / f"{KIND_ZH[kind]}模板.xlsx")
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(KIND_ZH[kind] + '模板.xlsx')}"},
    )


@router.post("/import")
async def start(request: Request, v: V):
    v.need("officer", "admin")
    form = await read_form(request, v)
    kind = str(form.get("kind") or "")
    mode = str(form.get("mode") or MODE_IMPORT)
    upload = form.get("file")
    if kind not in KINDS:
        return redirect("/import", "请选择表类型:企业、认定、事项或指标", "warn")
    if mode not in (MODE_IMPORT, MODE_REPLACE, MODE_WITHDRAW):
        return redirect("/import", "请选择导入方式", "warn")
    if not hasattr(upload, "filename") or not upload.filename:
        return redirect("/import", "请选择要导入的文件(CSV 或 Excel)", "warn")
    name = FilePath(upload.filename).name
    if FilePath(name).suffix.lower() not in SUFFIXES:
        return redirect("/import", f"{name}:只能导入 CSV 或 Excel(.xlsx)文件", "error")
    content = await upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return redirect("/import", f"{name}:文件超过 {MAX_BYTES // 1024 // 1024}MB", "error")
    folder = data_dir() / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    path = folder / name  # the file name is the import's source (替换 withdraws that source's rows)
    path.write_bytes(content)
    report = data_dir() / "import-errors" / f"{folder.name}-{path.stem}.错误报告.csv"
    engine = request.app.state.engine

    def work(progress):
        def step(text: str) -> None:
            progress(text, next((f for prefix, f in STEPS if text.startswith(prefix)), None))

        try:
            summary = import_file(
                engine,
                kind,
                path,
                report,
                step,
                replace=mode == MODE_REPLACE,
                withdraw=mode == MODE_WITHDRAW,
            )
        except RegistryFileError as exc:
            where = f"(工作表“{exc.sheet}”)" if exc.sheet else ""
            raise HuiqiError(f"{name}{where}:{exc.reason}") from exc
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return {
            "summary": summary,
            "file_name": name,
            "kind_zh": KIND_ZH[kind],
            "mode": mode,
            "errors": summary.errors[:500],
            "warnings": summary.warnings[:200],
            "report_path": str(summary.report) if summary.report else None,
        }

    job = request.app.state.jobs.start(
        v.actor.id, f"导入{KIND_ZH[kind]}表:{name}", "import_result.html", "/import", work
    )
    return redirect(f"/jobs/{job.id}")


@router.get("/import/report/{job_id}")
def download_report(request: Request, v: V, job_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,40}$")]):
    """The error report of one's own import, as the CSV the command line writes (Excel opens it)."""
    from urllib.parse import quote

    job = request.app.state.jobs.get(job_id, v.actor.id)
    path = job.result.get("report_path")
    if not path or not FilePath(path).is_file():
        from huiqi.payout.errors import NotFound

        raise NotFound("这次导入没有错误报告")
    name = f"{FilePath(job.result['file_name']).stem}.错误报告.csv"
    return FileResponse(
        path,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
