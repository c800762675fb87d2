"""The staff JSON API under /api/v1/staff/ (DESIGN §4): the panel's lists and actions for other systems.

`Authorization: Bearer <token>` (per user: `xinfang user add … --token`), no
session and no CSRF. The same scope, role rules and audit as the panel:
401 without a valid token, 404 for a case outside the caller's scope, 400 for
a malformed request, 409 with the reason when the workflow forbids the action.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..cases import service, supervision
from ..cases.service import Actor, CaseNotFound
from ..cases.workflow import ACTIONS, NOT_ACCEPTED_GROUNDS, REPLY_OUTCOMES, ROUTES, STATES, TRANSITIONS, WorkflowError
from ..models import utcnow
from ..requestctx import calendar, db
from . import actions, audit, auth, casefile, exports, overview, queries

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1/staff")


def error(status: int, code: str, message: str, field: str | None = None):
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="xinfang"'
    return response


def plain(value):
    """Datetimes as ISO 8601 strings, all the way down."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@bp.before_request
def _authenticate():
    user = auth.token_user()
    if user is None:
        return error(401, "unauthorized", "需要有效的访问令牌（Authorization: Bearer <token>）")
    g.api_user = user


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error(exc.code or 500, "http_error", exc.description or exc.name)


@bp.errorhandler(CaseNotFound)
def _not_found(exc):
    return error(404, "not_found", "没有这个案件，或不在您的办理范围内")


def _actor() -> Actor:
    return Actor.staff(g.api_user)


def _case(code: str):
    return service.get_case(db(), code.upper(), _actor())


@bp.get("/cases")
def list_cases():
    queue = request.args.get("queue", "all")
    try:
        filters = queries.Filters.from_args(request.args)
        limit = int(request.args.get("limit", queries.PAGE_SIZE))
        page = queries.list_cases(db(), calendar(), _actor(), queue, filters, utcnow(),
                                  after=request.args.get("after"), limit=limit)
    except (queries.FilterError, ValueError) as exc:
        return error(400, "invalid", str(exc))
    names = casefile.department_names(db())
    now = utcnow()
    return jsonify(plain({
        "queue": queue, "cases": [casefile.summary(calendar(), _actor(), c, now, names) for c in page.cases],
        "next": page.next_cursor, "total": page.total, "total_capped": page.total_capped,
    }))


@bp.get("/queues")
def queue_counts():
    counts = queries.queue_counts(db(), _actor(), utcnow())
    return jsonify({"queues": [{"name": q.name, "label": q.label, "count": counts[q.name][0],
                                "capped": counts[q.name][1]} for q in queries.QUEUES.values()]})


@bp.get("/cases/<code>")
def get_case(code):
    found = _case(code)
    view = casefile.detail(db(), calendar(), _actor(), found, utcnow())
    audit.record(db(), g.api_user, "view_identity" if view["petitioner"]["visibility"] == "full" else "view_case",
                 case=found, detail={"via": "api"})
    return jsonify(plain(view))


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise actions.ActionInputError("请求体应为 JSON 对象", "body")
    return body


def _action_request() -> tuple[str, dict]:
    """The action named in the JSON body and its parameters, read as the panel reads its form."""
    body = _body()
    action = body.get("action")
    if not isinstance(action, str):
        raise actions.ActionInputError("缺少 action", "action")
    return action, actions.read_params(action, body)


@bp.post("/cases/<code>/actions")
def take_action(code):
    found = _case(code)
    try:
        action, params = _action_request()
        actions.perform(db(), calendar(), g.api_user, found, action, params, utcnow())
    except actions.ActionInputError as exc:
        return error(400, "invalid", str(exc), exc.field)
    except WorkflowError as exc:
        return error(409, "workflow", str(exc))
    view = casefile.detail(db(), calendar(), _actor(), found, utcnow())
    return jsonify(plain({"tracking_code": found.tracking_code, "status": found.status,
                          "status_name": STATES[found.status], "event": view["timeline"][-1]}))


@bp.post("/cases/assign-suggested")
def assign_suggested():
    """按建议分送: each case of `codes` to its suggested department, as the panel's 待登记 list does."""
    if g.api_user.role not in TRANSITIONS["assign"].actors:
        return error(403, "forbidden", "当前角色无权转送/交办")
    try:
        codes = actions.read_codes(_body().get("codes"))
    except actions.ActionInputError as exc:
        return error(400, "invalid", str(exc), exc.field)
    result = actions.assign_as_suggested(db(), calendar(), g.api_user, codes, utcnow())
    return jsonify({"assigned": result.assigned,
                    "refused": [{"tracking_code": code, "message": why} for code, why in result.refused.items()]})


@bp.post("/cases/<code>/preview")
def preview(code):
    """What the citizen would be told, without taking the action (the panel's confirm step)."""
    found = _case(code)
    try:
        action, params = _action_request()
        notice = actions.preview(db(), calendar(), found, action, _actor(), params, utcnow())
    except actions.ActionInputError as exc:
        return error(400, "invalid", str(exc), exc.field)
    except WorkflowError as exc:
        return error(409, "workflow", str(exc))
    return jsonify({"action": action, "notice": notice["text"], "channels": notice["channels"]})


@bp.post("/cases/<code>/labels")
def correct_label(code):
    found = _case(code)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("field"), str):
        return error(400, "invalid", "请求体应为 {\"field\": …, \"value\": …}", "field")
    if body["field"] not in service.LABEL_FIELDS:
        return error(400, "invalid", f"可更正的字段：{'、'.join(service.LABEL_FIELDS)}", "field")
    try:
        service.correct_label(db(), found, _actor(), body["field"], body.get("value"))
    except WorkflowError as exc:
        db().rollback()
        return error(409, "workflow", str(exc))
    audit.record(db(), g.api_user, "correct_label", case=found,
                 detail={"field": body["field"], "value": body.get("value"), "via": "api"})
    return jsonify({"tracking_code": found.tracking_code, body["field"]: getattr(found, body["field"])})


@bp.get("/overview")
def overview_figures():
    if g.api_user.role not in auth.OVERVIEW_ROLES:
        return error(403, "forbidden", "当前角色无权查看形势研判")
    try:
        months = overview.month_span(calendar(), utcnow(), request.args.get("from"), request.args.get("to"))
    except ValueError as exc:
        return error(400, "invalid", str(exc))
    view = overview.cached(db(), calendar(), _actor(), utcnow(), months)
    return jsonify({
        "from": view.first, "to": view.last, "computed_at": view.computed_at.isoformat(), "total": view.total,
        "series": {name: [{"month": m, "key": k, "count": n} for (m, k), n in sorted(view.series[name].items())]
                   for name in overview.DIMENSIONS},
        "departments": [{"code": d.code, "name": d.name, "accepted": d.accepted,
                         "accepted_on_time": d.accepted_on_time, "acceptance_rate": d.acceptance_rate,
                         "replied": d.replied, "replied_on_time": d.replied_on_time, "reply_rate": d.reply_rate,
                         "overdue": d.overdue} for d in view.departments],
        "surveys": view.surveys, "participation_rate": view.participation_rate,
        "satisfaction_rate": view.satisfaction_rate, "repeats": view.repeats, "joined": view.joined,
        "collective": view.collective,
    })


@bp.get("/corrections")
def corrections():
    if g.api_user.role not in ("supervisor", "admin"):
        return error(403, "forbidden", "当前角色无权导出分类更正")
    body = exports.corrections_jsonl(db())
    audit.record(db(), g.api_user, "export", detail={"corrections": body.count("\n"), "via": "api"})
    return body, 200, {"Content-Type": "application/x-ndjson; charset=utf-8"}


@bp.get("/notices")
def notices():
    """The reminders, overdue marks and 督办 notices the panel shows the caller (its 提醒 page)."""
    return jsonify(plain({"notices": [casefile.staff_notice(n) for n in queries.notices_for(db(), _actor())]}))


def _supervision(items):
    now, names = utcnow(), casefile.department_names(db())
    return jsonify(plain({"items": [casefile.supervision_item(calendar(), _actor(), item, now, names)
                                    for item in items(db(), _actor())]}))


@bp.get("/judgements")
def judgements():
    """The supervisors' 研判 list (empty for other roles, as the panel shows it to supervisors only)."""
    return _supervision(supervision.judgement_queue)


@bp.get("/orders")
def orders():
    """The 督办 the caller's department must answer."""
    return _supervision(supervision.department_orders)


@bp.get("/leader-list")
def leader_list():
    """挂牌督办: escalated orders not yet concluded."""
    return _supervision(supervision.leader_list)


@bp.post("/supervision/items/<int:item_id>/<step>")
def supervision_step(item_id, step):
    """Conclude a 研判 or 督办, or answer a 督办: the panel's forms, the same roles, checks and audit."""
    if step not in actions.SUPERVISION_STEPS:
        return error(404, "not_found", "没有这个操作")
    if g.api_user.role not in actions.SUPERVISION_STEPS[step].roles:
        return error(403, "forbidden", "当前角色无权使用此功能")
    item = supervision.get_item(db(), item_id, _actor())
    try:
        text = _body().get("text", "")
        if not isinstance(text, str):
            raise actions.ActionInputError("text 应为文字", "text")
        actions.supervision_step(db(), calendar(), g.api_user, item, step, text, utcnow())
    except actions.ActionInputError as exc:
        return error(400, "invalid", str(exc), exc.field)
    except WorkflowError as exc:
        return error(409, "workflow", str(exc))
    return jsonify(plain(casefile.supervision_item(calendar(), _actor(), item, utcnow(),
                                                   casefile.department_names(db()))))


# --- the OpenAPI document (merged into /api/v1/openapi.json) ------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_CODE = {"name": "tracking_code", "in": "path", "required": True, "schema": {"type": "string"}}
_ERRORS = {"401": _json(_ref("Error"), "没有有效的访问令牌"), "404": _json(_ref("Error"), "没有这个案件，或不在办理范围内")}
_SECURITY = [{"bearerAuth": []}]
_FILTERS = [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
            for n, d in (("queue", "队列：" + "、".join(queries.QUEUES)), ("status", "状态"), ("category", "分类"),
                         ("path", "途径"), ("county", "县（市）"), ("department", "单位编码"), ("mailbox", "信箱"),
                         ("channel", "渠道"), ("flag", "标记：" + "、".join(queries.FLAGS) + "（可重复）"),
                         ("from", "登记日期起（含）"), ("to", "登记日期止（含）"),
                         ("q", "搜索：查询码、手机号、姓名（含拼音、首字母）、内容"),
                         ("after", "上一页返回的 next"), ("limit", f"每页条数，最多{queries.MAX_PAGE_SIZE}"))]
_nullable = {"type": "string", "nullable": True}
_ITEM = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _step_body(description: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["text"], "properties": {"text": {"type": "string", "description": description}}}}}}


_STEP_RESPONSES = {
    "200": _json(_ref("StaffSupervisionItem"), "已办理，返回该事项"), "400": _json(_ref("Error"), "请求体有误"),
    "401": _ERRORS["401"], "403": _json(_ref("Error"), "角色无权办理"),
    "404": _json(_ref("Error"), "没有这个事项，或不在办理范围内"),
    "409": _json(_ref("Error"), "不能办理：未填写内容、事项已答复或已办结等，message 说明原因"),
}

OPENAPI_SCHEMAS = {
    "StaffCaseSummary": {
        "type": "object",
        "required": ["tracking_code", "status", "category", "path", "county", "department"],
        "properties": {
            "tracking_code": {"type": "string"}, "status": {"type": "string", "enum": list(STATES)},
            "status_name": {"type": "string"}, "title": _nullable, "excerpt": {"type": "string"},
            "category": _nullable, "path": _nullable, "demand_type": _nullable, "county": _nullable,
            "department": {**_nullable, "description": "承办单位编码；未交办时为建议单位"},
            "department_name": _nullable, "assigned": {"type": "boolean"}, "channel": {"type": "string"},
            "mailbox": _nullable, "petitioner": {**_nullable, "description": "脱敏姓名；检举控告为 null"},
            "flags": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "received_at": {"type": "string", "format": "date-time"},
            "deadline": {"type": "object", "nullable": True, "properties": {
                "clock": {"type": "string"}, "name": {"type": "string"},
                "due_at": {"type": "string", "format": "date-time"}, "due_date": {"type": "string"},
                "days_left": {"type": "integer"}, "overdue": {"type": "boolean"}}},
        },
    },
    "StaffCaseList": {
        "type": "object", "required": ["cases", "next", "total"],
        "properties": {"queue": {"type": "string"}, "cases": {"type": "array", "items": _ref("StaffCaseSummary")},
                       "next": {**_nullable, "description": "下一页的 after；最后一页为 null"},
                       "total": {"type": "integer"}, "total_capped": {"type": "boolean"}},
    },
    "StaffCase": {
        "allOf": [_ref("StaffCaseSummary"), {"type": "object", "required": ["timeline"], "properties": {
            "text": {"type": "string"},
            "petitioner": {"type": "object", "description": "visibility：full、masked、hidden（检举控告，第三十条）或 none"},
            "classification": {"type": "object", "nullable": True},
            "duplicate_of": _nullable, "repeats": {"type": "array", "items": {"type": "string"}},
            "allowed_actions": {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)}},
            "timeline": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"}, "action": {"type": "string"},
                "label": {"type": "string"}, "actor": _nullable, "from": _nullable, "to": _nullable,
                "note": _nullable}}},
        }}],
    },
    "StaffAction": {
        "type": "object", "required": ["action"],
        "properties": {
            "action": {"type": "string", "enum": list(ACTIONS)},
            "department": {"type": "string", "description": "assign：单位编码"},
            "reason": {"type": "string", "description": "object、route、not_accept、extend、recuse 的理由"},
            "route": {"type": "string", "enum": list(ROUTES)}, "body": {"type": "string"},
            "ground": {"type": "string", "enum": list(NOT_ACCEPTED_GROUNDS)},
            "days": {"type": "integer", "minimum": 1, "maximum": 30},
            "outcome": {"type": "string", "enum": list(REPLY_OUTCOMES)},
            "text": {"type": "string"}, "facts": {"type": "string"}, "basis": {"type": "string"},
            "note": {"type": "string"}, "due": {"type": "string", "format": "date", "description": "supervise：督办期限"},
        },
    },
    "StaffSupervisionItem": {
        "type": "object", "required": ["id", "kind", "status", "tracking_code"],
        "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(supervision.KIND_NAMES)},
            "kind_name": {"type": "string"}, "status": {"type": "string", "enum": ["open", "answered", "closed"]},
            "status_name": {"type": "string"}, "tracking_code": {"type": "string"},
            "case_status_name": {"type": "string"}, "title": {"type": "string"}, "department": _nullable,
            "department_name": _nullable, "county": _nullable,
            "reason": {"type": "string", "description": "研判：信访人的理由；督办：督办要求"},
            "issued_at": {"type": "string", "format": "date-time"},
            "due_at": {"type": "string", "format": "date-time", "nullable": True}, "due_date": _nullable,
            "days_left": {"type": "integer", "nullable": True},
            "escalated_at": {"type": "string", "format": "date-time", "nullable": True},
            "answer": _nullable, "answered_at": {"type": "string", "format": "date-time", "nullable": True},
            "conclusion": _nullable, "closed_at": {"type": "string", "format": "date-time", "nullable": True}},
    },
    "StaffNoticeList": {
        "type": "object", "required": ["notices"],
        "properties": {"notices": {"type": "array", "items": {
            "type": "object", "required": ["id", "event", "text", "tracking_code", "at"],
            "properties": {"id": {"type": "integer"},
                           "event": {"type": "string", "enum": list(casefile.NOTICE_NAMES)},
                           "event_name": {"type": "string"}, "text": {"type": "string"},
                           "tracking_code": _nullable, "at": {"type": "string", "format": "date-time"},
                           "urgent": {"type": "boolean"}}}}},
    },
    "StaffSupervisionList": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("StaffSupervisionItem")}},
    },
    "StaffActionResult": {
        "type": "object", "required": ["tracking_code", "status"],
        "properties": {"tracking_code": {"type": "string"}, "status": {"type": "string"},
                       "status_name": {"type": "string"}, "event": {"type": "object"}},
    },
}

OPENAPI_PATHS = {
    "/api/v1/staff/cases": {"get": {
        "summary": "案件列表（队列、筛选、搜索、键集分页）", "operationId": "staffListCases", "security": _SECURITY,
        "parameters": _FILTERS,
        "responses": {"200": _json(_ref("StaffCaseList"), "一页案件"), "400": _json(_ref("Error"), "筛选参数有误"),
                      "401": _ERRORS["401"]}}},
    "/api/v1/staff/queues": {"get": {
        "summary": "各队列案件数", "operationId": "staffQueueCounts", "security": _SECURITY,
        "responses": {"200": {"description": "队列及数量（超过1000显示 capped）"}, "401": _ERRORS["401"]}}},
    "/api/v1/staff/cases/{tracking_code}": {"get": {
        "summary": "案件详情（含时间线；个人信息按权限脱敏）", "operationId": "staffGetCase", "security": _SECURITY,
        "parameters": [_CODE], "responses": {"200": _json(_ref("StaffCase"), "案件"), **_ERRORS}}},
    "/api/v1/staff/cases/{tracking_code}/actions": {"post": {
        "summary": "办理操作", "operationId": "staffTakeAction", "security": _SECURITY, "parameters": [_CODE],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StaffAction")}}},
        "responses": {"200": _json(_ref("StaffActionResult"), "已办理"), "400": _json(_ref("Error"), "参数有误"),
                      "409": _json(_ref("Error"), "流程不允许，message 说明原因"), **_ERRORS}}},
    "/api/v1/staff/cases/assign-suggested": {"post": {
        "summary": "按建议分送：所列案件各转送至系统建议的单位（逐件办理、告知并留痕）",
        "operationId": "staffAssignSuggested", "security": _SECURITY,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["codes"], "properties": {"codes": {
                "type": "array", "minItems": 1, "maxItems": actions.BATCH_MAX, "items": {"type": "string"},
                "description": "查询码"}}}}}},
        "responses": {"200": _json({"type": "object", "required": ["assigned", "refused"], "properties": {
                          "assigned": {"type": "array", "items": {"type": "string"}},
                          "refused": {"type": "array", "items": {
                              "type": "object", "required": ["tracking_code", "message"],
                              "properties": {"tracking_code": {"type": "string"},
                                             "message": {"type": "string"}}}}}}, "已分送的与未分送的（附原因）"),
                      "400": _json(_ref("Error"), "codes 有误"), "401": _ERRORS["401"],
                      "403": _json(_ref("Error"), "角色无权转送/交办")}}},
    "/api/v1/staff/cases/{tracking_code}/preview": {"post": {
        "summary": "预览将告知信访人的内容（不办理）", "operationId": "staffPreviewAction", "security": _SECURITY,
        "parameters": [_CODE],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StaffAction")}}},
        "responses": {"200": {"description": "notice：告知内容；channels：告知渠道"},
                      "400": _json(_ref("Error"), "参数有误"), "409": _json(_ref("Error"), "流程不允许"), **_ERRORS}}},
    "/api/v1/staff/cases/{tracking_code}/labels": {"post": {
        "summary": "更正分类（记录用于模型训练）", "operationId": "staffCorrectLabel", "security": _SECURITY,
        "parameters": [_CODE],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["field"], "properties": {"field": {"type": "string"}, "value": {}}}}}},
        "responses": {"200": {"description": "已更正"}, "400": _json(_ref("Error"), "字段有误"), **_ERRORS}}},
    "/api/v1/staff/overview": {"get": {
        "summary": "形势研判数据（领导、督办员、管理员）", "operationId": "staffOverview", "security": _SECURITY,
        "parameters": [{"name": "from", "in": "query", "schema": {"type": "string", "example": "2026-01"}},
                       {"name": "to", "in": "query", "schema": {"type": "string", "example": "2026-03"}}],
        "responses": {"200": {"description": "分类、县、途径的月度量，各单位时效，评价与重复信访"},
                      "401": _ERRORS["401"], "403": _json(_ref("Error"), "角色无权查看")}}},
    "/api/v1/staff/notices": {"get": {
        "summary": "提醒：承办单位的临期提醒与超期，登记员的未交办案件提醒，督办员的待督办（仅列仍在办理的案件）",
        "operationId": "staffNotices", "security": _SECURITY,
        "responses": {"200": _json(_ref("StaffNoticeList"), "提醒，新的在前"), "401": _ERRORS["401"]}}},
    "/api/v1/staff/judgements": {"get": {
        "summary": "研判：信访人评价不满意或未解决的案件（督办员、管理员）", "operationId": "staffJudgements",
        "security": _SECURITY, "responses": {"200": _json(_ref("StaffSupervisionList"), "待研判事项，先提出的在前"),
                                             "401": _ERRORS["401"]}}},
    "/api/v1/staff/orders": {"get": {
        "summary": "本单位待答复的督办", "operationId": "staffOrders", "security": _SECURITY,
        "responses": {"200": _json(_ref("StaffSupervisionList"), "待答复的督办，期限近的在前"),
                      "401": _ERRORS["401"]}}},
    "/api/v1/staff/leader-list": {"get": {
        "summary": "挂牌督办：逾期未答复的督办（领导、督办员、管理员）", "operationId": "staffLeaderList",
        "security": _SECURITY, "responses": {"200": _json(_ref("StaffSupervisionList"), "挂牌督办事项"),
                                             "401": _ERRORS["401"]}}},
    "/api/v1/staff/supervision/items/{item_id}/conclude": {"post": {
        "summary": "办结研判或督办（督办员、管理员）", "operationId": "staffConcludeSupervision",
        "security": _SECURITY, "parameters": [_ITEM], "requestBody": _step_body("研判或督办结论"),
        "responses": _STEP_RESPONSES}},
    "/api/v1/staff/supervision/items/{item_id}/answer": {"post": {
        "summary": "答复本单位的督办（承办人、管理员）", "operationId": "staffAnswerOrder",
        "security": _SECURITY, "parameters": [_ITEM], "requestBody": _step_body("督办答复（办理情况反馈）"),
        "responses": _STEP_RESPONSES}},
    "/api/v1/staff/corrections": {"get": {
        "summary": "分类更正（JSON Lines，供 xinfang nlp train）", "operationId": "staffCorrections",
        "security": _SECURITY,
        "responses": {"200": {"description": "每行一件", "content": {"application/x-ndjson": {}}},
                      "401": _ERRORS["401"], "403": _json(_ref("Error"), "角色无权导出")}}},
}
