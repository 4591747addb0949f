// The review page (qcompare/reports/review.py): click a highlight to see its row, filter rows
// by state, follow the heading path, copy a correction entry for data/corrections.yml.
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const byId = new Map(DATA.rows.map((r) => [r.id, r]));
  const detail = document.getElementById("detail");
  const headingBox = document.getElementById("heading");

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // A correction entry as YAML: JSON strings and numbers are valid YAML scalars.
  function yamlEntry(r) {
    const f = r.fields, lines = ["- doc_id: " + JSON.stringify(DATA.doc_id), "  quote: " + JSON.stringify(r.quote),
      "  start: " + r.start];
    if (f.indicator_raw) lines.push("  indicator_raw: " + JSON.stringify(f.indicator_raw));
    lines.push("  # keep the fields to change, or write  reject: true");
    for (const k of ["value", "value_high", "unit", "comparator", "kind", "target_year", "indicator_id"]) {
      if (k in f) lines.push("  " + k + ": " + (f[k] === null ? "null" : JSON.stringify(f[k])));
    }
    lines.push('  reason: ""', '  by: ""');
    return lines.join("\n") + "\n";
  }

  function copy(text, button) {
    const done = () => { button.textContent = "copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallback(text, done));
    } else fallback(text, done);
  }
  function fallback(text, done) {
    const area = el("textarea"); area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); done(); } finally { area.remove(); }
  }

  function show(ids) {
    document.querySelectorAll("mark.active").forEach((m) => m.classList.remove("active"));
    detail.replaceChildren();
    for (const id of ids) {
      const r = byId.get(id);
      document.querySelectorAll('mark[data-row="' + CSS.escape(id) + '"]').forEach((m) => m.classList.add("active"));
      const box = el("div", null, "row");
      box.dataset.row = id;
      box.appendChild(el("strong", r.table + " " + id + " · " + r.state, "s-" + r.state));
      const table = el("table");
      const add = (k, v) => { const tr = el("tr"); tr.appendChild(el("th", k)); tr.appendChild(el("td", v === null ? "" : v)); tr.dataset.field = k; table.appendChild(tr); };
      for (const [k, v] of Object.entries(r.fields)) add(k, v);
      add("offsets", r.start + "–" + r.end);
      add("heading_path", r.heading_path);
      box.appendChild(table);
      if (r.table === "targets") {
        const yaml = yamlEntry(r), button = el("button", "copy correction (YAML)");
        button.addEventListener("click", () => copy(yaml, button));
        box.appendChild(button);
        box.appendChild(el("pre", yaml));
      }
      detail.appendChild(box);
    }
  }

  document.getElementById("text").addEventListener("click", (e) => {
    const ids = [];
    for (let n = e.target; n && n.id !== "text"; n = n.parentElement) if (n.tagName === "MARK") ids.push(n.dataset.row);
    if (ids.length) show(ids);
  });

  const list = document.getElementById("list");
  for (const r of DATA.rows) {
    const li = el("li");
    li.dataset.state = r.state;
    li.appendChild(el("span", null, "dot s-" + r.state));
    const f = r.fields;
    li.appendChild(document.createTextNode([f.indicator_raw, f.value, f.unit, f.comparator, f.target_year].filter((x) => x !== null && x !== undefined).join(" ")));
    li.addEventListener("click", () => { document.getElementById(r.id).scrollIntoView({ block: "center" }); show([r.id]); });
    list.appendChild(li);
  }

  document.querySelectorAll("#filters input").forEach((box) => box.addEventListener("change", () => {
    const s = box.dataset.state;
    document.body.classList.toggle("hide-" + s, !box.checked);
    list.querySelectorAll('li[data-state="' + s + '"]').forEach((li) => li.classList.toggle("hidden", !box.checked));
  }));

  const anchors = Array.from(document.querySelectorAll("#text .cl"));
  let pending = false;
  function updateHeading() {
    pending = false;
    const top = document.querySelector("header").getBoundingClientRect().bottom + 4;
    let current = null;
    for (const a of anchors) { if (a.getBoundingClientRect().top <= top) current = a; else break; }
    headingBox.textContent = current ? DATA.headings[Number(current.dataset.c)] : "";
  }
  window.addEventListener("scroll", () => { if (!pending) { pending = true; requestAnimationFrame(updateHeading); } });
  updateHeading();

  // #click-first (used by the browser test) clicks the first highlight; #<row id> opens that row.
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash === "click-first") { const m = document.querySelector("#text mark"); if (m) m.click(); }
  else if (byId.has(hash)) { document.getElementById(hash).scrollIntoView({ block: "center" }); show([hash]); }
})();
