"""The audit log: every view of a case's personal data and every action (DESIGN §7).

Append-only (the model refuses updates and deletes); admins read it at /admin/audit.
"""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEntry, Case, StaffUser

# What each entry's action means, for the audit page.
ACTION_NAMES = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出", "password_changed": "修改密码",
    "view_case": "查看案件", "view_identity": "查看信访人信息", "action": "办理操作", "action_refused": "操作被拒绝",
    "correct_label": "更正分类", "export": "导出", "user_created": "新建用户", "user_changed": "修改用户",
    "token_issued": "签发令牌", "reference_changed": "修改基础数据", "view_audit": "查看审计日志",
    "template_changed": "修改通知模板", "template_restored": "恢复默认模板",
}


def record(session: Session, user: StaffUser | None, action: str, *, case: Case | None = None,
           detail: dict | None = None, note: str | None = None) -> AuditEntry:
    """Write one entry and commit it, whatever else the request does later."""
    entry = AuditEntry(user_id=user.id if user else None, username=user.username if user else None, action=action,
                       case_id=case.id if case else None, detail=detail or {}, note=note,
                       ip=request.remote_addr if has_request_context() else None)
    session.add(entry)
    session.commit()
    return entry


def entries(session: Session, *, username: str | None = None, case_id: int | None = None,
            action: str | None = None, before_id: int | None = None, since: datetime | None = None,
            limit: int = 100) -> list[AuditEntry]:
    """The newest entries first, keyset-paged by id."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if username:
        query = query.where(AuditEntry.username == username)
    if case_id:
        query = query.where(AuditEntry.case_id == case_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    if since:
        query = query.where(AuditEntry.at >= since)
    return list(session.scalars(query))
