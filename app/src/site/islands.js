// Loads the WASM only on pages that have an island; pages without one download no script beyond this loader.
// Mirrors Leptos' island loader (leptos/src/hydration/island_script.js, 0.8) without its preload links.
((pkg, js, wasm) => {
  if (!document.querySelector("leptos-island")) return;
  const start = () =>
    import(`/${pkg}/${js}.js`).then((mod) =>
      mod.default({ module_or_path: `/${pkg}/${wasm}.wasm` }).then(async () => {
        mod.hydrate();
        const children = [];
        const visit = async (node) => {
          if (node.nodeType !== Node.ELEMENT_NODE) return;
          const tag = node.tagName.toLowerCase();
          if (tag === "leptos-island") {
            const cb = children[children.length - 1];
            if (cb) cb();
            const fn = mod[node.dataset.component];
            if (fn) {
              const r = fn(node);
              if (r && r.then) await r;
            } else {
              console.warn(`no WASM function for the island ${node.dataset.component}`);
            }
            for (const c of node.children) await visit(c);
          } else if (tag === "leptos-children") {
            children.push(node.$$on_hydrate);
            for (const c of node.children) await visit(c);
            children.pop();
          } else {
            for (const c of node.children) await visit(c);
          }
        };
        await visit(document.body);
      })
    );
  if ("requestIdleCallback" in window) window.requestIdleCallback(start);
  else start();
})
