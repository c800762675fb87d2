"""/api/v1/openapi.json: the OpenAPI document of the public API and the staff API.

The mailboxes and counties are enumerated from the database, so the document
names exactly what the API accepts. The staff API (xinfang.admin.staff_api)
contributes its own OPENAPI_PATHS and OPENAPI_SCHEMAS when it is installed.
"""
from __future__ import annotations

import importlib
import importlib.util

from flask import Blueprint, jsonify
from sqlalchemy import select

from ..cases import mailbox as intake
from ..cases.codes import ALPHABET, LENGTH
from ..models import County, Mailbox
from ..requestctx import db

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

STAFF_API = "xinfang.admin.staff_api"

_nullable_str = {"type": "string", "nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def public_schemas(mailboxes: list[str], counties: list[str]) -> dict:
    return {
        "PetitionRequest": {
            "type": "object",
            "required": ["mailbox", "text"],
            "additionalProperties": False,
            "properties": {
                "mailbox": {"type": "string", "enum": mailboxes, "description": "信箱（GET /mailbox/ 所列）"},
                "text": {"type": "string", "minLength": intake.TEXT_MIN, "maxLength": intake.TEXT_MAX,
                         "description": "信件内容"},
                "county": {"type": "string", "enum": counties, "description": "事发县（市）"},
                "name": {"type": "string", "maxLength": intake.NAME_MAX},
                "phone": {"type": "string", "pattern": r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})$",
                          "description": "手机号或带区号的固定电话"},
                "email": {"type": "string", "format": "email", "maxLength": intake.EMAIL_MAX},
            },
        },
        "PetitionReceipt": {
            "type": "object",
            "required": ["tracking_code", "message"],
            "properties": {
                "tracking_code": {**_nullable_str, "description": "查询码；仍在登记时为 null（202）"},
                "message": {"type": "string"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "出错的字段"},
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "TimelineEvent": {
            "type": "object",
            "required": ["at", "action", "label"],
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "date": {"type": "string"},
                "action": {"type": "string"},
                "label": {"type": "string"},
                "status": _nullable_str,
                "status_name": _nullable_str,
                "note": _nullable_str,
            },
        },
        "PetitionStatus": {
            "type": "object",
            "required": ["tracking_code", "status", "status_name", "timeline"],
            "properties": {
                "tracking_code": {"type": "string"},
                "status": {"type": "string"},
                "status_name": {"type": "string"},
                "title": _nullable_str,
                "mailbox": _nullable_str,
                "category": _nullable_str,
                "county": _nullable_str,
                "received_at": {"type": "string", "format": "date-time"},
                "received_date": {"type": "string"},
                "department": {**_nullable_str, "description": "承办单位名称"},
                "deadline": {
                    "type": "object", "nullable": True,
                    "properties": {"clock": {"type": "string"}, "name": {"type": "string"},
                                   "due_at": {"type": "string", "format": "date-time"},
                                   "due_date": {"type": "string"}, "days_left": {"type": "integer"}},
                },
                "route": {"type": "object", "nullable": True,
                          "properties": {"body": _nullable_str, "reason": _nullable_str,
                                         "window": {**_nullable_str, "description": "该法定途径的时限说明"}}},
                "not_accepted_reason": _nullable_str,
                "reply": {
                    "type": "object", "nullable": True,
                    "properties": {"kind": {"type": "string"}, "outcome": {"type": "string"},
                                   "text": _nullable_str, "facts": _nullable_str, "basis": _nullable_str,
                                   "replied_at": {"type": "string", "format": "date-time"},
                                   "replied_date": {"type": "string"}},
                },
                "review": {
                    "type": "object", "nullable": True,
                    "properties": {"action": {"type": "string"}, "label": {"type": "string"},
                                   "until": {"type": "string", "format": "date-time"},
                                   "until_date": {"type": "string"}},
                },
                "timeline": {"type": "array", "items": _ref("TimelineEvent")},
            },
        },
    }


PUBLIC_PATHS = {
    "/api/v1/petitions": {
        "post": {
            "summary": "提交信件（领导信箱）",
            "operationId": "createPetition",
            "parameters": [{
                "name": "Idempotency-Key", "in": "header", "required": False,
                "description": "重试同一请求时带上相同的值，只登记一件",
                "schema": {"type": "string", "pattern": r"^[!-~]{1,80}$"},
            }],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("PetitionRequest")}}},
            "responses": {
                "201": _json(_ref("PetitionReceipt"), "已登记，返回查询码"),
                "202": _json(_ref("PetitionReceipt"), "已保存，正在登记"),
                "400": _json(_ref("Error"), "字段有误，field 指出哪一项"),
                "422": _json(_ref("Error"), "Idempotency-Key 已用于另一封来信"),
                "429": _json(_ref("Error"), "提交太频繁"),
                "503": _json(_ref("Error"), "暂时无法保存"),
            },
        },
    },
    "/api/v1/petitions/{tracking_code}": {
        "get": {
            "summary": "查询办理进度（不含个人信息）",
            "operationId": "getPetitionStatus",
            "parameters": [{
                "name": "tracking_code", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": f"^[{ALPHABET}]{{{LENGTH}}}$",
                           "description": f"{LENGTH}位查询码（大小写、空格和连字符不论）"},
            }],
            "responses": {
                "200": _json(_ref("PetitionStatus"), "办理进度"),
                "404": _json(_ref("Error"), "没有这个查询码"),
                "429": _json(_ref("Error"), "查询失败次数过多"),
                "503": _json(_ref("Error"), "暂时无法查询"),
            },
        },
    },
}


def build_document() -> dict:
    session = db()
    mailboxes = list(session.scalars(select(Mailbox.slug).where(Mailbox.active.is_(True)).order_by(Mailbox.id)))
    counties = list(session.scalars(select(County.name).order_by(County.position)))
    paths, schemas = dict(PUBLIC_PATHS), public_schemas(mailboxes, counties)
    components = {"schemas": schemas}
    # Imported here, not at module level: the staff API is another area's and may not be installed.
    if importlib.util.find_spec(STAFF_API) is not None:
        staff_api = importlib.import_module(STAFF_API)
        paths.update(getattr(staff_api, "OPENAPI_PATHS", {}))
        schemas.update(getattr(staff_api, "OPENAPI_SCHEMAS", {}))
        components["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "信访通 API", "version": "1",
                 "description": "甘孜州信访通：提交信件、查询办理进度；工作人员接口需 Bearer 令牌。"},
        "paths": paths,
        "components": components,
    }


@bp.get("/openapi.json")
def document():
    return jsonify(build_document())
