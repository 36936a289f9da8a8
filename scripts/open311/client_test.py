"""Open311 GeoReport v2 against a running portal, through an existing client library used unchanged.

The library is `georeport` (PyPI): a Python wrapper for GeoReport v2 that reads services, service definitions,
requests and one request. It has no call for filing (its README says so) and sends no api_key on reads, so the
filing and the keyed list are made here with plain `requests`, exactly as the specification writes them, and
what the library cannot send is checked to be refused in the spec's error format.

Usage: client_test.py BASE_URL API_KEY   (BASE_URL ends in /open311/v2)
Prints one line per check and a closing "N passed, N failed".
"""

import sys

import requests
from georeport import GeoReport

BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def spec_error(response, code):
    """The spec's error list: [{"code": 400, "description": "..."}]."""
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, list)
        and len(body) == 1
        and body[0].get("code") == code
        and isinstance(body[0].get("description"), str)
        and response.status_code == code
    )


client = GeoReport(BASE)

# Services and their definitions, through the library.
services = client.get_service_list()
codes = [s["service_code"] for s in services]
check("services.json lists every case kind and category", len(services) == 16, str(len(services)))
check(
    "each service has the spec's fields",
    all(
        {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} <= set(s)
        for s in services
    ),
)
check("complaint and report services", "complaint-hygiene" in codes and "report-hygiene" in codes, str(codes))
definition = client.get_service_definition("complaint-hygiene")
attributes = {a["code"]: a for a in definition["attributes"]}
check("the definition names its service", definition["service_code"] == "complaint-hygiene")
check("business_name is a required string attribute",
      attributes.get("business_name", {}).get("required") is True
      and attributes["business_name"]["datatype"] == "string")
try:
    client.get_service_definition("no-such-service")
    check("an unknown service is refused", False, "no error")
except requests.HTTPError as e:
    check("an unknown service is 404 in the spec's error list", spec_error(e.response, 404), e.response.text)

# Discovery.
discovery = requests.get(f"{BASE}/discovery.json", timeout=10).json()
check("discovery names GeoReport v2",
      discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2")

# Filing: form-encoded, as the spec writes it (the library has no call for it).
form = {
    "api_key": KEY,
    "service_code": "complaint-hygiene",
    "lat": "31.4675",
    "long": "104.6796",
    "address_string": "涪城区临园路1号",
    "attribute[business_name]": "某某烧烤店",
    "description": "后厨老鼠出没，餐具未消毒，多次看到。",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800001234",
}
r = requests.post(f"{BASE}/requests.json", data=form, timeout=10)
body = r.json()
check("a filing answers [{service_request_id, service_notice, account_id}]",
      r.status_code == 200 and isinstance(body, list) and "service_request_id" in body[0]
      and "service_notice" in body[0], r.text)
request_id = body[0]["service_request_id"]

# Refusals: the spec's error list, with its status.
for name, changed, status in [
    ("without a key: 400", {"api_key": ""}, 400),
    ("with a wrong key: 403", {"api_key": "o311_" + "0" * 48}, 403),
    ("with an unknown service: 400", {"service_code": "complaint-ufo"}, 400),
]:
    r = requests.post(f"{BASE}/requests.json", data={**form, **changed}, timeout=10)
    check(f"a filing {name}", spec_error(r, status), f"{r.status_code} {r.text}")
missing = {k: v for k, v in form.items() if k != "attribute[business_name]"}
r = requests.post(f"{BASE}/requests.json", data=missing, timeout=10)
check("a missing required attribute is 400 naming it",
      spec_error(r, 400) and "attribute[business_name]" in r.json()[0]["description"], r.text)

# One request, through the library (no key: the public view, status and public notes only).
one = client.get_service_request(request_id)
check("the library reads the request by id", one["service_request_id"] == request_id and one["status"] == "open",
      str(one))
check("the public view shows no reporter, description or place",
      one.get("description") is None and one.get("address") is None and "13800001234" not in str(one), str(one))

# The key's own requests: the library sends no key, so it is refused in the spec's format; with the key, they list.
try:
    client.get_service_requests()
    check("the list without a key is refused", False, "no error")
except requests.HTTPError as e:
    check("the list without a key is 400 in the spec's error list", spec_error(e.response, 400), e.response.text)
mine = requests.get(f"{BASE}/requests.json", params={"api_key": KEY, "status": "open"}, timeout=10).json()
check("the key's own requests list the filing", [m["service_request_id"] for m in mine] == [request_id], str(mine))
check("the partner sees its complaint's description", mine[0]["description"] == form["description"])

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
