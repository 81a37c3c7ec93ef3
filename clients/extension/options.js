// Options page: the daemon URL and API key, kept in chrome.storage.local (the
// extension's only stored data), and the origin the daemon must allow.
"use strict";

const urlInput = document.getElementById("daemon-url");
const keyInput = document.getElementById("api-key");
const result = document.getElementById("result");

function say(ok, message) {
  result.dataset.ok = String(ok);
  result.textContent = message;
}

async function load() {
  const options = await profiledOptions();
  urlInput.value = options.daemonUrl;
  keyInput.value = options.apiKey;
  const origin = `chrome-extension://${chrome.runtime.id}`;
  document.getElementById("origin").textContent = origin;
  document.getElementById("serve-command").textContent = `profiled serve --cors-origin ${origin}`;
}

async function save() {
  let url;
  try {
    url = new URL(urlInput.value.trim());
  } catch {
    say(false, "The daemon URL is not a URL.");
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    say(false, "The daemon URL must start with http:// or https://.");
    return false;
  }
  const daemonUrl = url.href.replace(/\/+$/, "");
  await chrome.storage.local.set({ daemonUrl, apiKey: keyInput.value.trim() });
  urlInput.value = daemonUrl;
  say(true, "Saved.");
  return true;
}

document.getElementById("options").addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});

document.getElementById("check").addEventListener("click", async () => {
  if (!(await save())) return;
  say(true, "Checking…");
  const answer = await chrome.runtime.sendMessage({ type: "check" });
  say(answer.ok, answer.message);
});

load();
