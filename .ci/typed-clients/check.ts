// Compiled with tsc --strict against the types openapi-typescript generates from openapi.yaml:
// the shapes a TypeScript client relies on exist with the right types.
import type { components, paths } from "./generated/schema";

type Consignment = components["schemas"]["Consignment"];
type Created = paths["/v1/consignments"]["post"]["responses"][201]["content"]["application/json"];
type Approved = paths["/v1/consignments/{id}/approve"]["post"]["responses"][200]["content"]["application/json"];
type Verification = components["schemas"]["Verification"];
type NewKey = components["schemas"]["CreatedApiKey"];

export function summary(consignment: Consignment): string {
  const status: components["schemas"]["ConsignmentStatus"] = consignment.status;
  return `${consignment.id} ${status} v${consignment.version}`;
}

export function certificateNumber(approved: Approved): string {
  return approved.certificate.number;
}

export function isValid(verification: Verification): boolean {
  return verification.status === "valid" && verification.signature_valid;
}

export function secretOf(key: NewKey): string {
  return key.secret;
}

export const draftStatus: Created["status"] = "draft";
