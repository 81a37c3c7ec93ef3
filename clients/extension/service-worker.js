// Service worker: the only part of the extension that talks to the daemon. It reads the
// daemon URL and key from the options, calls POST /v1/lookup, sets the tab's badge and
// title, and hands the answer back to the page's content script. It keeps nothing: no
// lookup, no page content and no answer is stored anywhere.
"use strict";

importScripts("options-defaults.js");

const BADGES = {
  match: { text: "✓", color: "#1f8a4c" },
  ambiguous: { text: "?", color: "#b7791f" },
  none: { text: "–", color: "#5c6578" },
  error: { text: "!", color: "#c0392b" },
};

function endpoint(base, path) {
  return new URL(path, base.endsWith("/") ? base : `${base}/`).href;
}

async function call(path, init = {}) {
  const { daemonUrl, apiKey } = await profiledOptions();
  const headers = { accept: "application/json", ...init.headers };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  let response;
  try {
    response = await fetch(endpoint(daemonUrl, path), { ...init, headers, credentials: "omit", cache: "no-store" });
  } catch {
    throw new Error(`The daemon at ${daemonUrl} cannot be reached: is it running, and does it allow this extension's origin (${location.origin})?`);
  }
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

function failure(status, body) {
  if (status === 401) return "The daemon needs an API key: set one in the extension's options.";
  if (status === 403) return "The API key in the options lacks the lookup scope.";
  return body?.title ? `The daemon answered: ${body.title}.` : `The daemon answered ${status}.`;
}

/** Only what the lookup API takes; the page's other content never leaves the tab. */
function lookupRequest(person) {
  const request = { name: person.name, candidates: 3 };
  if (person.company) request.company = person.company;
  if (person.city) request.city = person.city;
  if (person.postcode) request.postcode = person.postcode;
  if (/^[A-Za-z]{2}$/.test(person.country ?? "")) request.country = person.country.toUpperCase();
  return request;
}

async function lookup(person) {
  if (typeof person?.name !== "string" || !person.name.trim()) {
    return { status: "error", message: "No name to look up." };
  }
  try {
    const { status, body } = await call("v1/lookup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(lookupRequest(person)),
    });
    if (status !== 200 || !body) return { status: "error", message: failure(status, body) };
    return {
      status: body.status,
      confidence: body.confidence,
      profile: body.profile,
      candidates: body.candidates ?? [],
      asked: { name: person.name },
    };
  } catch (err) {
    return { status: "error", message: err.message };
  }
}

function title(answer) {
  switch (answer.status) {
    case "match": {
      const p = answer.profile;
      const role = [p.job_title, p.company?.name].filter(Boolean).join(" at ");
      return `profiled: ${p.full_name}${role ? ` — ${role}` : ""} (${Math.round(answer.confidence * 100)}%)`;
    }
    case "ambiguous":
      return `profiled: ${answer.candidates.length + 1} people fit`;
    case "none":
      return "profiled: nothing found";
    default:
      return `profiled: ${answer.message}`;
  }
}

async function mark(tabId, answer) {
  const badge = BADGES[answer.status] ?? BADGES.error;
  await Promise.all([
    chrome.action.setBadgeText({ tabId, text: badge.text }),
    chrome.action.setBadgeBackgroundColor({ tabId, color: badge.color }),
    chrome.action.setTitle({ tabId, title: title(answer) }),
  ]);
}

/** Whether the daemon answers and accepts the key (an empty lookup is refused after authorisation). */
async function check() {
  try {
    const health = await call("healthz");
    if (health.status !== 200) return { ok: false, message: `The daemon answered ${health.status}.` };
    const probe = await call("v1/lookup", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    if (probe.status === 401 || probe.status === 403) return { ok: false, message: failure(probe.status, probe.body) };
    return { ok: true, message: "The daemon answers and accepts this key." };
  } catch (err) {
    return { ok: false, message: err.message };
  }
}

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (sender.id !== chrome.runtime.id) return false;
  if (message?.type === "lookup" && sender.tab?.id !== undefined) {
    lookup(message.person).then(async (answer) => {
      await mark(sender.tab.id, answer).catch(() => {});
      reply(answer);
    });
    return true;
  }
  if (message?.type === "check") {
    check().then(reply);
    return true;
  }
  return false;
});
