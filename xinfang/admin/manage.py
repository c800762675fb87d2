"""The admin's pages: staff users and their tokens, departments, mailboxes, notice texts, the audit log (read only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..cases import departments, notices, templates
from ..models import ROLES, AuditEntry, County, Department, Mailbox, StaffUser, utcnow
from ..requestctx import calendar, db
from . import accounts, audit, auth, views
from .auth import login_required

bp = Blueprint("manage", __name__, url_prefix="/admin/manage")
auth.protect(bp)
bp.context_processor(views.vocabulary)

AUDIT_PAGE = 100


@bp.get("/audit")
@login_required("admin")
def audit_log():
    session = db()
    before = request.args.get("before", type=int)
    rows = audit.entries(session, username=request.args.get("user") or None,
                         action=request.args.get("action") or None, before_id=before, limit=AUDIT_PAGE)
    audit.record(session, auth.current_user(), "view_audit")
    return render_template("admin/audit.html", rows=rows, names=audit.ACTION_NAMES,
                           next_before=rows[-1].id if len(rows) == AUDIT_PAGE else None,
                           total=session.query(AuditEntry).count())


@bp.route("/users", methods=["GET", "POST"])
@login_required("admin")
def users():
    session, admin = db(), auth.current_user()
    created = error = None
    if request.method == "POST":
        form = request.form
        try:
            user, password = accounts.create_user(
                session, form.get("username", "").strip(), form.get("role", ""), password=form.get("password") or None,
                department_code=form.get("department") or None, county=form.get("county") or None,
                display_name=form.get("display_name", "").strip() or None)
        except accounts.AccountError as exc:
            session.rollback()
            error = str(exc)
        else:
            audit.record(session, admin, "user_created", detail={"username": user.username, "role": user.role})
            created = {"username": user.username, "password": password if not form.get("password") else None}
    return render_template(
        "admin/users.html", users=session.scalars(select(StaffUser).order_by(StaffUser.id)).all(), roles=ROLES,
        departments=dict(session.execute(select(Department.code, Department.name)).all()),
        counties=list(session.scalars(select(County.name).order_by(County.position))),
        created=created, error=error, now=utcnow()), 400 if error else 200


@bp.post("/users/<int:user_id>")
@login_required("admin")
def change_user(user_id):
    session, admin = db(), auth.current_user()
    user = session.get(StaffUser, user_id)
    if user is None:
        return redirect(url_for("manage.users"))
    what = request.form.get("do")
    if what == "token":
        token = accounts.issue_token(session, user)
        audit.record(session, admin, "token_issued", detail={"username": user.username})
        return render_template("admin/token.html", user=user, token=token)
    if what in ("deactivate", "activate") and user.id != admin.id:
        user.active = what == "activate"
        user.locked_until = None
        user.failed_logins = 0
        session.commit()
        audit.record(session, admin, "user_changed", detail={"username": user.username, "do": what})
        flash(f"{user.username}：已{'启用' if user.active else '停用'}")
    return redirect(url_for("manage.users"), 303)


@bp.route("/reference", methods=["GET", "POST"])
@login_required("admin")
def reference():
    """Departments and mailboxes: names, duties and whether they are in use."""
    session, admin = db(), auth.current_user()
    if request.method == "POST":
        model = {"department": Department, "mailbox": Mailbox}.get(request.form.get("kind"))
        row = session.get(model, request.form.get("id", type=int)) if model else None
        name = (request.form.get("name") or "").strip()
        if row is None or not name or len(name) > 80:
            flash("名称不能为空，且不超过80字")
            return redirect(url_for("manage.reference"), 303)
        row.name = name
        row.active = request.form.get("active") == "1"
        if model is Department:
            row.duties = (request.form.get("duties") or "").strip()[:200]
        else:
            row.description = (request.form.get("description") or "").strip()[:200]
        session.commit()
        departments.forget_names()
        audit.record(session, admin, "reference_changed",
                     detail={"kind": request.form["kind"], "id": row.id, "name": name, "active": row.active})
        flash(f"已保存：{name}")
        return redirect(url_for("manage.reference"), 303)
    return render_template("admin/reference.html",
                           departments=session.scalars(select(Department).order_by(Department.id)).all(),
                           mailboxes=session.scalars(select(Mailbox).order_by(Mailbox.id)).all())


# --- notice texts and 处理意见 drafts ---------------------------------------------------

@bp.get("/templates")
@login_required("admin")
def template_list():
    return render_template("admin/templates.html", catalogue=templates.CATALOGUE.values(),
                           overrides=templates.overrides(db()))


@bp.route("/templates/<key>", methods=["GET", "POST"])
@login_required("admin")
def template_edit(key):
    if key not in templates.CATALOGUE:
        abort(404)
    session, admin, template = db(), auth.current_user(), templates.get(key)
    before = templates.current(session, key)
    fields, error, preview = before, None, None
    what = request.form.get("do")
    if what == "restore":
        if templates.restore(session, key):
            audit.record(session, admin, "template_restored", detail={"template": key, "before": before})
            flash(f"已恢复默认：{template.label}")
        return redirect(url_for("manage.template_edit", key=key), 303)
    if what in ("preview", "save"):
        fields = {name: request.form.get(name, "") for name in template.default}
    try:
        if what == "save":
            saved = templates.save(session, key, fields, admin.id, utcnow())
            audit.record(session, admin, "template_changed", detail={"template": key, "before": before, "after": saved})
            flash(f"已保存：{template.label}。此后发出的通知使用新文本，已生成的通知不变。")
            return redirect(url_for("manage.template_edit", key=key), 303)
        preview = templates.preview(session, calendar(), key, fields, utcnow())
    except templates.TemplateError as exc:
        error = str(exc)
    notice = notices.NOTICE_TEXTS[template.name] if template.kind == "notice" else None
    return render_template("admin/template.html", template=template, fields=fields, preview=preview, error=error,
                           notice=notice, placeholders=notices.PLACEHOLDERS, field_names=templates.DRAFT_FIELDS,
                           override=templates.overrides(session).get(key)), 400 if error else 200
