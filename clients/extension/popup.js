// Popup: shows the answer for the active tab, asked from that tab's content script (the
// only place it is kept, in the page's memory).
"use strict";

async function activeTabId() {
  const wanted = Number(new URLSearchParams(location.search).get("tab"));
  if (Number.isInteger(wanted) && wanted > 0) return wanted;
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

async function main() {
  const box = document.getElementById("profiled-popup");
  let answer = null;
  try {
    const tabId = await activeTabId();
    if (tabId !== undefined) answer = (await chrome.tabs.sendMessage(tabId, { type: "answer" }))?.answer ?? null;
  } catch {
    answer = null; // no content script on this tab (browser pages, the Web Store)
  }
  if (!answer) {
    box.dataset.status = "empty";
    const note = document.createElement("p");
    note.className = "profiled-message";
    note.textContent = "No person found on this page yet. Select a name to look it up.";
    box.replaceChildren(note);
    return;
  }
  box.dataset.status = answer.status;
  if (answer.profile?.id) box.dataset.profileId = answer.profile.id;
  box.replaceChildren(profiledRender(document, answer));
}

main();
