"""Seeds a running agri-quarantine for bench/http-vs-pgbench.sh: an exporter with a key, a PPD
inspector, an approved registry and one approved fresh-durian certificate. Prints JSON with the
exporter's key, the consignment id and the certificate number.

    python3 bench/seed.py http://127.0.0.1:8080 <admin key> bench/durian-consignment.json
"""
import datetime
import json
import sys
import urllib.error
import urllib.request

BASE, ADMIN, BODY = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, key=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if key:
        request.add_header("Authorization", "Bearer " + key)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path} -> {error.code}: {error.read()[:500]!r}")


def register(kind, code, commodities, extra):
    body = {"kind": kind, "code": code, "name": f"{kind} {code}", "address": "Tiền Giang",
            "province": "Tiền Giang", "commodities": commodities,
            "source": {"list": "GACC list", "date": "2023-01-01"}, **extra}
    call("POST", "/v1/establishments", ADMIN, body)
    call("POST", f"/v1/establishments/{kind}/{code}/status-changes", ADMIN,
         {"status": "approved", "effective_from": "2023-01-01", "reference": "GACC list"})


organization = call("POST", "/v1/organizations", ADMIN, {
    "kind": "exporter", "name": "Bench Exporter", "tax_code": "0312345678",
    "address": "Chợ Lách", "province": "Bến Tre"})
exporter = call("POST", f"/v1/organizations/{organization['id']}/api-keys", ADMIN,
                {"role": "exporter", "label": "bench"})["secret"]
holder = {"holder_organization_id": organization["id"]}
register("orchard", "VN-TGOR-0095", ["durian", "coconut"], holder)
register("packing_house", "VN-BTPH-036", ["durian", "coconut"], holder)
register("laboratory", "VILAS-997", ["durian"], {"scopes": ["cadmium", "auramine_o"]})
authority = call("POST", "/v1/organizations", ADMIN,
                 {"kind": "authority", "name": "Cục Bảo vệ thực vật", "authority": "PPD"})
inspector = call("POST", f"/v1/organizations/{authority['id']}/api-keys", ADMIN,
                 {"role": "inspector", "label": "bench"})["secret"]
# Dates a decision today accepts: departure ahead, samples and inspection behind (Vietnam time).
today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
with open(BODY, encoding="utf-8") as file:
    declaration = json.load(file)
declaration["planned_departure_date"] = (today + datetime.timedelta(days=10)).isoformat()
for report in declaration.get("lab_reports", []):
    report["sample_date"] = (today - datetime.timedelta(days=3)).isoformat()
consignment = call("POST", "/v1/consignments", exporter, declaration)
call("POST", f"/v1/consignments/{consignment['id']}/submit", exporter)
call("POST", f"/v1/consignments/{consignment['id']}/inspections", inspector, {
    "inspected_on": today.isoformat(), "place": "Cái Mơn packing house", "units_in_lot": 1000,
    "units_sampled": 20, "findings": []})
approved = call("POST", f"/v1/consignments/{consignment['id']}/approve", inspector,
                {"authorized_officer": "Nguyễn Văn An", "place_of_issue": "Hà Nội"})
# The declaration as the write step posts it, with today's dates.
with open(sys.argv[4] if len(sys.argv) > 4 else "/dev/null", "w", encoding="utf-8") as file:
    json.dump(declaration, file, ensure_ascii=False)
print(json.dumps({"exporter": exporter, "inspector": inspector, "consignment": consignment["id"],
                  "certificate": approved["certificate"]["number"]}))
