/* SMART dashboard framework: panels fetched as JSON and drawn with Plotly (served from the installed wheel),
   Grafana-like controls. Everything the view depends on lives in the URL, so any view is a shareable link. */
(function () {
  "use strict";
  const dash = document.getElementById("dash");
  if (!dash) return;
  const T = window.SMART_I18N || {};
  const t = (s) => T[s] || s;
  const panelsMeta = JSON.parse(document.getElementById("panels-meta").textContent);
  const tz = dash.dataset.tz;
  const timers = [];
  // Read by the browser tests and the bench: every panel is drawn once `drawn` reaches `panels`; `drawnAt` is
  // performance.now() when that first happened; `usableAt` when the `inView` panels the page opened with were.
  window.SMART_DASH = { drawn: 0, panels: panelsMeta.length, errors: [], charts: {}, drawnAt: null, usableAt: null,
                        inView: 0 };

  function currentParams() { return new URLSearchParams(window.location.search); }

  function go(params) { window.location.search = params.toString(); }

  function setRange(from, to) {
    const p = currentParams();
    p.set("from", from); p.set("to", to);
    rememberRange(from, to);
    go(p);
  }

  /* ---------- time in the user's zone ---------- */
  const fmt = new Intl.DateTimeFormat(document.documentElement.lang === "en" ? "en-GB" : "ru-RU",
    { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  // One formatter for the page: building an Intl.DateTimeFormat costs far more than formatting with one, and a
  // chart converts every point.
  const wallClock = new Intl.DateTimeFormat("en-CA", { timeZone: tz, hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  function localIso(d) {  // wall-clock in the user's zone, as Plotly expects for a date axis
    const parts = {};
    for (const x of wallClock.formatToParts(d)) parts[x.type] = x.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  }
  // Series of one chart (and of the panels of a dashboard) mostly share their time points: each distinct
  // server time is converted once.
  const wallOf = new Map();
  function localX(x) {
    let v = wallOf.get(x);
    if (v === undefined) {
      if (wallOf.size >= 100000) wallOf.clear();
      v = localIso(new Date(x));
      wallOf.set(x, v);
    }
    return v;
  }
  function showTime(v) { const d = new Date(v); return isNaN(d) ? v : fmt.format(d); }

  /* ---------- charts ---------- */
  const lang = document.documentElement.lang === "en" ? "en" : "ru";
  // Plotly (4.6 MB) loads in parallel with the panel data (async script): tables and stats draw at once,
  // charts as soon as both are there.
  const plotlyReady = new Promise((resolve) => {
    const tag = document.getElementById("plotly-js");
    if (window.Plotly || !tag) resolve(); else tag.addEventListener("load", () => resolve());
  }).then(registerLocale);
  function registerLocale() {
    if (lang !== "ru" || !window.Plotly) return;  // month and day names on the axes (the wheel ships no locale files)
    Plotly.register({ moduleType: "locale", name: "ru", dictionary: {}, format: {
      days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
      shortDays: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
      months: ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"],
      shortMonths: ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
      date: "%d.%m.%Y", decimal: ",", thousands: " " } });
  }
  // Plotly lays out its SVG legend by measuring the text of every entry (about a millisecond each, seconds for
  // hundreds of series): past this many series the legend is a list of buttons under the chart instead, with the
  // same clicks. Past HOVER_UNIFIED_MAX the hover names the series under the cursor rather than listing them all.
  const LEGEND_SVG_MAX = 20, HOVER_UNIFIED_MAX = 60;
  // A legend click isolates a series (again: shows all), shift-click adds or removes one (Grafana).
  function toggleSeries(plot, i, shift) {
    const vis = plot.data.map((d) => d.visible === undefined || d.visible === true);
    let next;
    if (shift) { next = vis.slice(); next[i] = !next[i]; }
    else { const only = vis[i] && vis.filter(Boolean).length === 1; next = vis.map((_, j) => only || j === i); }
    Plotly.restyle(plot, { visible: next.map((v) => (v ? true : "legendonly")) }, [...Array(vis.length).keys()]);
  }
  function drawLegend(box, series) {  // before the chart: the chart takes the height the legend leaves
    box.innerHTML = series.map((s, i) => `<button type="button" class="legend-item" data-series="${i}" title="${esc(s.name)}"><i></i>${esc(s.name)}</button>`).join("");
  }
  function bindLegend(box, plot) {  // after it: Plotly has chosen the colours
    const items = box.children, full = plot._fullData || [];
    for (let i = 0; i < items.length; i++) {
      const d = full[i] || {};
      items[i].firstChild.style.background = (d.line && d.line.color) || (d.marker && d.marker.color) || "";
    }
    const sync = () => plot.data.forEach((d, i) => items[i].classList.toggle("off", d.visible === "legendonly"));
    box.addEventListener("click", (ev) => {
      const item = ev.target.closest("[data-series]"); if (!item) return;
      toggleSeries(plot, +item.dataset.series, ev.shiftKey);
      sync();
    });
  }
  function drawChart(el, meta, data) {
    const series = data.series || [];
    el.classList.remove("with-legend");
    if (!series.length || series.every((s) => !s.x.length)) {
      el.innerHTML = `<div class="nodata">${t("No data")}</div>`;
      return;
    }
    const bars = meta.kind === "bars";
    const traces = series.map((s) => ({
      name: s.name, x: s.x.map(localX), y: s.y,
      type: bars ? "bar" : "scatter", mode: s.mode || "lines", line: { shape: s.shape || "linear", width: 1.5 },
      connectgaps: false, hovertemplate: `%{y}${data.unit ? " " + data.unit : ""}<extra>%{fullData.name}</extra>`,
    }));
    const htmlLegend = series.length > LEGEND_SVG_MAX;
    let plot = el, legend = null;
    el.innerHTML = "";
    if (htmlLegend) {
      el.classList.add("with-legend");
      el.innerHTML = `<div class="chart-plot"></div><div class="chart-legend" data-legend></div>`;
      plot = el.firstChild; legend = el.lastChild;
      drawLegend(legend, series);
    }
    const logY = data.log === true;  // a logarithmic y axis (A §4.2); plotly.js 3+ places shapes in data units
    const bandY = (v) => (logY ? Math.max(v, 0.5) : v);  // there, only no 0 or below (it would stretch the axis)
    const shapes = (data.bands || []).map((b) => ({ type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y",
      y0: bandY(b.from), y1: bandY(b.to), fillcolor: b.color, opacity: 0.12, line: { width: 0 }, layer: "below" }));
    const layout = {
      margin: { l: 48, r: 12, t: 8, b: 32 }, height: plot.clientHeight || 300, barmode: data.stack ? "stack" : "group",
      xaxis: { type: "date", range: [localIso(new Date(data.range.from)), localIso(new Date(data.range.to))] },
      yaxis: logY ? { title: { text: data.unit || "" }, type: "log", dtick: 1 } : { title: { text: data.unit || "" }, rangemode: "tozero" }, shapes,
      legend: { orientation: "h", y: -0.15 }, showlegend: series.length > 1 && !htmlLegend,
      hovermode: series.length > HOVER_UNIFIED_MAX ? "closest" : "x unified",
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    };
    Plotly.newPlot(plot, traces, layout, { displaylogo: false, responsive: true, doubleClick: false, locale: lang,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] });
    window.SMART_DASH.charts[el.closest("[data-panel]").dataset.panel] = plot;
    if (legend) bindLegend(legend, plot);
    plot.on("plotly_legendclick", (ev) => {
      toggleSeries(plot, ev.curveNumber, ev.event && ev.event.shiftKey);
      return false;
    });
    plot.on("plotly_legenddoubleclick", () => false);
    // Drag-to-zoom applies to every panel: the range becomes absolute and the dashboard re-queries.
    plot.on("plotly_relayout", (ev) => {
      const r = ev["xaxis.range"] || [];
      const a = ev["xaxis.range[0]"] || r[0], b = ev["xaxis.range[1]"] || r[1];
      if (a && b) setRange(String(a).slice(0, 16).replace(" ", "T"), String(b).slice(0, 16).replace(" ", "T"));
    });
  }

  /* ---------- tables ---------- */
  const PAGE_DEFAULT = 50;
  function cellText(col, v) {
    if (v === null || v === undefined || v === "" || col.type === "actions") return "";
    if (col.type === "datetime") return showTime(v);
    if (col.type === "number" && typeof v === "number") return v.toLocaleString(document.documentElement.lang);
    return String(v);
  }
  function drawTable(el, data) {
    const cols = data.columns || [];
    const state = { sort: null, dir: 1, filter: "", page: 0 };
    const PAGE = data.page_size || PAGE_DEFAULT;  // a panel may ask for its page size (A §4.1: 13 rows)
    const rows = data.rows || [];
    el.innerHTML = "";
    const bar = document.createElement("div"); bar.className = "table-bar";
    const filter = document.createElement("input"); filter.type = "search"; filter.placeholder = t("Filter");
    filter.setAttribute("data-table-filter", "");
    const count = document.createElement("span"); count.className = "muted";
    bar.append(filter, count);
    const wrap = document.createElement("div"); wrap.className = "table-wrap";
    const table = document.createElement("table"); table.className = "data";
    const pager = document.createElement("div"); pager.className = "pager";
    wrap.append(table); el.append(bar, wrap, pager);
    function visible() {
      const f = state.filter.toLowerCase();
      let r = f ? rows.filter((row) => cols.some((c) => cellText(c, row[c.key]).toLowerCase().includes(f))) : rows.slice();
      if (state.sort) {
        const k = state.sort;
        r.sort((a, b) => {
          const x = a[k], y = b[k];
          if (x === y) return 0; if (x === null || x === undefined) return 1; if (y === null || y === undefined) return -1;
          return (x > y ? 1 : -1) * state.dir;
        });
      }
      return r;
    }
    function render() {
      const r = visible();
      const pages = Math.max(1, Math.ceil(r.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      const head = "<thead><tr>" + cols.map((c) => `<th data-key="${c.key}" class="${c.type || ""}${state.sort === c.key ? (state.dir > 0 ? " asc" : " desc") : ""}">${esc(c.title)}</th>`).join("") + "</tr></thead>";
      const body = r.slice(state.page * PAGE, state.page * PAGE + PAGE).map((row) => "<tr" + (row._class ? ` class="${esc(row._class)}"` : "") + ">" + cols.map((c) => {
        const txt = cellText(c, row[c.key]);
        const link = row._links && row._links[c.key];
        const inner = c.type === "actions" ? actionButtons(row[c.key]) : link ? `<a href="${esc(link)}">${esc(txt)}</a>` : esc(txt);
        const cls = (c.type || "") + (row._cell_class && row._cell_class[c.key] ? " " + row._cell_class[c.key] : "");
        return `<td class="${cls}" title="${esc(txt)}">${inner}</td>`;
      }).join("") + "</tr>").join("");
      const foot = data.footer ? "<tfoot><tr>" + cols.map((c) => `<td class="${c.type || ""}">${esc(cellText(c, data.footer[c.key]))}</td>`).join("") + "</tr></tfoot>" : "";  // e.g. a "Mean" row over all rows
      table.innerHTML = head + "<tbody>" + (body || `<tr><td colspan="${cols.length}" class="nodata">${t("No data")}</td></tr>`) + "</tbody>" + foot;
      count.textContent = `${r.length} ${t("rows")}`;
      pager.innerHTML = pages > 1 ? `<button data-page="-1" ${state.page === 0 ? "disabled" : ""}>‹</button> ${state.page + 1} / ${pages} <button data-page="1" ${state.page >= pages - 1 ? "disabled" : ""}>›</button>` : "";
    }
    table.addEventListener("click", (ev) => {
      const th = ev.target.closest("th"); if (!th) return;
      const k = th.dataset.key;
      if (state.sort === k) state.dir = -state.dir; else { state.sort = k; state.dir = 1; }
      render();
    });
    pager.addEventListener("click", (ev) => { const b = ev.target.closest("button"); if (b) { state.page += +b.dataset.page; render(); } });
    filter.addEventListener("input", () => { state.filter = filter.value; state.page = 0; render(); });
    render();
  }
  /* "actions" columns: a cell holds [{action, label, url}], each a POST (CSRF from the cookie); the
     endpoint answers JSON, then every panel reloads (the row and the counters change). */
  function actionButtons(list) {
    return (list || []).map((a) => `<button type="button" class="row-action" data-post="${esc(a.url)}" data-action="${esc(a.action)}" title="${esc(a.title || a.label)}">${esc(a.label)}</button>`).join(" ");
  }
  dash.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button[data-post]"); if (!b) return;
    b.disabled = true;
    const token = (document.cookie.match(/(?:^|; )csrftoken=([^;]*)/) || [])[1] || "";
    try {
      const resp = await fetch(b.dataset.post, { method: "POST", credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": decodeURIComponent(token) } });
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      await loadAll();
    } catch (err) { b.disabled = false; b.title = err.message; window.SMART_DASH.errors.push(`action: ${err.message}`); }
  });
  function esc(s) { return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c])); }

  function drawStat(el, data) {
    const v = data.value === null || data.value === undefined ? "—" : data.value;
    const inner = `<span class="stat-value"${data.color ? ` style="color:${esc(data.color)}"` : ""}>${esc(typeof v === "number" ? v.toLocaleString(document.documentElement.lang) : v)}</span> <span class="stat-unit">${esc(data.unit || "")}</span>`;
    el.innerHTML = `<div class="stat">${data.link ? `<a href="${esc(data.link)}">${inner}</a>` : inner}</div>`;
  }

  /* ---------- loading ---------- */
  async function loadPanel(meta) {
    const section = dash.querySelector(`[data-panel="${meta.key}"]`);
    const body = section.querySelector("[data-body]");
    const notice = section.querySelector(".panel-notice");
    const url = dash.dataset.panelUrl.replace("PANEL", meta.key) + window.location.search;
    // The first load takes the answer the page asked for while it was parsed (dashboard.html); later loads ask.
    const early = window.SMART_PREFETCH && window.SMART_PREFETCH[meta.key];
    if (early) delete window.SMART_PREFETCH[meta.key];
    try {
      const resp = await (early || fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }));
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      const data = await resp.json();
      notice.hidden = !data.notice; notice.textContent = data.notice || "";
      if (meta.kind === "table") drawTable(body, data);
      else if (meta.kind === "stat") drawStat(body, data);
      else if (meta.kind === "text") body.innerHTML = data.html || "";
      else { await plotlyReady; drawChart(body, meta, data); }
      section.dataset.loaded = String(Date.now());
      window.SMART_DASH.drawn += 1;
      if (window.SMART_DASH.drawn >= window.SMART_DASH.panels && window.SMART_DASH.drawnAt === null) {
        window.SMART_DASH.drawnAt = performance.now();
      }
    } catch (err) {
      body.innerHTML = `<div class="error">${t("Could not load this panel")}: ${esc(err.message)}</div>`;
      window.SMART_DASH.errors.push(`${meta.key}: ${err.message}`);
    }
  }
  function loadAll() { return Promise.all(panelsMeta.map(loadPanel)); }
  dash.querySelector("[data-refresh-now]").addEventListener("click", loadAll);

  /* ---------- controls ---------- */
  // The URL always names the whole view (range, every variable, refresh): defaults are written into it at once,
  // so the address bar is a complete shareable link (A §1.2: "All" is kept as var-<name>=__all).
  (function completeUrl() {
    const p = currentParams(); let changed = false;
    if (!p.has("from")) { p.set("from", dash.dataset.from); changed = true; }
    if (!p.has("to")) { p.set("to", dash.dataset.to); changed = true; }
    (dash.dataset.vars || "").split(",").filter(Boolean).forEach((name) => {
      if (!p.has(`var-${name}`)) { p.append(`var-${name}`, "__all"); changed = true; }
    });
    if (changed) history.replaceState(null, "", `${window.location.pathname}?${p.toString()}`);
  })();

  const refreshSel = dash.querySelector("[data-refresh-select]");
  refreshSel.addEventListener("change", () => {
    const p = currentParams(); if (refreshSel.value) p.set("refresh", refreshSel.value); else p.delete("refresh"); go(p);
  });
  const refreshS = parseInt(dash.dataset.refreshS || "0", 10);
  if (refreshS > 0) timers.push(setInterval(loadAll, refreshS * 1000));

  dash.querySelectorAll("[data-quick]").forEach((a) => a.addEventListener("click", (ev) => {
    ev.preventDefault(); setRange(a.dataset.quick, "now");
  }));
  const qf = dash.querySelector("[data-quick-filter]");
  qf.addEventListener("input", () => dash.querySelectorAll("[data-quick]").forEach((a) => {
    a.parentElement.hidden = !a.textContent.toLowerCase().includes(qf.value.toLowerCase());
  }));
  const absForm = dash.querySelector("[data-abs-range]");
  absForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const from = absForm.elements.from.value.trim(), to = absForm.elements.to.value.trim();
    if (from && to) setRange(from, to);
  });
  // Calendar pickers fill the text fields with a whole day (A §1.4: custom ranges in whole days).
  absForm.querySelectorAll("[data-cal]").forEach((cal) => cal.addEventListener("change", () => {
    if (!cal.value) return;
    absForm.elements[cal.dataset.cal].value = cal.dataset.cal === "to" ? `${cal.value}T23:59` : `${cal.value}T00:00`;
  }));
  function rememberRange(from, to) {
    if (from.startsWith("now") && to === "now") return;
    const list = JSON.parse(localStorage.getItem("smart.recentRanges") || "[]").filter((x) => x[0] !== from || x[1] !== to);
    list.unshift([from, to]); localStorage.setItem("smart.recentRanges", JSON.stringify(list.slice(0, 5)));
  }
  const recent = dash.querySelector("[data-recent-ranges]");
  JSON.parse(localStorage.getItem("smart.recentRanges") || "[]").forEach(([f, to]) => {
    const a = document.createElement("a"); a.href = "#"; a.textContent = `${f} — ${to}`; a.dataset.recent = "";
    a.addEventListener("click", (ev) => { ev.preventDefault(); setRange(f, to); });
    recent.append(a);
  });

  // Variables: multi-select with "All" (the default); the choice applies when the picker closes or on Apply.
  dash.querySelectorAll("[data-var]").forEach((box) => {
    const name = `var-${box.dataset.var}`;
    const details = box.querySelector("details");
    const all = box.querySelector("[data-var-all]");
    const opts = [...box.querySelectorAll(`input[name="${name}"]`)];
    const chosen = () => opts.filter((o) => o.checked).map((o) => o.value);
    const initial = JSON.stringify(chosen());
    all.addEventListener("change", () => { if (all.checked) opts.forEach((o) => { o.checked = false; }); else if (!chosen().length) all.checked = true; });
    opts.forEach((o) => o.addEventListener("change", () => { all.checked = !chosen().length; }));
    const filter = box.querySelector("[data-var-filter]");
    filter.addEventListener("input", () => opts.forEach((o) => {
      o.parentElement.hidden = !o.parentElement.textContent.toLowerCase().includes(filter.value.toLowerCase());
    }));
    function apply() {
      if (JSON.stringify(chosen()) === initial) return;
      const p = currentParams(); p.delete(name);
      const values = chosen();
      if (values.length) values.forEach((v) => p.append(name, v)); else p.append(name, "__all");
      go(p);
    }
    box.querySelector("[data-var-apply]").addEventListener("click", () => { details.open = false; apply(); });
    details.addEventListener("toggle", () => { if (!details.open) apply(); });
  });
  // Free-text variables (a search box): the text applies on Enter or when the box loses focus; empty is "All".
  dash.querySelectorAll("[data-var-text]").forEach((input) => {
    const name = `var-${input.dataset.varText}`;
    const initial = input.value.trim();
    function apply() {
      const value = input.value.trim();
      if (value === initial) return;
      const p = currentParams(); p.delete(name); p.append(name, value || "__all"); go(p);
    }
    input.addEventListener("change", apply);
    input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); apply(); } });
  });
  // Only one drop-down open at a time; a click elsewhere closes them.
  document.addEventListener("click", (ev) => {
    dash.querySelectorAll("details[open]").forEach((d) => { if (!d.contains(ev.target)) d.open = false; });
  });

  dash.querySelector("[data-share]").addEventListener("click", async (ev) => {
    const btn = ev.currentTarget;
    try { await navigator.clipboard.writeText(window.location.href); btn.textContent = t("Link copied"); }
    catch (e) { window.prompt(t("Link to this view"), window.location.href); }
  });

  // The collapse chevron (A §1.1) folds the variables row away; remembered across dashboards.
  const collapse = dash.querySelector("[data-collapse-top]");
  function setCollapsed(on) {
    document.body.classList.toggle("top-collapsed", on); collapse.setAttribute("aria-expanded", String(!on));
    localStorage.setItem("smart.topCollapsed", on ? "1" : "");
  }
  setCollapsed(localStorage.getItem("smart.topCollapsed") === "1");
  collapse.addEventListener("click", () => setCollapsed(!document.body.classList.contains("top-collapsed")));

  // Display modes: full → title only (tv) → panels only (full kiosk); Esc returns to full, then leaves the
  // single-panel view.
  const modes = ["", "tv", "full"];
  dash.querySelector("[data-kiosk]").addEventListener("click", () => {
    const p = currentParams(); const i = Math.max(0, modes.indexOf(p.get("kiosk") || ""));
    const next = modes[(i + 1) % modes.length]; if (next) p.set("kiosk", next); else p.delete("kiosk"); go(p);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    const open = dash.querySelector("details[open]");
    if (open) { open.open = false; return; }
    const p = currentParams();
    if (p.has("kiosk")) { p.delete("kiosk"); go(p); } else if (p.has("viewPanel")) { p.delete("viewPanel"); go(p); }
  });

  // The first load draws what the user sees first (those answers were asked for from the page head), then asks
  // for the panels further down: on a long dashboard the server and the browser work for the visible panels first.
  async function firstLoad() {
    const seen = (m) => {
      const r = dash.querySelector(`[data-panel="${m.key}"]`).getBoundingClientRect();
      return r.top < window.innerHeight && r.bottom > 0;
    };
    const first = panelsMeta.filter((m) => seen(m) || (window.SMART_PREFETCH && window.SMART_PREFETCH[m.key]));
    window.SMART_DASH.inView = first.length;
    await Promise.all(first.map(loadPanel));
    window.SMART_DASH.usableAt = performance.now();
    await Promise.all(panelsMeta.filter((m) => !first.includes(m)).map(loadPanel));
  }
  firstLoad();
})();
