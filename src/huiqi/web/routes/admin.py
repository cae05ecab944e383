"""Accounts, money parameters and match runs (admin and officers), and the audit log (auditor)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy import func, select

from huiqi.accounts.users import add_user
from huiqi.audit.chain import entries, verify
from huiqi.db.models import AuditEntry, MatchRun, MatchRunInput, MoneyParameter, User
from huiqi.payout.errors import NotFound
from huiqi.payout.parameters import set_parameter
from huiqi.payout.runs import run_service_match
from huiqi.web.deps import DB, Me, Paging, require
from huiqi.web.errors import RESPONSES
from huiqi.web.schemas import (
    AuditList,
    AuditOut,
    AuditVerdict,
    MatchRunIn,
    MatchRunOut,
    ParameterIn,
    ParameterList,
    ParameterOut,
    UserIn,
    UserList,
    UserOut,
)

router = APIRouter(responses=RESPONSES)


def user_out(u: User) -> UserOut:
    return UserOut(
        id=u.id,
        username=u.username,
        role=u.role,
        uscc=u.uscc,
        region_prefix=u.region_prefix,
        department=u.department,
        active=u.active,
    )


@router.post("/users", response_model=UserOut, status_code=201, tags=["账号"], summary="新建账号")
def create_user(body: UserIn, session: DB, me: Me) -> UserOut:
    """管理员新建账号:企业须绑定信用代码,经办人员须绑定地区(可填部门)。"""
    require(me, "admin")
    user = add_user(
        session,
        body.username,
        body.password,
        body.role,
        uscc=body.uscc,
        region=body.region,
        department=body.department,
        actor=me.username,
    )
    session.commit()
    return user_out(user)


@router.get("/users", response_model=UserList, tags=["账号"], summary="账号列表")
def list_users(session: DB, me: Me, page: Paging) -> UserList:
    require(me, "admin")
    query = select(User)
    total = session.scalar(select(func.count()).select_from(User))
    if page.after is not None:
        query = query.where(User.id > page.after)
    rows = list(session.scalars(query.order_by(User.id).limit(page.limit)))
    last = rows[-1].id if len(rows) == page.limit else None
    return UserList(items=[user_out(u) for u in rows], total=total, next=None if last is None else str(last))


def parameter_out(p: MoneyParameter) -> ParameterOut:
    return ParameterOut(
        id=p.id,
        name=p.name,
        region_prefix=p.region_prefix,
        version=p.version,
        value=p.value,
        set_at=p.set_at,
        reason=p.reason,
    )


@router.get("/parameters", response_model=ParameterList, tags=["资金参数"], summary="资金参数(全部版本)")
def list_parameters(session: DB, me: Me, page: Paging) -> ParameterList:
    """每个参数在每个地区的全部版本,新版本在后。"""
    query = select(MoneyParameter)
    total = session.scalar(select(func.count()).select_from(MoneyParameter))
    if page.after is not None:
        query = query.where(MoneyParameter.id > page.after)
    rows = list(session.scalars(query.order_by(MoneyParameter.id).limit(page.limit)))
    last = rows[-1].id if len(rows) == page.limit else None
    return ParameterList(
        items=[parameter_out(p) for p in rows], total=total, next=None if last is None else str(last)
    )


@router.post(
    "/parameters",
    response_model=ParameterOut,
    status_code=201,
    tags=["资金参数"],
    summary="设置资金参数(新版本)",
)
def create_parameter(body: ParameterIn, session: DB, me: Me) -> ParameterOut:
    """管理员为某地区(行政区划代码前缀,空为全部地区)设置参数的新版本,须写理由;下次匹配起生效并随匹配记录。"""
    require(me, "admin")
    parameter = set_parameter(session, me, body.name, body.region, body.value, body.reason)
    session.commit()
    return parameter_out(parameter)


@router.post("/match-runs", response_model=MatchRunOut, status_code=201, tags=["匹配"], summary="运行匹配")
def create_match_run(body: MatchRunIn, request: Request, me: Me) -> MatchRunOut:
    """按已发布的文件和当前资金参数匹配全部企业,并记录所用的文件版本、参数版本和词表。"""
    require(me, "officer", "admin")
    run = run_service_match(
        request.app.state.engine, body.as_of or dt.date.today(), body.year, actor=me.username
    )
    return MatchRunOut(
        id=run.run_id,
        as_of=run.as_of,
        year=run.year,
        rules=run.rules,
        enterprises=run.enterprises,
        rows=run.rows,
        tracked_new=run.tracked_new,
        tracked_updated=run.tracked_updated,
        inputs=run.inputs,
    )


@router.get("/match-runs/{run_id}", response_model=MatchRunOut, tags=["匹配"], summary="一次匹配及其依据")
def get_match_run(run_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: DB, me: Me) -> MatchRunOut:
    require(me, "officer", "admin", "finance", "auditor")
    run = session.get(MatchRun, run_id)
    if run is None:
        raise NotFound(f"没有编号为 {run_id} 的匹配")
    inputs = {
        f"{i.kind}:{i.key}": json.loads(i.value)
        for i in session.scalars(select(MatchRunInput).where(MatchRunInput.run_id == run_id))
    }
    return MatchRunOut(
        id=run.id,
        as_of=run.as_of,
        year=run.year,
        rules=run.rules,
        enterprises=run.enterprises,
        rows=run.entitlements,
        tracked_new=0,
        tracked_updated=0,
        inputs=inputs,
    )


def audit_out(e: AuditEntry) -> AuditOut:
    return AuditOut(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        detail=json.loads(e.detail),
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


@router.get("/audit", response_model=AuditList, tags=["审计"], summary="审计日志(新的在前)")
def audit_log(session: DB, me: Me, page: Paging) -> AuditList:
    """每一次修改:谁、何时、做了什么、修改前后;每条记录以哈希与前一条相连。"""
    require(me, "auditor")
    rows = entries(session, page.limit, page.after)
    total = session.scalar(select(func.count()).select_from(AuditEntry))
    last = rows[-1].seq if len(rows) == page.limit and rows[-1].seq > 1 else None
    return AuditList(
        items=[audit_out(e) for e in rows], total=total, next=None if last is None else str(last)
    )


@router.get("/audit/verify", response_model=AuditVerdict, tags=["审计"], summary="核验审计链")
def audit_verify(session: DB, me: Me) -> AuditVerdict:
    require(me, "auditor")
    verdict = verify(session)
    return AuditVerdict(
        ok=verdict.ok, checked=verdict.checked, bad_seq=verdict.bad_seq, message=verdict.describe()
    )
