"""Public writes under abuse, against a running release server (started by bench/abuse.sh).

Each scenario prints one line of figures; baselines are measured in the same run. Usage (from abuse.sh):
    python3 bench/abuse.py PORT PID DB_FILE
"""
import concurrent.futures as cf
import http.client
import json
import sqlite3
import sys
import threading
import time
import uuid
import zlib

PORT, PID, DB = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def rss_kb(field="VmRSS"):
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def request(method, path, body=None, headers=None, source="127.0.0.1", timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", PORT, source_address=(source, 0), timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    c.close()
    return out


def bomb_png(w, h):
    """A PNG of w×h 16-bit RGBA pixels, all zeros: a few hundred KB that decode to w·h·8 bytes."""
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([16, 6, 0, 0, 0])
    z = zlib.compressobj(9)
    row = b"\0" * (w * 8 + 1)
    idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{name}"\r\n'
            f"Content-Type: image/png\r\n\r\n".encode() + data + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


CASE = {
    "kind": "举报", "business_name": "某某烧烤店", "category": "卫生状况",
    "description": "后厨老鼠出没，餐具未消毒。", "place": "涪城区临园路",
}


def count(sql):
    con = sqlite3.connect(DB, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def healthz_watch(stop, out):
    """Polls /healthz from another address every 50 ms; records the latencies."""
    while not stop.is_set():
        t = time.perf_counter()
        try:
            s, _, _ = request("GET", "/healthz", source="127.0.0.9", timeout=30)
        except Exception:
            s = 0
        out.append(((time.perf_counter() - t) * 1000, s))
        time.sleep(0.05)


def photo_bombs():
    bomb = bomb_png(6300, 6300)
    body, ctype = multipart(CASE, [("a.png", bomb), ("b.png", bomb), ("c.png", bomb)])
    before_cases = count("SELECT COUNT(*) FROM cases")
    base = []
    stop = threading.Event()
    w = threading.Thread(target=healthz_watch, args=(stop, base)); w.start(); time.sleep(2); stop.set(); w.join()
    rss0 = rss_kb()
    lat = []
    stop = threading.Event()
    w = threading.Thread(target=healthz_watch, args=(stop, lat)); w.start()
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(60) as ex:
        statuses = list(ex.map(lambda _: request("POST", "/api/v1/complaints", body, {"Content-Type": ctype})[0], range(60)))
    secs = time.perf_counter() - t0
    time.sleep(0.5); stop.set(); w.join()
    peak = rss_kb("VmHWM")
    stored = count("SELECT COUNT(*) FROM cases") - before_cases
    b = sorted(x for x, _ in base); f = sorted(x for x, _ in lat)
    hist = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"photo bombs: 60 parallel × 3 × {len(bomb)//1024} KB PNG (6300² 16-bit, 317 MB each decoded) in {secs:.2f} s; "
          f"statuses {hist}; stored {stored}; RSS before {rss0//1024} MB, peak (VmHWM) {peak//1024} MB; "
          f"/healthz unloaded max {b[-1]:.1f} ms, during max {f[-1]:.1f} ms (ratio {f[-1]/max(b[-1],0.01):.1f}), "
          f"non-200 {sum(1 for _, s in lat if s != 200)}")


def cookieless_ballots(round_id, candidate):
    before = count(f"SELECT COUNT(*) FROM ballots WHERE round_id = {round_id}")
    body = json.dumps({"candidate_ids": [candidate]})
    def one(_):
        return request("POST", f"/api/v1/rounds/{round_id}/ballot", body, {"Content-Type": "application/json"},
                       source="127.0.0.1")[0]
    with cf.ThreadPoolExecutor(50) as ex:
        statuses = list(ex.map(one, range(1000)))
    counted = count(f"SELECT COUNT(*) FROM ballots WHERE round_id = {round_id}") - before
    # Voters issued to one network: the bound per round per hour.
    issued = refused = 0
    for _ in range(150):
        s, h, _ = request("GET", f"/api/v1/rounds/{round_id}/voter", source="127.0.0.1")
        issued += s == 200 and "set-cookie" in h
        refused += s == 429
    hist = {s: statuses.count(s) for s in sorted(set(statuses))}
    _, _, d = request("GET", f"/api/v1/rounds/{round_id}")
    report = json.loads(d).get("integrity") or {}
    print(f"ballots: 1,000 cookieless from one address → statuses {hist}, counted {counted}; "
          f"150 voter requests from one /24 → issued {issued}, 429 {refused}; "
          f"integrity report refusals {report.get('refused')}")


def idempotency():
    body, ctype = multipart({**CASE, "idempotency_key": "bench-k"}, [])
    other, other_type = multipart({**CASE, "description": "另一件事：过期食品仍在销售。", "idempotency_key": "bench-k"}, [])
    h = lambda ip: {"Content-Type": ctype, "X-Forwarded-For": ip}
    a = request("POST", "/api/v1/complaints", body, h("198.51.100.7"))
    replay = request("POST", "/api/v1/complaints", body, h("198.51.100.7"))
    conflict = request("POST", "/api/v1/complaints", other, {"Content-Type": other_type, "X-Forwarded-For": "198.51.100.7"})
    b = request("POST", "/api/v1/complaints", body, h("203.0.113.5"))
    ra, rb = json.loads(a[2]), json.loads(b[2])
    leak = ra["access_code"].encode() in conflict[2] or ra["tracking_no"].encode() in conflict[2]
    print(f"idempotency: first {a[0]}, replay {replay[0]} same receipt {json.loads(replay[2]) == ra}, "
          f"other content {conflict[0]} leaks receipt {leak}, other client same key {b[0]} distinct {rb['tracking_no'] != ra['tracking_no']}")


def case_flood():
    body, ctype = multipart(CASE, [])
    before = count("SELECT COUNT(*) FROM cases")
    with cf.ThreadPoolExecutor(32) as ex:
        statuses = list(ex.map(lambda _: request("POST", "/api/v1/complaints", body,
                                                  {"Content-Type": ctype, "X-Forwarded-For": "192.0.2.77"})[0], range(500)))
    stored = count("SELECT COUNT(*) FROM cases") - before
    hist = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"cases: 500 from one address → statuses {hist}, stored {stored}")


def forged_host(code):
    out = []
    for path in [f"/credit/{code}/qr.svg", "/poster/qr.svg", "/news/feed.xml"]:
        _, h1, _ = request("GET", path, headers={"Host": "evil.example"})
        _, h2, d2 = request("GET", path)
        out.append(f"{path}: forged → Cache-Control '{h1.get('cache-control')}', next visitor sees forged host {b'evil.example' in d2}")
    print("forged Host: " + "; ".join(out))


if __name__ == "__main__":
    scenario = sys.argv[4] if len(sys.argv) > 4 else "all"
    if scenario in ("bombs", "all"):
        photo_bombs()
    if scenario in ("rest", "all"):
        rid = count("SELECT id FROM rounds WHERE vote_from <= strftime('%s','now') AND vote_until > strftime('%s','now') ORDER BY id LIMIT 1")
        cand = count(f"SELECT id FROM candidates WHERE round_id = {rid} ORDER BY id LIMIT 1")
        cookieless_ballots(rid, cand)
        idempotency()
        case_flood()
        forged_host(count("SELECT credit_code FROM businesses ORDER BY id LIMIT 1"))
