// profiled console: lookup with explanations, search with facets, statistics and
// freshness. Plain DOM and SVG, no library, nothing loaded from elsewhere. Every API call
// carries the key typed into the page; the key is kept in sessionStorage only when the
// user ticks "keep for this tab", and never anywhere else.
"use strict";

const KEY_SLOT = "profiled-console-key";
const SVG_NS = "http://www.w3.org/2000/svg";
const FACETS = ["country", "city", "industry", "size"];
const FILTERS = ["country", "city", "industry", "company", "title", "skills", "size"];

const $ = (selector, root = document) => root.querySelector(selector);

/** Creates an element (HTML or SVG) with attributes and children; text is never parsed. */
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:")
    ? document.createElementNS(SVG_NS, tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const percent = (x) => `${Math.round(x * 1000) / 10}%`;
const signed = (x) => (x > 0 ? `+${x.toFixed(2)}` : x.toFixed(2));
const number = (n) => Number(n).toLocaleString("en-US");

// ---- the key and the API ------------------------------------------------------------

const keyInput = $("#api-key");
const remember = $("#remember-key");

function loadKey() {
  const kept = sessionStorage.getItem(KEY_SLOT);
  if (kept) {
    keyInput.value = kept;
    remember.checked = true;
  }
}

function keepKey() {
  if (remember.checked && keyInput.value) sessionStorage.setItem(KEY_SLOT, keyInput.value);
  else sessionStorage.removeItem(KEY_SLOT);
}

class ApiFailure extends Error {}

/** Calls the daemon this page came from, with the key from the field. */
async function api(method, path, body) {
  const headers = { accept: "application/json" };
  const key = keyInput.value.trim();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiFailure("The daemon cannot be reached.");
  }
  const payload = await response.json().catch(() => null);
  if (response.ok) return payload;
  if (response.status === 401) {
    throw new ApiFailure("This daemon needs an API key: enter one above.");
  }
  if (response.status === 403) {
    throw new ApiFailure(`This key may not do that: ${payload?.detail ?? "forbidden"}.`);
  }
  throw new ApiFailure(payload?.detail ?? payload?.title ?? `The daemon answered ${response.status}.`);
}

function notice(message) {
  const box = $("#notice");
  box.textContent = message ?? "";
  box.hidden = !message;
}

/** Runs an action, showing its failure in the notice bar. */
async function guarded(action) {
  notice(null);
  document.body.dataset.busy = "true";
  try {
    await action();
  } catch (err) {
    notice(err instanceof ApiFailure ? err.message : `Something went wrong: ${err.message}`);
  } finally {
    delete document.body.dataset.busy;
  }
}

// ---- tabs ---------------------------------------------------------------------------

const loaders = { stats: () => guarded(loadStats), privacy: () => guarded(loadRequests) };

function showTab(name) {
  if (!["lookup", "search", "stats", "privacy"].includes(name)) name = "lookup";
  for (const button of document.querySelectorAll("#tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const panel of document.querySelectorAll("main > section")) {
    panel.hidden = panel.id !== name;
  }
  notice(null);
  loaders[name]?.();
}

// ---- charts -------------------------------------------------------------------------

/** Sizes an SVG in CSS pixels, so its text keeps the page's size however wide it is. */
function frame(svg, width, height) {
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
}

/**
 * Horizontal bars around a zero line: one row per label, one bar per series.
 * rows: [{label, values: [number|null per series]}]; series: [{name, className}].
 */
function divergingBars(svg, rows, series) {
  svg.replaceChildren();
  const width = 760;
  const labelWidth = 110;
  const valueWidth = 56;
  const barHeight = 14;
  const rowHeight = barHeight * series.length + 10;
  const legend = series.length > 1 ? 22 : 0;
  const height = legend + rows.length * rowHeight + 20;
  frame(svg, width, height);
  const values = rows.flatMap((r) => r.values).filter((v) => v !== null && v !== undefined);
  const extent = Math.max(1, ...values.map((v) => Math.abs(v)));
  const plot = width - labelWidth - valueWidth * 2;
  const zero = labelWidth + valueWidth + plot / 2;
  const scale = plot / 2 / extent;
  if (legend) {
    let x = labelWidth;
    for (const s of series) {
      svg.append(el("svg:rect", { x, y: 4, width: 12, height: 12, class: s.className }));
      svg.append(el("svg:text", { x: x + 16, y: 14 }, s.name));
      x += 24 + s.name.length * 7;
    }
  }
  rows.forEach((row, i) => {
    const top = legend + i * rowHeight + 5;
    svg.append(
      el("svg:text", { x: labelWidth - 8, y: top + rowHeight / 2, "text-anchor": "end", "dominant-baseline": "middle" }, row.label),
    );
    row.values.forEach((value, j) => {
      if (value === null || value === undefined) return;
      const y = top + j * barHeight;
      const length = Math.max(1, Math.abs(value) * scale);
      const x = value >= 0 ? zero : zero - length;
      const negative = value < 0 ? " negative" : "";
      svg.append(
        el("svg:rect", {
          x, y, width: length, height: barHeight - 3,
          class: series[j].className + negative,
          "data-field": row.label, "data-series": series[j].name, "data-value": value,
        }, el("svg:title", {}, `${series[j].name} · ${row.label}: ${signed(value)} log-odds`)),
      );
      const tx = value >= 0 ? zero + length + 4 : zero - length - 4;
      svg.append(
        el("svg:text", { x: tx, y: y + barHeight / 2, "text-anchor": value >= 0 ? "start" : "end", "dominant-baseline": "middle", class: "muted" }, signed(value)),
      );
    });
  });
  svg.append(el("svg:line", { x1: zero, x2: zero, y1: legend, y2: height - 14, class: "axis" }));
  svg.append(el("svg:text", { x: zero, y: height - 2, "text-anchor": "middle", class: "muted" }, "0"));
}

/** Horizontal bars of counts, largest first as given. */
function countBars(svg, entries, { max = 12 } = {}) {
  svg.replaceChildren();
  const shown = entries.slice(0, max);
  const width = 380;
  const labelWidth = 132;
  const rowHeight = 20;
  const height = Math.max(1, shown.length) * rowHeight + 6;
  frame(svg, width, height);
  const top = Math.max(1, ...shown.map(([, n]) => n));
  const plot = width - labelWidth - 56;
  shown.forEach(([label, count], i) => {
    const y = i * rowHeight + 3;
    const text = label.length > 20 ? `${label.slice(0, 19)}…` : label;
    svg.append(el("svg:text", { x: labelWidth - 6, y: y + 8, "text-anchor": "end", "dominant-baseline": "middle" }, el("svg:title", {}, label), text));
    const length = Math.max(1, (count / top) * plot);
    svg.append(el("svg:rect", { x: labelWidth, y, width: length, height: rowHeight - 6, class: "bar", "data-label": label, "data-count": count }));
    svg.append(el("svg:text", { x: labelWidth + length + 4, y: y + 8, "dominant-baseline": "middle", class: "muted" }, number(count)));
  });
  if (!shown.length) svg.append(el("svg:text", { x: 4, y: 14, class: "muted" }, "no profiles"));
}

/** Vertical bars of profiles by age of their last sighting, with the retention window. */
function freshnessBars(svg, freshness) {
  svg.replaceChildren();
  const buckets = [...freshness.by_age, { from_days: freshness.retention_days, to_days: null, profiles: freshness.overdue, overdue: true }];
  const width = 1180;
  const height = 250;
  const left = 56;
  const bottom = 40;
  const plotHeight = height - bottom - 44;
  frame(svg, width, height);
  const top = Math.max(1, ...buckets.map((b) => b.profiles));
  const slot = (width - left - 10) / buckets.length;
  const soonFrom = freshness.retention_days - 90;
  svg.append(el("svg:line", { x1: left, x2: width - 6, y1: height - bottom, y2: height - bottom, class: "axis" }));
  for (const fraction of [0.5, 1]) {
    const y = height - bottom - fraction * plotHeight;
    svg.append(el("svg:text", { x: left - 6, y, "text-anchor": "end", "dominant-baseline": "middle", class: "muted" }, number(Math.round(top * fraction))));
  }
  buckets.forEach((bucket, i) => {
    const barHeight = (bucket.profiles / top) * plotHeight;
    const x = left + i * slot + 3;
    const kind = bucket.overdue ? "bar-overdue" : bucket.to_days > soonFrom ? "bar-soon" : "bar";
    svg.append(
      el("svg:rect", {
        x, y: height - bottom - barHeight, width: Math.max(1, slot - 6), height: Math.max(0, barHeight),
        class: kind, "data-from-days": bucket.from_days, "data-profiles": bucket.profiles,
      }, el("svg:title", {}, bucket.overdue
        ? `${number(bucket.profiles)} overdue (older than ${bucket.from_days} days)`
        : `${number(bucket.profiles)} last seen ${bucket.from_days}–${bucket.to_days} days ago`)),
    );
    if (bucket.profiles > 0) {
      svg.append(el("svg:text", { x: x + (slot - 6) / 2, y: height - bottom - barHeight - 4, "text-anchor": "middle", class: "muted" }, number(bucket.profiles)));
    }
    const label = bucket.overdue ? "overdue" : `${bucket.from_days}–${bucket.to_days}`;
    svg.append(el("svg:text", { x: x + (slot - 6) / 2, y: height - bottom + 14, "text-anchor": "middle" }, label));
  });
  const windowX = left + freshness.by_age.length * slot;
  svg.append(el("svg:line", { x1: windowX, x2: windowX, y1: 22, y2: height - bottom, class: "window-line" }));
  svg.append(el("svg:text", { x: windowX, y: 14, "text-anchor": "middle", class: "muted" }, `retention window: ${freshness.retention_days} days`));
  let x = left;
  for (const [className, text] of [["bar", "kept for more than 90 days"], ["bar-soon", "some or all expire within 90 days"], ["bar-overdue", "overdue"]]) {
    svg.append(el("svg:rect", { x, y: 5, width: 11, height: 11, class: className }));
    svg.append(el("svg:text", { x: x + 15, y: 14 }, text));
    x += 36 + text.length * 6;
  }
  svg.append(el("svg:text", { x: left + (width - left) / 2, y: height - 6, "text-anchor": "middle", class: "muted" }, "days since last seen"));
}

// ---- lookup -------------------------------------------------------------------------

function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    if (text) values[name] = text;
  }
  return values;
}

function profileRows(profile) {
  const company = profile.company;
  const location = profile.location;
  const rows = [
    ["Name", profile.full_name],
    ["Title", profile.job_title],
    ["Company", company && [company.name, company.domain && `(${company.domain})`].filter(Boolean).join(" ")],
    ["Industry", company && [company.industry, company.size && `${company.size} employees`].filter(Boolean).join(", ")],
    ["Location", location && [location.city, location.postcode, location.country].filter(Boolean).join(", ")],
    ["Email", profile.email && `${profile.email.suggested} (${percent(profile.email.confidence)} · ${profile.email.pattern})`],
    ["Phone", profile.phone],
    ["Skills", profile.skills?.join(", ")],
    ["Last seen", profile.sources?.map((s) => `${s.name} ${s.last_seen.slice(0, 10)}`).join(", ")],
    ["Id", profile.id],
  ];
  return rows.filter(([, value]) => value);
}

function explainText(contributions) {
  return (contributions ?? []).map((c) => `${c.field} ${signed(c.log_odds)}`).join(", ");
}

function renderLookup(result) {
  $("#lookup-result").hidden = false;
  const status = $("#lookup-status");
  status.textContent = result.status;
  status.className = `status ${result.status}`;
  $("#lookup-result").dataset.status = result.status;
  $("#lookup-confidence").textContent = result.profile
    ? `confidence ${percent(result.confidence)} · matched on ${result.matched_on.join(", ") || "—"}`
    : "nothing found";
  const profile = $("#lookup-profile");
  profile.replaceChildren(...(result.profile ? profileRows(result.profile) : [["", "No profile is a likely enough answer."]])
    .flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));

  // The answer against the runner-up, field by field.
  const runnerUp = result.candidates.find((c) => c.explain);
  const series = [];
  const columns = [];
  if (result.explain) {
    series.push({ name: result.profile?.full_name ? `answer: ${result.profile.full_name}` : "answer", className: "bar-pos" });
    columns.push(result.explain);
  }
  if (runnerUp) {
    series.push({ name: `runner-up: ${runnerUp.full_name}${runnerUp.company ? ` (${runnerUp.company})` : ""}`, className: "bar" });
    columns.push(runnerUp.explain);
  }
  const fields = [...new Set(columns.flat().map((c) => c.field))];
  const rows = fields.map((field) => ({
    label: field,
    values: columns.map((column) => column.find((c) => c.field === field)?.log_odds ?? null),
  }));
  const chart = $("#explain-chart");
  chart.closest("figure").hidden = rows.length === 0;
  if (rows.length) divergingBars(chart, rows, series);

  const body = $("#lookup-candidates tbody");
  const lines = [];
  if (result.profile) {
    lines.push(el("tr", { class: "best" },
      el("td", {}, "answer"), el("td", {}, result.profile.full_name), el("td", {}, result.profile.company?.name ?? ""),
      el("td", { class: "num" }, percent(result.confidence)), el("td", { class: "explain-cell" }, explainText(result.explain))));
  }
  for (const candidate of result.candidates) {
    lines.push(el("tr", { "data-id": candidate.id },
      el("td", {}, ""), el("td", {}, candidate.full_name), el("td", {}, candidate.company ?? ""),
      el("td", { class: "num" }, percent(candidate.confidence)), el("td", { class: "explain-cell" }, explainText(candidate.explain))));
  }
  if (!lines.length) lines.push(el("tr", {}, el("td", { colspan: 5 }, "no candidates")));
  body.replaceChildren(...lines);
}

async function runLookup(form) {
  const request = formValues(form);
  request.explain = true;
  request.candidates = 5;
  renderLookup(await api("POST", "/v1/lookup", request));
}

// ---- search -------------------------------------------------------------------------

const paging = { request: null, cursors: [null], page: 0 };

function searchRequest(form) {
  const values = formValues(form);
  const filters = {};
  for (const name of FILTERS) {
    if (!values[name]) continue;
    const list = values[name].split(",").map((v) => v.trim()).filter(Boolean);
    filters[name] = list.length === 1 ? list[0] : list;
  }
  const request = { facets: FACETS, limit: Number(values.limit ?? 20) };
  if (values.query) request.query = values.query;
  if (Object.keys(filters).length) request.filters = filters;
  return request;
}

function filterValues(form, name) {
  return form.elements[name].value.split(",").map((v) => v.trim()).filter(Boolean);
}

function renderSearch(response) {
  const form = $("#search-form");
  $("#search-result").hidden = false;
  $("#search-total").textContent = `${number(response.total)} profiles`;
  const pages = Math.max(1, Math.ceil(response.total / paging.request.limit));
  $("#search-page").textContent = `· page ${paging.page + 1} of ${number(pages)}`;
  $("#search-result").dataset.page = String(paging.page + 1);

  const body = $("#search-hits tbody");
  body.replaceChildren(...response.hits.map((p) => el("tr", { "data-id": p.id },
    el("td", {}, p.full_name), el("td", {}, p.job_title ?? ""), el("td", {}, p.company?.name ?? ""),
    el("td", {}, [p.location?.city, p.location?.country].filter(Boolean).join(", ")),
    el("td", {}, p.company?.industry ?? ""), el("td", {}, p.company?.size ?? ""))));
  if (!response.hits.length) body.append(el("tr", {}, el("td", { colspan: 6 }, "no profiles match")));

  const facets = $("#facets");
  facets.replaceChildren();
  for (const name of FACETS) {
    const counts = Object.entries(response.facets?.[name] ?? {});
    if (!counts.length) continue;
    const active = filterValues(form, name).map((v) => v.toLowerCase());
    facets.append(el("h4", {}, name), el("ul", {}, counts.map(([value, count]) => el("li", {},
      el("button", { type: "button", "data-facet": name, "data-value": value, "aria-pressed": String(active.includes(value.toLowerCase())) },
        el("span", {}, value), el("span", { class: "count" }, number(count)))))));
  }
  $("#page-prev").disabled = paging.page === 0;
  $("#page-next").disabled = !response.next_cursor;
  paging.next = response.next_cursor ?? null;
}

async function searchPage() {
  const request = { ...paging.request };
  const cursor = paging.cursors[paging.page];
  if (cursor) request.cursor = cursor;
  renderSearch(await api("POST", "/v1/search", request));
}

async function newSearch() {
  paging.request = searchRequest($("#search-form"));
  paging.cursors = [null];
  paging.page = 0;
  await searchPage();
}

/** A facet value toggles in its filter; the search restarts at page one. */
async function toggleFacet(name, value) {
  const input = $("#search-form").elements[name];
  const values = filterValues($("#search-form"), name);
  const at = values.findIndex((v) => v.toLowerCase() === value.toLowerCase());
  if (at >= 0) values.splice(at, 1);
  else values.push(value);
  input.value = values.join(", ");
  await newSearch();
}

// ---- statistics ---------------------------------------------------------------------

function sizeOrder(band) {
  const first = parseInt(band, 10);
  return Number.isNaN(first) ? Infinity : first;
}

async function loadStats() {
  const stats = await api("GET", "/v1/stats");
  $("#stats-result").hidden = false;
  $("#stats-totals").textContent = `${number(stats.profiles)} profiles at ${number(stats.companies)} companies`;
  countBars($("#country-chart"), Object.entries(stats.by_country));
  countBars($("#industry-chart"), Object.entries(stats.by_industry));
  countBars($("#size-chart"), Object.entries(stats.by_size).sort(([a], [b]) => sizeOrder(a) - sizeOrder(b)));
  const freshness = stats.freshness;
  $("#retention-days").textContent = number(freshness.retention_days);
  freshnessBars($("#freshness-chart"), freshness);
  const expiring = $("#expiring");
  expiring.replaceChildren(
    "Unless a source shows them again, ",
    el("strong", { id: "expiring-30" }, number(freshness.expiring_30_days)), " profiles expire within 30 days and ",
    el("strong", { id: "expiring-90" }, number(freshness.expiring_90_days)), " within 90 days",
    freshness.overdue ? [" (", el("strong", { class: "overdue" }, number(freshness.overdue)), " are overdue and go at the next sweep)"] : "",
    ".",
  );
}

// ---- privacy desk -------------------------------------------------------------------

/** The subject the desk's form names, as the privacy API takes it. */
function subject() {
  const values = formValues($("#subject-form"));
  if (!values.value) throw new ApiFailure("Enter an identifier for the subject.");
  const named = values.by === "name" ? { name: values.value, company: values.company ?? "" } : { [values.by]: values.value };
  return { ...named, jurisdiction: values.jurisdiction, ...(values.request_id ? { request_id: values.request_id } : {}) };
}

function renderReceipt(receipt, letter) {
  $("#desk-result").hidden = false;
  $("#desk-result").dataset.outcome = receipt.outcome;
  const outcome = $("#desk-outcome");
  outcome.textContent = receipt.outcome.replace("_", " ");
  outcome.className = `status ${receipt.outcome}`;
  $("#desk-receipt").textContent = `request ${receipt.request_id} · received ${receipt.received.slice(0, 10)} · due ${receipt.due.slice(0, 10)}`;
  const candidates = receipt.candidates ?? [];
  $("#desk-candidates").hidden = candidates.length === 0;
  $("#desk-candidates tbody").replaceChildren(...candidates.map((c) =>
    el("tr", { "data-id": c.id }, el("td", {}, c.id), el("td", {}, c.full_name), el("td", {}, c.company ?? ""),
      el("td", {}, el("button", { type: "button", "data-choose": c.id }, "choose")))));
  const pre = $("#desk-letter");
  pre.hidden = !letter;
  pre.textContent = letter ?? "";
}

async function deskAction(path, body) {
  renderReceipt(await api("POST", path, body));
  await loadRequests();
}

async function deskAccess() {
  // The export carries its own rendering: the letter a privacy officer sends.
  const export_ = await api("POST", "/v1/privacy/access", subject());
  renderReceipt(export_.receipt, export_.text);
  await loadRequests();
}

async function loadRequests() {
  const { requests } = await api("GET", "/v1/privacy/requests?status=open");
  const rows = requests.map((r) =>
    el("tr", { "data-request": r.request_id, class: r.overdue ? "overdue" : undefined },
      el("td", {}, r.request_id), el("td", {}, r.kind), el("td", {}, r.jurisdiction.toUpperCase()),
      el("td", {}, r.received.slice(0, 10)), el("td", {}, r.due.slice(0, 10)),
      el("td", {}, r.overdue ? "overdue" : "")));
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 6 }, "no open requests")));
  $("#desk-requests tbody").replaceChildren(...rows);
}

// ---- wiring -------------------------------------------------------------------------

function start() {
  loadKey();
  keyInput.addEventListener("change", keepKey);
  remember.addEventListener("change", keepKey);
  $("#key-form").addEventListener("submit", (event) => event.preventDefault());
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => {
      history.replaceState(null, "", `#${button.dataset.tab}`);
      showTab(button.dataset.tab);
    });
  }
  $("#lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(() => runLookup(event.target));
  });
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(newSearch);
  });
  $("#facets").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-facet]");
    if (button) guarded(() => toggleFacet(button.dataset.facet, button.dataset.value));
  });
  $("#page-next").addEventListener("click", () => guarded(async () => {
    if (!paging.next) return;
    paging.cursors[paging.page + 1] = paging.next;
    paging.page += 1;
    await searchPage();
  }));
  $("#page-prev").addEventListener("click", () => guarded(async () => {
    if (paging.page === 0) return;
    paging.page -= 1;
    await searchPage();
  }));
  $("#stats-refresh").addEventListener("click", () => guarded(loadStats));
  $("#desk-access").addEventListener("click", () => guarded(deskAccess));
  $("#desk-restrict").addEventListener("click", () => guarded(() => deskAction("/v1/privacy/restrict", { subject: subject(), restricted: true })));
  $("#desk-unrestrict").addEventListener("click", () => guarded(() => deskAction("/v1/privacy/restrict", { subject: subject(), restricted: false })));
  $("#desk-erase").addEventListener("click", () => guarded(async () => {
    const request = subject();
    // Erasure cannot be undone: ask first.
    if (!window.confirm("Erase this person? The profile is deleted and they are never collected again. This cannot be undone.")) return;
    await deskAction("/v1/privacy/erase", request);
  }));
  $("#desk-open").addEventListener("click", () => guarded(async () => {
    const { request_id: _, jurisdiction, ...named } = subject();
    await deskAction("/v1/privacy/requests", { kind: $("#desk-kind").value, subject: { ...named, jurisdiction } });
  }));
  $("#desk-candidates").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-choose]");
    if (!button) return;
    const form = $("#subject-form");
    form.elements.by.value = "id";
    form.elements.value.value = button.dataset.choose;
  });
  $("#desk-requests").addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-request]");
    if (row) $("#subject-form").elements.request_id.value = row.dataset.request;
  });
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1));
}

start();
