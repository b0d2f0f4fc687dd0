#!/usr/bin/env python3
"""Browser check of the verification page (run by .ci/run after the README's test command).

Starts the built service against a throwaway database, takes a coconut consignment from
submission to a certificate as the README's walkthrough does, then opens the URL its QR code
encodes in headless Chromium at phone and desktop width (check.mjs): the page must show its
text in English, Vietnamese and Chinese, and nothing may overflow horizontally.
Usage: run.py <service binary> <output directory>
"""
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(api, method, path, key=None, body=None, content_type="application/json"):
    data = None
    headers = {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    request = urllib.request.Request(api + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode()}")


def main():
    binary, out_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    database = f"agri_browser_check_{os.getpid()}"
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    work = tempfile.mkdtemp(prefix="agri-browser-check-")
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres:///{database}",
        "BIND_ADDRESS": f"127.0.0.1:{port}",
        "SIGNING_KEY_FILE": os.path.join(work, "signing.key"),
        "RUST_LOG": "warn",
    })
    admin = subprocess.run([binary, "admin-key"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    server = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(out_dir, "service.log"), "w"))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(api + "/health/ready", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        exporter_org = call(api, "POST", "/v1/organizations", admin, {
            "kind": "exporter", "name": "Công ty TNHH Dừa Bến Tre", "tax_code": "0312345678",
            "address": "Châu Thành, Bến Tre", "province": "Bến Tre"})
        exporter = call(api, "POST", f"/v1/organizations/{exporter_org['id']}/api-keys", admin,
                        {"role": "exporter", "label": "browser check"})["secret"]
        for kind, code in [("orchard", "VN-BTOR-0001"), ("packing_house", "VN-BTPH-036")]:
            call(api, "POST", "/v1/establishments", admin, {
                "kind": kind, "code": code, "name": f"{kind} {code}", "address": "Bến Tre", "province": "Bến Tre",
                "commodities": ["coconut"], "holder_organization_id": exporter_org["id"],
                "source": {"list": "GACC list", "date": "2024-01-01"}})
            call(api, "POST", f"/v1/establishments/{kind}/{code}/status-changes", admin,
                 {"status": "approved", "effective_from": "2024-01-01", "reference": "GACC list"})
        today = datetime.date.today()
        consignment = call(api, "POST", "/v1/consignments", exporter, {
            "protocol": "vn-cn-coconut-fresh-2024",
            "consignee": {"name": "Yunnan Fruit Co.", "address": "Hekou, Yunnan", "country": "CN"},
            "planned_departure_date": str(today + datetime.timedelta(days=30)),
            "exit_border_gate": "kim_thanh", "entry_point": "hekou",
            "conveyance": {"mode": "road", "identifier": "71C-246.80"},
            "containers": [{"number": "CSQU3054383", "seal_number": "SL-1"}],
            "coconut": {"form": "green_with_stalk", "max_stalk_length_cm": 4.5},
            "botanical_name": "Cocos nucifera",
            "lots": [{"orchard_code": "VN-BTOR-0001", "packing_house_code": "VN-BTPH-036", "variety": "Xiêm xanh",
                      "net_weight_kg": 21600.0, "package_count": 2700, "package_type": "bag"}],
            "carton_label": "Fresh coconut - Product of Vietnam - VN-BTOR-0001 - VN-BTPH-036",
            "pallet_marking": "Exported to the People's Republic of China",
            "lab_reports": []})
        consignment_id = consignment["id"]
        call(api, "POST", f"/v1/consignments/{consignment_id}/submit", exporter)
        ppd = call(api, "POST", "/v1/organizations", admin, {"kind": "authority", "name": "Cục Bảo vệ thực vật", "authority": "PPD"})
        inspector = call(api, "POST", f"/v1/organizations/{ppd['id']}/api-keys", admin,
                         {"role": "inspector", "label": "browser check"})["secret"]
        call(api, "POST", f"/v1/consignments/{consignment_id}/inspections", inspector, {
            "inspected_on": str(today), "place": "Bến Tre packing house", "units_in_lot": 2700, "units_sampled": 54,
            "findings": []})
        approved = call(api, "POST", f"/v1/consignments/{consignment_id}/approve", inspector,
                        {"authorized_officer": "Nguyễn Văn An", "place_of_issue": "Hà Nội"})
        number = approved["certificate"]["number"]
        code = call(api, "GET", f"/v1/certificates/{number}", exporter)["verification_code"]
        url = f"{api}/v1/verify/{number}?code={code}"
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run(["node", os.path.join(here, "check.mjs"), url, out_dir], check=True, cwd=here)
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["dropdb", "--if-exists", database], check=False)


if __name__ == "__main__":
    main()
