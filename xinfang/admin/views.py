"""The staff panel under /admin/: signing in, the queues, the case page and its actions.

Thin: read the form, call queries / casefile / actions, render. Anything a
case outside the user's scope would answer is a 404, the same as no case.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import reports
from ..cases import service, supervision, templates
from ..cases.service import CaseNotFound
from ..cases.workflow import NOT_ACCEPTED_GROUNDS, REPLY_OUTCOMES, ROUTES, STATES, TRANSITIONS, WorkflowError
from ..models import ROLE_NAMES, Case, County, Mailbox, utcnow
from ..requestctx import calendar, db
from . import accounts, actions, audit, auth, casefile, charts, exports, overview, queries
from .auth import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
auth.protect(bp)


@bp.app_template_filter("local")
def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return moment.astimezone(calendar().tz).strftime(fmt) if moment else ""


@bp.context_processor
def vocabulary():
    return {"STATES": STATES, "ROLE_NAMES": ROLE_NAMES, "TRANSITIONS": TRANSITIONS, "QUEUES": queries.QUEUES,
            "FLAGS": queries.FLAGS, "CHANNELS": queries.CHANNELS, "PATHS": casefile.PATHS}


@bp.errorhandler(403)
def _forbidden(exc):
    return render_template("admin/message.html", title="无权访问", message="当前角色无权使用此功能。"), 403


@bp.errorhandler(CaseNotFound)
def _not_found(exc):
    return render_template("admin/message.html", title="未找到", message="没有这个案件，或不在您的办理范围内。"), 404


# --- signing in -----------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            user = auth.log_in(request.form.get("username", ""), request.form.get("password", ""))
        except auth.LoginFailed as exc:
            error = str(exc)
        else:
            target = request.args.get("next") or ""
            # Only back into the panel: never an outside address.
            if not target.startswith("/admin/") or target.startswith("//"):
                target = url_for("admin.home")
            flash(f"欢迎，{user.display_name or user.username}")
            return redirect(target)
    return render_template("admin/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    auth.log_out()
    return redirect(url_for("admin.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required()
def password():
    error = None
    if request.method == "POST":
        user = auth.current_user()
        new = request.form.get("new", "")
        try:
            if new != request.form.get("repeat", ""):
                raise accounts.AccountError("两次输入的新密码不一致")
            accounts.change_password(db(), user, request.form.get("old", ""), new)
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            audit.record(db(), user, "password_changed")
            auth.log_out()
            flash("密码已修改，请用新密码登录")
            return redirect(url_for("admin.login"))
    return render_template("admin/password.html", error=error), 400 if error else 200


@bp.get("/")
@login_required()
def home():
    if auth.current_user().role == "leader":
        return redirect(url_for("admin.overview_page"))
    first = "intake" if auth.current_user().role == "clerk" else "mine"
    return redirect(url_for("admin.queue", name=first))


# --- queues ---------------------------------------------------------------------

@bp.get("/queue/<name>")
@login_required()
def queue(name):
    if name not in queries.QUEUES:
        abort(404)
    actor, now, session = auth.current_actor(), utcnow(), db()
    try:
        filters = queries.Filters.from_args(request.args)
        page = queries.list_cases(session, calendar(), actor, name, filters, now, after=request.args.get("after"))
    except queries.FilterError as exc:
        flash(str(exc))
        return redirect(url_for("admin.queue", name=name))
    names = casefile.department_names(session)
    rows = [casefile.summary(calendar(), actor, c, now, names) for c in page.cases]
    return render_template(
        "admin/queue.html", queue=queries.QUEUES[name], page=page, rows=rows, filters=filters,
        counts=queries.queue_counts(session, actor, now), departments=names,
        counties=list(session.scalars(select(County.name).order_by(County.position))),
        mailboxes=dict(session.execute(select(Mailbox.slug, Mailbox.name).order_by(Mailbox.id)).all()),
        categories=casefile.CATEGORIES, ASSIGN_ROLES=TRANSITIONS["assign"].actors,
        select_all=request.args.get("select") == "all",
    )


@bp.post("/queue/<name>/assign")
@login_required(*TRANSITIONS["assign"].actors)
def queue_assign(name):
    """按建议分送: the cases ticked in a queue, each to its suggested department; a confirm step first."""
    if name not in queries.QUEUES:
        abort(404)
    session, user, actor, now = db(), auth.current_user(), auth.current_actor(), utcnow()
    try:
        back = queries.Filters.from_args(request.form).as_args()  # the list's filters, kept
    except queries.FilterError:
        back = {}
    try:
        codes = actions.read_codes(request.form.getlist("codes"))
    except actions.ActionInputError as exc:
        flash(str(exc))
        return redirect(url_for("admin.queue", name=name, **back), 303)
    if request.form.get("confirm") != "1":
        names = casefile.department_names(session)
        chosen = session.scalars(service.scope_filter(actor, select(Case).where(Case.tracking_code.in_(codes)))
                                 .order_by(Case.id))
        rows = [casefile.summary(calendar(), actor, c, now, names) for c in chosen]
        return render_template("admin/assign_batch.html", queue=queries.QUEUES[name], rows=rows, back=back)
    result = actions.assign_as_suggested(session, calendar(), user, codes, now)
    if result.assigned:
        flash(f"已按建议分送 {len(result.assigned)} 件")
    for code, reason in result.refused.items():
        flash(f"{code} 未分送：{reason}")
    return redirect(url_for("admin.queue", name=name, **back), 303)


# --- the case -------------------------------------------------------------------

def _case(code: str):
    return service.get_case(db(), code.upper(), auth.current_actor())


def _worklist() -> tuple[str, queries.Filters] | None:
    """The queue, with its filters, that the case was opened from (`?queue=` on the case's pages)."""
    name = request.args.get("queue")
    if name not in queries.QUEUES:
        return None
    try:
        return name, queries.Filters.from_args(request.args)
    except queries.FilterError:
        return name, queries.Filters()


def _worklist_args(worklist: tuple[str, queries.Filters] | None) -> dict:
    """The worklist as query-string values, kept by every link and redirect between the case's pages."""
    return {"queue": worklist[0], **worklist[1].as_args()} if worklist else {}


@bp.get("/cases/<code>")
@login_required()
def case(code):
    session, actor, user, now = db(), auth.current_actor(), auth.current_user(), utcnow()
    found = _case(code)
    view = casefile.detail(session, calendar(), actor, found, now)
    audit.record(session, user, "view_identity" if view["petitioner"]["visibility"] == "full" else "view_case",
                 case=found)
    worklist = _worklist()
    following = queries.next_case(session, calendar(), actor, *worklist, now, found) if worklist else None
    return render_template(
        "admin/case.html", case=view, departments=casefile.department_names(session),
        categories=casefile.CATEGORIES, demand_types=casefile.DEMAND_TYPES,
        counties=list(session.scalars(select(County.name).order_by(County.position))),
        can_correct=user.role in ("clerk", "handler", "supervisor", "admin"),
        worklist=_worklist_args(worklist), queue=queries.QUEUES[worklist[0]] if worklist else None,
        queue_filters=worklist[1].as_args() if worklist else {}, next_code=following.tracking_code if following else None,
    )


@bp.post("/cases/<code>/label")
@login_required("clerk", "handler", "supervisor", "admin")
def correct(code):
    session, actor = db(), auth.current_actor()
    found = _case(code)
    field, value = request.form.get("field", ""), (request.form.get("value") or "").strip() or None
    if field in ("collective", "urgent", "tibetan"):
        value = value == "1"
    try:
        service.correct_label(session, found, actor, field, value)
    except WorkflowError as exc:
        session.rollback()
        flash(str(exc))
        return redirect(url_for("admin.case", code=found.tracking_code), 303)
    audit.record(session, auth.current_user(), "correct_label", case=found, detail={"field": field, "value": value})
    flash("分类已更正，并已记录用于模型训练")
    return redirect(url_for("admin.case", code=found.tracking_code), 303)


@bp.route("/cases/<code>/actions/<action>", methods=["GET", "POST"])
@login_required()
def act(code, action):
    """GET: the form. POST: the confirm step with the citizen's notice; POST with confirm=1: perform."""
    if action not in TRANSITIONS:
        abort(404)
    session, user, actor, now = db(), auth.current_user(), auth.current_actor(), utcnow()
    found = _case(code)
    raw = request.form.to_dict() if request.method == "POST" else {}
    form = {"action": action, "transition": TRANSITIONS[action], "case": found, "values": raw,
            "departments": casefile.department_names(session), "outcomes": REPLY_OUTCOMES, "routes": ROUTES,
            "grounds": NOT_ACCEPTED_GROUNDS, "templates": templates.REPLY_DRAFTS,
            "fields": actions.PARAMS[action], "field_names": actions.FIELD_NAMES, "worklist": _worklist_args(_worklist())}
    if user.role not in TRANSITIONS[action].actors:
        return render_template("admin/action.html", **form, error=f"当前角色无权执行“{TRANSITIONS[action].label}”"), 409
    if request.method == "GET":
        if action.endswith("reply") and request.args.get("template") in templates.REPLY_DRAFTS:
            form["values"] = {"outcome": request.args["template"],
                              **templates.reply_draft(session, request.args["template"])}
        elif action == "assign" and found.suggested_department_code:
            form["values"] = {"department": found.suggested_department_code}
        return render_template("admin/action.html", **form)
    if raw.pop("edit", None):
        return render_template("admin/action.html", **form)
    try:
        params = actions.read_params(action, raw)
        if raw.get("confirm") != "1":
            notice = actions.preview(session, calendar(), found, action, actor, params, now)
            return render_template("admin/confirm.html", **form, params=params, notice=notice,
                                   channels=actions.notice_channels_text(notice["channels"]))
        actions.perform(session, calendar(), user, found, action, params, now)
    except actions.ActionInputError as exc:
        return render_template("admin/action.html", **form, error=str(exc)), 400
    except WorkflowError as exc:
        return render_template("admin/action.html", **form, error=str(exc)), 409
    flash(f"已{TRANSITIONS[action].label}")
    return redirect(url_for("admin.case", code=found.tracking_code, **form["worklist"]), 303)



# --- exports of the lists -----------------------------------------------------------

EXPORT_LIMIT = 5000


def _download(body: bytes, filename: str, mimetype: str):
    from urllib.parse import quote

    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/queue/<name>/export.<fmt>")
@login_required("clerk", "handler", "supervisor", "admin")
def queue_export(name, fmt):
    if name not in queries.QUEUES or fmt not in ("csv", "xlsx"):
        abort(404)
    actor, now, session = auth.current_actor(), utcnow(), db()
    try:
        filters = queries.Filters.from_args(request.args)
        page = queries.list_cases(session, calendar(), actor, name, filters, now, limit=queries.MAX_PAGE_SIZE)
        cases = list(page.cases)
        while page.next_cursor and len(cases) < EXPORT_LIMIT:
            page = queries.list_cases(session, calendar(), actor, name, filters, now, after=page.next_cursor,
                                      limit=queries.MAX_PAGE_SIZE)
            cases += page.cases
    except queries.FilterError as exc:
        abort(400, description=str(exc))
    names = casefile.department_names(session)
    headers, rows = exports.case_rows([casefile.summary(calendar(), actor, c, now, names) for c in cases], calendar())
    audit.record(session, auth.current_user(), "export", detail={"queue": name, "format": fmt, "rows": len(rows),
                                                                 **filters.as_args()})
    title = f"{queries.QUEUES[name].label}-{now.astimezone(calendar().tz):%Y%m%d}"
    if fmt == "csv":
        return _download(exports.csv_bytes(headers, rows), f"{title}.csv", "text/csv")
    return _download(exports.xlsx_bytes([(queries.QUEUES[name].label, headers, rows)]), f"{title}.xlsx", XLSX)


@bp.get("/corrections.jsonl")
@login_required("supervisor", "admin")
def corrections():
    session = db()
    body = exports.corrections_jsonl(session)
    audit.record(session, auth.current_user(), "export", detail={"corrections": body.count("\n")})
    return _download(body.encode("utf-8"), "label-corrections.jsonl", "application/x-ndjson")


# --- 形势研判 -------------------------------------------------------------------------

OVERVIEW_TABLES = {"category": "按分类", "county": "按县（市）", "path": "按途径", "departments": "各单位时效",
                   "summary": "评价与重复信访"}


def _overview():
    try:
        months = overview.month_span(calendar(), utcnow(), request.args.get("from"), request.args.get("to"))
    except ValueError as exc:
        abort(400, description=str(exc))
    return overview.cached(db(), calendar(), auth.current_actor(), utcnow(), months)


def _overview_table(view, name):
    if name == "departments":
        return view.department_table()
    if name == "summary":
        return view.summary_table()
    return view.table(name)


@bp.get("/overview")
@login_required(*auth.OVERVIEW_ROLES)
def overview_page():
    view = _overview()
    labels = {name: {k: overview.label(name, k) for k in view.keys[name]} for name in overview.DIMENSIONS}
    figures = {name: charts.stacked_columns(f"{OVERVIEW_TABLES[name]}的信访量", view.months, view.keys[name],
                                            view.series[name], labels[name]) for name in overview.DIMENSIONS}
    figures["departments"] = charts.bars("各单位按期答复率", [(d.name, d.reply_rate) for d in view.departments])
    figures["summary"] = charts.bars("参评率与满意率", [("参评率", view.participation_rate),
                                                      ("满意率", view.satisfaction_rate)])
    tables = {name: _overview_table(view, name) for name in OVERVIEW_TABLES}
    return render_template("admin/overview.html", view=view, figures=figures, tables=tables,
                           titles=OVERVIEW_TABLES, args=request.args.to_dict())


@bp.get("/overview/<name>.<fmt>")
@login_required(*auth.OVERVIEW_ROLES)
def overview_export(name, fmt):
    if name not in OVERVIEW_TABLES and name != "all" or fmt not in ("csv", "xlsx"):
        abort(404)
    view = _overview()
    names = list(OVERVIEW_TABLES) if name == "all" else [name]
    audit.record(db(), auth.current_user(), "export", detail={"overview": name, "format": fmt})
    title = f"形势研判-{view.first}至{view.last}"
    if fmt == "csv":
        if len(names) > 1:
            abort(404)
        return _download(exports.csv_bytes(*_overview_table(view, name)), f"{title}-{OVERVIEW_TABLES[name]}.csv",
                         "text/csv")
    sheets = [(OVERVIEW_TABLES[n], *_overview_table(view, n)) for n in names]
    return _download(exports.xlsx_bytes(sheets), f"{title}.xlsx", XLSX)


# --- the monthly 通报 ------------------------------------------------------------------

REPORT_MONTHS = 12


@bp.get("/reports")
@login_required(*auth.OVERVIEW_ROLES)
def report_list():
    month = calendar().local_date(utcnow()).replace(day=1)
    months = []
    for _ in range(REPORT_MONTHS):
        months.append(month.strftime("%Y-%m"))
        month = (month - timedelta(days=1)).replace(day=1)
    return render_template("admin/reports.html", months=months, formats=reports.FORMATS)


@bp.get("/reports/<month>.<fmt>")
@login_required(*auth.OVERVIEW_ROLES)
def report_file(month, fmt):
    try:
        filename, mimetype, body = reports.monthly_file(db(), calendar(), month, fmt)
    except ValueError:
        abort(404)
    audit.record(db(), auth.current_user(), "export", detail={"report": month, "format": fmt})
    return _download(body, filename, mimetype)


# --- reminders, overdue marks and 督办 notices -------------------------------------------

@bp.app_template_global()
def notice_count() -> int:
    """How many notices the user is shown, for the navigation."""
    return queries.count_notices_for(db(), auth.current_actor())


@bp.get("/notices")
@login_required("clerk", "handler", "supervisor", "admin")
def notices():
    rows = [casefile.staff_notice(n) for n in queries.notices_for(db(), auth.current_actor())]
    return render_template("admin/notices.html", rows=rows)


# --- 研判, 督办 and 挂牌督办 ---------------------------------------------------------------

# name: (title, the domain's list, the roles that work it)
SUPERVISION_LISTS = {
    "judgements": ("研判", supervision.judgement_queue, supervision.SUPERVISOR_ROLES),
    "orders": ("督办待答复", supervision.department_orders, actions.SUPERVISION_STEPS["answer"].roles),
    "leader": ("挂牌督办", supervision.leader_list, supervision.LEADER_ROLES),
}


@bp.app_template_global()
def supervision_count(name: str) -> int:
    """How many items wait on one of the lists, for the navigation."""
    return len(SUPERVISION_LISTS[name][1](db(), auth.current_actor()))


@bp.get("/supervision/<name>")
@login_required()
def supervision_list(name):
    if name not in SUPERVISION_LISTS:
        abort(404)
    title, items, roles = SUPERVISION_LISTS[name]
    if auth.current_user().role not in roles:
        abort(403)
    actor, now, names = auth.current_actor(), utcnow(), casefile.department_names(db())
    rows = [casefile.supervision_item(calendar(), actor, item, now, names) for item in items(db(), actor)]
    return render_template("admin/supervision.html", name=name, title=title, rows=rows)


def _supervision_step(item_id: int, step: str):
    item = supervision.get_item(db(), item_id, auth.current_actor())
    back = {"judgement": "judgements", "order": "leader"}[item.kind] if step == "conclude" else "orders"
    try:
        actions.supervision_step(db(), calendar(), auth.current_user(), item, step, request.form.get("text", ""),
                                 utcnow())
    except WorkflowError as exc:
        flash(str(exc))
    else:
        flash(f"{supervision.KIND_NAMES[item.kind]}已{actions.SUPERVISION_STEPS[step].done}")
    return redirect(url_for("admin.supervision_list", name=back), 303)


@bp.post("/supervision/items/<int:item_id>/conclude")
@login_required(*actions.SUPERVISION_STEPS["conclude"].roles)
def supervision_conclude(item_id):
    return _supervision_step(item_id, "conclude")


@bp.post("/supervision/items/<int:item_id>/answer")
@login_required(*actions.SUPERVISION_STEPS["answer"].roles)
def supervision_answer(item_id):
    return _supervision_step(item_id, "answer")
