"""Schemathesis hook for .ci/fuzz/run.sh: positive data must be accepted, except where the
answer names only rules that no schema can hold (registry state, an object's version, cursors,
idempotency reuse, parameters that depend on one another). The contract lists those rules at
its root under `x-rules-beyond-schema`; this check reads them from there, so an answer the
contract does not name as such still fails the run.

It replaces schemathesis' own positive_data_acceptance, which .ci/fuzz/run.sh turns off.
"""
import json
import os

import schemathesis
import yaml

with open(os.environ["FUZZ_CONTRACT"], encoding="utf-8") as file:
    _RULES = yaml.safe_load(file)["x-rules-beyond-schema"]
# Problem codes (top-level `code`) and field violation codes (`errors[].code`) by status; a
# rule with `operations` holds for those operations only, and its code `*` for any code.
ALLOWED = {(rule["status"], rule["code"]) for rule in _RULES if "operations" not in rule}
BY_OPERATION = {
    (operation, rule["status"], rule["code"]) for rule in _RULES for operation in rule.get("operations", [])
}


def _explained(operation_id: str, status: int, code: str) -> bool:
    return (
        (status, code) in ALLOWED
        or (operation_id, status, code) in BY_OPERATION
        or (operation_id, status, "*") in BY_OPERATION
    )
# What a valid request may get without breaking any rule of its own.
ACCEPTED_STATUSES = {401, 403, 404, 409, 429}


def _codes(status: int, body: object) -> set[str]:
    if not isinstance(body, dict):
        return set()
    errors = body.get("errors")
    if status == 422 and body.get("code") == "validation_failed" and isinstance(errors, list) and errors:
        return {str(error.get("code")) for error in errors if isinstance(error, dict)}
    return {str(body.get("code"))}


@schemathesis.check
def positive_data_accepted_but_for_rules_beyond_schema(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in ACCEPTED_STATUSES:
        return None
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        body = None
    codes = _codes(status, body)
    operation_id = case.operation.definition.raw.get("operationId", "")
    unexplained = sorted(code for code in codes if not _explained(operation_id, status, code))
    if codes and not unexplained:
        return None
    raise AssertionError(
        f"A request valid under the contract got {status} for {unexplained or 'no code'}, "
        "which the contract does not list under x-rules-beyond-schema"
    )
