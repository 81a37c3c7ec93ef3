// The extension's only stored data: its options, in chrome.storage.local. The defaults
// are the daemon's own (127.0.0.1:7878, no key), so `profiled serve --sample` works as is.
"use strict";

/* exported PROFILED_DEFAULTS, profiledOptions */
const PROFILED_DEFAULTS = Object.freeze({ daemonUrl: "http://127.0.0.1:7878", apiKey: "" });

// eslint-disable-next-line no-unused-vars
async function profiledOptions() {
  const stored = await chrome.storage.local.get(Object.keys(PROFILED_DEFAULTS));
  return { ...PROFILED_DEFAULTS, ...stored };
}
