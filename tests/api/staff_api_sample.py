"""A stand-in for xinfang.admin.staff_api's contribution to the OpenAPI document (its two names only)."""

OPENAPI_PATHS = {
    "/api/v1/staff/cases": {
        "get": {
            "summary": "案件列表",
            "security": [{"bearerAuth": []}],
            "responses": {"200": {"description": "案件", "content": {"application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/StaffCase"}}}}}},
        },
    },
}
OPENAPI_SCHEMAS = {"StaffCase": {"type": "object", "properties": {"tracking_code": {"type": "string"}}}}
