// The extension and the console in headless Chromium, against a real daemon on the
// sample data. Run by scripts/browser-test, which starts the daemon and passes:
//   PROFILED_URL        the daemon, e.g. http://127.0.0.1:41234
//   EXTENSION_KEY       an API key with scope lookup (what the extension is given)
//   CONSOLE_KEY         an API key with scopes lookup + search + privacy (what the console is given)
//   EXTENSION_ID        the id the manifest's key yields
//   FIXTURE_PORT        where to serve the fixture pages; the daemon allows the origin
//                       http://localhost:FIXTURE_PORT (CORS), not http://127.0.0.1:…
//   SCREENSHOTS         folder for the screenshots
//   CHROMIUM            the browser (default /usr/bin/chromium)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = dirname(fileURLToPath(import.meta.url));
const extensionDir = resolve(here, "../extension");
const fixturesDir = join(extensionDir, "test/fixtures");
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/browser-test`);
  return value;
};
const daemon = env("PROFILED_URL");
const extensionKey = env("EXTENSION_KEY");
const consoleKey = env("CONSOLE_KEY");
const extensionId = env("EXTENSION_ID");
const screenshots = env("SCREENSHOTS");
const fixturePort = Number(env("FIXTURE_PORT"));
const WAIT = { timeout: 15_000 };

let browser;
let fixtures;
let fixtureServer;
let worker;
let page;
let profileDir;

/** What the daemon itself answers, to compare the extension's card with. */
async function daemonLookup(request, key = extensionKey) {
  const response = await fetch(`${daemon}/v1/lookup`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(request),
  });
  assert.equal(response.status, 200);
  return response.json();
}

async function onlyTabId() {
  const ids = await worker.evaluate(async () =>
    (await chrome.tabs.query({})).filter((t) => !t.url?.startsWith("chrome-extension:")).map((t) => t.id),
  );
  assert.equal(ids.length, 1, "one page tab");
  return ids[0];
}

async function badge(tabId) {
  return worker.evaluate(
    async (id) => ({ text: await chrome.action.getBadgeText({ tabId: id }), title: await chrome.action.getTitle({ tabId: id }) }),
    tabId,
  );
}

async function card() {
  await page.waitForSelector("#profiled-card[data-status]", WAIT);
  return page.evaluate(() => {
    const cards = document.querySelectorAll("#profiled-card");
    const node = cards[0];
    return {
      count: cards.length,
      status: node.dataset.status,
      profileId: node.getAttribute("data-profile-id"),
      text: node.innerText,
    };
  });
}

/** Opens the popup for the page's tab and reads what it shows. */
async function popup(tabId) {
  const view = await browser.newPage();
  try {
    await view.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
    await view.waitForSelector('#profiled-popup:not([data-status="loading"])', WAIT);
    return await view.evaluate(() => {
      const node = document.getElementById("profiled-popup");
      return { status: node.dataset.status, profileId: node.getAttribute("data-profile-id"), text: node.innerText };
    });
  } finally {
    await view.close();
  }
}

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  fixtureServer = createServer((request, response) => {
    const name = new URL(request.url, "http://fixture").pathname.slice(1);
    if (!/^[a-z-]+\.html$/.test(name)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(fixturesDir, name));
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((ready) => fixtureServer.listen(fixturePort, "127.0.0.1", ready));
  fixtures = `http://127.0.0.1:${fixturePort}`;

  profileDir = mkdtempSync(join(tmpdir(), "profiled-chromium-"));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true, // --headless=new: the old headless mode (and headless-shell) ignores extensions
    userDataDir: profileDir,
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
    ],
    defaultViewport: { width: 1280, height: 860 },
  });
  const target = await browser.waitForTarget(
    (t) => t.type() === "service_worker" && t.url().endsWith("/service-worker.js"),
    WAIT,
  );
  worker = await target.worker();
  // The worker's target can appear before the extension APIs are bound into it.
  await worker.evaluate(async () => {
    while (!globalThis.chrome?.storage?.local) await new Promise((r) => setTimeout(r, 50));
  });
  [page] = await browser.pages();
});

after(async () => {
  await browser?.close();
  fixtureServer?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

describe("extension", () => {
  it("has the id its manifest key gives", async () => {
    const origin = await worker.evaluate(() => location.origin);
    assert.equal(origin, `chrome-extension://${extensionId}`);
  });

  it("options page keeps the daemon URL and key, and checks them", async () => {
    const options = await browser.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    await options.waitForFunction(() => document.getElementById("daemon-url").value !== "", WAIT);
    assert.equal(await options.$eval("#daemon-url", (i) => i.value), "http://127.0.0.1:7878", "defaults to the daemon's own address");
    assert.match(await options.$eval("#serve-command", (n) => n.textContent), new RegExp(`--cors-origin chrome-extension://${extensionId}$`));
    await options.$eval("#daemon-url", (i) => { i.value = ""; });
    await options.type("#daemon-url", daemon);
    await options.type("#api-key", extensionKey);
    await options.click("#check");
    await options.waitForFunction(() => /accepts this key/.test(document.getElementById("result").textContent), WAIT);
    await options.close();
  });

  it("JSON-LD person in the sample: a match with the daemon's answer", async () => {
    await page.goto(`${fixtures}/jsonld-match.html`);
    const shown = await card();
    const expected = await daemonLookup({ name: "Jane Doe", company: "Acme B.V.", city: "Rotterdam", postcode: "3013 AK", country: "NL" });
    assert.equal(expected.status, "match");
    assert.equal(shown.count, 1);
    assert.equal(shown.status, "match");
    assert.equal(shown.profileId, expected.profile.id);
    assert.match(shown.text, /Head of Sales/);
    assert.match(shown.text, /jane\.doe@acme\.nl/);
    await page.screenshot({ path: join(screenshots, "extension-match.png") });
    await (await page.$("#profiled-card")).screenshot({ path: join(screenshots, "extension-card.png") });
    const tab = await onlyTabId();
    const shownBadge = await badge(tab);
    assert.equal(shownBadge.text, "✓");
    assert.match(shownBadge.title, /Jane Doe — Head of Sales at Acme B\.V\./);
    const inPopup = await popup(tab);
    assert.equal(inPopup.status, "match");
    assert.equal(inPopup.profileId, expected.profile.id);
    assert.match(inPopup.text, /Head of Sales/);
  });

  it("microdata person: a match", async () => {
    await page.goto(`${fixtures}/microdata-match.html`);
    const shown = await card();
    const expected = await daemonLookup({ name: "Jürgen Müller", company: "Müller Bau GmbH & Co. KG", city: "München", postcode: "80331", country: "DE" });
    assert.equal(shown.status, "match");
    assert.equal(shown.profileId, expected.profile.id);
    assert.match(shown.text, /Geschäftsführer/);
  });

  it("a name two people share: ambiguous, with the candidates", async () => {
    await page.goto(`${fixtures}/jsonld-ambiguous.html`);
    const shown = await card();
    const expected = await daemonLookup({ name: "Jane Doe" });
    assert.equal(expected.status, "ambiguous");
    assert.equal(shown.count, 1);
    assert.equal(shown.status, "ambiguous");
    assert.equal(shown.profileId, expected.profile.id);
    assert.match(shown.text, /Acme B\.V\./);
    assert.match(shown.text, /Globex/);
    const tab = await onlyTabId();
    assert.equal((await badge(tab)).text, "?");
    assert.equal((await popup(tab)).status, "ambiguous");
  });

  it("a person not in the data: nothing found", async () => {
    await page.goto(`${fixtures}/jsonld-absent.html`);
    const shown = await card();
    assert.equal(shown.count, 1);
    assert.equal(shown.status, "none");
    assert.equal(shown.profileId, null);
    assert.match(shown.text, /Nothing found for Zephyrine Quackenbush/);
    const tab = await onlyTabId();
    assert.equal((await badge(tab)).text, "–");
    assert.equal((await popup(tab)).status, "none");
  });

  it("no structured data: a selected name is looked up", async () => {
    await page.goto(`${fixtures}/selection.html`);
    assert.equal(await page.$("#profiled-card"), null, "nothing before a selection");
    await page.evaluate(() => {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById("person"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      document.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    });
    const shown = await card();
    const expected = await daemonLookup({ name: "Pieter de Vries", company: "Acme" });
    assert.equal(shown.status, "match");
    assert.equal(shown.profileId, expected.profile.id);
  });

  /** A lookup from the page's own script, with a key: the answer's status, or "blocked". */
  const lookupFromPage = () =>
    page.evaluate(async ([url, key]) => {
      try {
        const response = await fetch(`${url}/v1/lookup`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: '{"name":"Jane Doe","company":"Acme"}',
        });
        return (await response.json()).status;
      } catch {
        return "blocked";
      }
    }, [daemon, extensionKey]);

  it("a page whose origin the daemon does not allow cannot call it", async () => {
    assert.equal(await lookupFromPage(), "blocked");
  });

  it("a page whose origin the daemon allows can (CORS preflight with the key)", async () => {
    await page.goto(`http://localhost:${fixturePort}/selection.html`);
    assert.equal(await lookupFromPage(), "match");
  });

  it("stores nothing but its options", async () => {
    const kept = await worker.evaluate(async () => ({
      local: await chrome.storage.local.get(null),
      sync: await chrome.storage.sync.get(null),
      session: await chrome.storage.session.get(null),
      caches: await caches.keys(),
      databases: (await indexedDB.databases()).map((d) => d.name),
    }));
    assert.deepEqual(kept, {
      local: { daemonUrl: daemon, apiKey: extensionKey },
      sync: {},
      session: {},
      caches: [],
      databases: [],
    });
  });
});

describe("console", () => {
  let consolePage;

  before(async () => {
    consolePage = await browser.newPage();
  });

  after(async () => {
    await consolePage.close();
  });

  const ready = () => consolePage.waitForFunction(() => !document.body.dataset.busy, WAIT);

  it("is served without a key, and its API calls need one", async () => {
    const response = await consolePage.goto(`${daemon}/console#lookup`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()["content-security-policy"], /default-src 'none'/);
    await consolePage.type('#lookup-form [name="name"]', "Jane Doe");
    await consolePage.click('#lookup-form button[type="submit"]');
    await consolePage.waitForSelector("#notice:not([hidden])", WAIT);
    assert.match(await consolePage.$eval("#notice", (n) => n.textContent), /needs an API key/);
  });

  it("looks up with explanations: the answer, the runner-up and a chart of field contributions", async () => {
    await consolePage.type("#api-key", consoleKey);
    await consolePage.type('#lookup-form [name="city"]', "Rotterdam");
    await consolePage.click('#lookup-form button[type="submit"]');
    await consolePage.waitForSelector('#lookup-result[data-status="match"]', WAIT);
    await ready();
    const expected = await daemonLookup({ name: "Jane Doe", city: "Rotterdam", explain: true, candidates: 5 }, consoleKey);
    const shown = await consolePage.evaluate(() => ({
      notice: document.getElementById("notice").hidden,
      id: [...document.querySelectorAll("#lookup-profile dd")].at(-1).textContent,
      bars: [...document.querySelectorAll("#explain-chart rect[data-field]")].map((r) => ({
        field: r.dataset.field, series: r.dataset.series, value: Number(r.dataset.value),
      })),
      candidates: document.querySelectorAll("#lookup-candidates tbody tr").length,
    }));
    assert.equal(shown.notice, true, "no error left");
    assert.equal(shown.id, expected.profile.id);
    const answerBars = shown.bars.filter((b) => b.series.startsWith("answer"));
    assert.deepEqual(answerBars.map((b) => [b.field, b.value]), expected.explain.map((c) => [c.field, c.log_odds]));
    assert.deepEqual(answerBars.map((b) => b.field), ["name", "city"]);
    // The other Jane Doe lives in New York: the city speaks against her.
    const runnerUp = expected.candidates[0];
    assert.equal(runnerUp.company, "Globex Inc.");
    const runnerUpBars = shown.bars.filter((b) => b.series.startsWith("runner-up"));
    assert.deepEqual(runnerUpBars.map((b) => [b.field, b.value]), runnerUp.explain.map((c) => [c.field, c.log_odds]));
    assert.ok(runnerUpBars.find((b) => b.field === "city").value < 0, "the city counts against the runner-up");
    assert.equal(shown.candidates, 1 + expected.candidates.length);
    await consolePage.screenshot({ path: join(screenshots, "console-lookup.png") });
    assert.equal(await consolePage.evaluate(() => localStorage.length + sessionStorage.length), 0, "the key is not kept unless asked");
  });

  it("searches with facets, filters by a facet click and pages with the cursor", async () => {
    await consolePage.click('#tabs [data-tab="search"]');
    await consolePage.type('#search-form [name="query"]', "manager");
    await consolePage.click('#search-form button[type="submit"]');
    await consolePage.waitForSelector("#search-result:not([hidden]) #facets button", WAIT);
    await ready();
    const totalOf = () => consolePage.$eval("#search-total", (n) => Number(n.textContent.replace(/\D/g, "")));
    const before = await totalOf();
    assert.ok(before > 20, `enough managers to page through (${before})`);
    const facet = await consolePage.$eval('#facets button[data-facet="country"]', (b) => ({
      value: b.dataset.value, count: Number(b.querySelector(".count").textContent.replace(/\D/g, "")),
    }));
    await consolePage.click(`#facets button[data-facet="country"][data-value="${facet.value}"]`);
    await consolePage.waitForFunction((n) => Number(document.getElementById("search-total").textContent.replace(/\D/g, "")) === n, WAIT, facet.count);
    await ready();
    assert.equal(await consolePage.$eval('#search-form [name="country"]', (i) => i.value), facet.value);
    assert.equal(await consolePage.$eval(`#facets button[data-facet="country"][data-value="${facet.value}"]`, (b) => b.getAttribute("aria-pressed")), "true");
    const firstPage = await consolePage.$$eval("#search-hits tbody tr", (rows) => rows.map((r) => r.dataset.id));
    assert.equal(firstPage.length, 20);
    await consolePage.click("#page-next");
    await consolePage.waitForSelector('#search-result[data-page="2"]', WAIT);
    await ready();
    const secondPage = await consolePage.$$eval("#search-hits tbody tr", (rows) => rows.map((r) => r.dataset.id));
    assert.ok(secondPage.length > 0);
    assert.equal(secondPage.filter((id) => firstPage.includes(id)).length, 0, "page two follows page one");
    await consolePage.screenshot({ path: join(screenshots, "console-search.png"), fullPage: true });
    await consolePage.click("#page-prev");
    await consolePage.waitForSelector('#search-result[data-page="1"]', WAIT);
    await ready();
    assert.deepEqual(await consolePage.$$eval("#search-hits tbody tr", (rows) => rows.map((r) => r.dataset.id)), firstPage);
  });

  it("shows statistics and freshness against the retention window", async () => {
    await consolePage.click('#tabs [data-tab="stats"]');
    await consolePage.waitForSelector("#freshness-chart rect[data-profiles]", WAIT);
    await ready();
    const response = await fetch(`${daemon}/v1/stats`, { headers: { authorization: `Bearer ${consoleKey}` } });
    const stats = await response.json();
    const shown = await consolePage.evaluate(() => ({
      buckets: [...document.querySelectorAll("#freshness-chart rect[data-profiles]")].map((r) => Number(r.dataset.profiles)),
      soon: Number(document.getElementById("expiring-30").textContent.replace(/\D/g, "")),
      later: Number(document.getElementById("expiring-90").textContent.replace(/\D/g, "")),
      countries: document.querySelectorAll("#country-chart rect").length,
      industries: document.querySelectorAll("#industry-chart rect").length,
      sizes: document.querySelectorAll("#size-chart rect").length,
    }));
    assert.deepEqual(shown.buckets, [...stats.freshness.by_age.map((b) => b.profiles), stats.freshness.overdue]);
    assert.equal(shown.soon, stats.freshness.expiring_30_days);
    assert.equal(shown.later, stats.freshness.expiring_90_days);
    assert.ok(stats.freshness.expiring_30_days > 0, "the test window makes some expire soon");
    assert.equal(shown.buckets.reduce((a, b) => a + b, 0), stats.profiles);
    assert.equal(shown.countries, Math.min(12, Object.keys(stats.by_country).length));
    assert.ok(shown.industries > 0 && shown.sizes > 0);
    await consolePage.screenshot({ path: join(screenshots, "console-stats.png"), fullPage: true });
  });

  it("runs a restriction round trip and an open request from the privacy desk", async () => {
    const asked = { name: "Jane Doe", city: "Rotterdam", candidates: 5 };
    const before = await daemonLookup(asked, consoleKey);
    assert.equal(before.status, "match");
    const id = before.profile.id;
    const shows = (answer) => answer.profile?.id === id || answer.candidates.some((c) => c.id === id);
    await consolePage.click('#tabs [data-tab="privacy"]');
    await ready();
    await consolePage.select('#subject-form [name="by"]', "id");
    await consolePage.type('#subject-form [name="value"]', id);

    // A request opened before the identity is verified, listed with its due date, then carried out.
    await consolePage.select("#desk-kind", "access");
    await consolePage.click("#desk-open");
    await consolePage.waitForSelector('#desk-result[data-outcome="open"]', WAIT);
    await consolePage.waitForSelector("#desk-requests tr[data-request]", WAIT);
    await ready();
    const opened = await consolePage.$eval("#desk-requests tr[data-request]", (r) => r.dataset.request);
    await consolePage.click(`#desk-requests tr[data-request="${opened}"]`);
    await consolePage.click("#desk-access");
    await consolePage.waitForSelector('#desk-result[data-outcome="disclosed"] #desk-letter:not([hidden])', WAIT);
    await ready();
    assert.match(await consolePage.$eval("#desk-letter", (p) => p.textContent), /Jane Doe[\s\S]*YOUR RIGHTS/);
    assert.equal(await consolePage.$(`#desk-requests tr[data-request="${opened}"]`), null, "carried out: no longer open");
    await consolePage.$eval('#subject-form [name="request_id"]', (i) => { i.value = ""; });

    // Restrict: gone from lookups; the dismissed erase confirmation changes nothing.
    await consolePage.click("#desk-restrict");
    await consolePage.waitForSelector('#desk-result[data-outcome="restricted"]', WAIT);
    await ready();
    assert.ok(!shows(await daemonLookup(asked, consoleKey)), "a restricted person is not shown");
    assert.ok(!shows(await daemonLookup(asked)), "not to the extension either");
    await consolePage.screenshot({ path: join(screenshots, "console-privacy.png"), fullPage: true });
    const dialog = new Promise((resolve) => consolePage.once("dialog", async (d) => { await d.dismiss(); resolve(d.message()); }));
    await consolePage.click("#desk-erase");
    assert.match(await dialog, /cannot be undone/);
    await ready();
    assert.equal(await consolePage.$eval("#desk-result", (r) => r.dataset.outcome), "restricted", "nothing was erased");

    // Lift it: shown again.
    await consolePage.click("#desk-unrestrict");
    await consolePage.waitForSelector('#desk-result[data-outcome="unrestricted"]', WAIT);
    await ready();
    const after = await daemonLookup(asked, consoleKey);
    assert.equal(after.status, "match");
    assert.equal(after.profile.id, id);
  });
});
