#!/usr/bin/env python3
"""First-load bytes of a page as a phone's browser fetches them: the HTML, its stylesheet, and the script and
WASM it loads (preloaded by Leptos' hydration scripts, or fetched by our islands loader when the page has an
island). Sizes as transferred with `Accept-Encoding: br, gzip` (and raw). Usage: bytes.py BASE_URL PATH..."""
import re
import sys
import urllib.request


def fetch(url, encoding="br, gzip"):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding, "Accept": "*/*"})
    with urllib.request.urlopen(req) as r:
        return r.read(), r.headers.get("Content-Encoding") or "identity"


def page_bytes(base, path):
    html, enc = fetch(base + path, "identity")
    text = html.decode("utf-8", "replace")
    assets = {}
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text):
        assets[href] = "css"
    for href in re.findall(r'<link rel="(?:modulepreload|preload)" href="([^"]+)"', text):
        assets[href] = "js" if href.endswith(".js") else "wasm"
    if "<leptos-island" in text and not any(k in ("js", "wasm") for k in assets.values()):
        # Our loader imports these only when the page has an island.
        assets["/pkg/portal.js"] = "js"
        assets["/pkg/portal.wasm"] = "wasm"
    out = {"html": (len(fetch(base + path)[0]), len(html))}
    for href, kind in assets.items():
        sent, _ = fetch(base + href)
        raw, _ = fetch(base + href, "identity")
        prev = out.get(kind, (0, 0))
        out[kind] = (prev[0] + len(sent), prev[1] + len(raw))
    return out


def main():
    base = sys.argv[1].rstrip("/")
    print(f"| page | HTML | CSS | JS | WASM | JS + WASM |")
    print(f"|---|---|---|---|---|---|")
    for path in sys.argv[2:]:
        b = page_bytes(base, path)
        cell = lambda k: f"{b[k][0] / 1024:.1f} KB ({b[k][1] / 1024:.0f} raw)" if k in b else "0"
        jw = b.get("js", (0, 0))[0] + b.get("wasm", (0, 0))[0]
        print(f"| `{path}` | {cell('html')} | {cell('css')} | {cell('js')} | {cell('wasm')} | {jw / 1024:.1f} KB |")


if __name__ == "__main__":
    main()
