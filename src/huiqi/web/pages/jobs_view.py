"""The page of a background job: its progress while it runs, its result when it is done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from huiqi.web.pages import charts
from huiqi.web.pages.common import V, render

router = APIRouter()
JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,40}$")]


@router.get("/jobs/{job_id}")
def job_page(request: Request, v: V, job_id: JobId):
    job = request.app.state.jobs.get(job_id, v.actor.id)
    return render(request, "job.html", v, job=job, charts=charts, **job.result)


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, v: V, job_id: JobId) -> JSONResponse:
    """The job's state for the page's script (the page also refreshes itself without it)."""
    job = request.app.state.jobs.get(job_id, v.actor.id)
    return JSONResponse(
        {"state": job.state, "step": job.step, "percent": job.percent, "elapsed": round(job.elapsed, 1)},
        headers={"Cache-Control": "no-store"},
    )
