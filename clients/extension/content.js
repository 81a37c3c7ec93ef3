// Content script: finds the person a page is about (schema.org Person in JSON-LD or
// microdata; failing that, a name the user selects), asks the service worker who that
// is, and shows the answer in one element, #profiled-card. The answer lives in this
// page's memory only; nothing is stored, and the page never sees the daemon or its key.
"use strict";

(() => {
  if (window.top !== window || document.getElementById("profiled-card")) return;

  const CARD_ID = "profiled-card";
  const SELECTION_DELAY_MS = 400;
  let answer = null;
  let asked = null;

  // ---- what the page says ---------------------------------------------------------

  const clean = (text) => (typeof text === "string" ? text.replace(/\s+/g, " ").trim() : "");

  /** A schema.org value as text: a string, a thing's name, or the first of a list. */
  function textOf(value) {
    if (Array.isArray(value)) return value.map(textOf).find(Boolean) ?? "";
    if (value && typeof value === "object") return textOf(value.name ?? value["@value"] ?? "");
    return clean(typeof value === "number" ? String(value) : value);
  }

  function hasType(node, type) {
    const types = [].concat(node["@type"] ?? []);
    return types.some((t) => typeof t === "string" && t.replace(/^(https?:\/\/schema\.org\/|schema:)/, "") === type);
  }

  /** The Person a JSON-LD document is about: itself, an entry of @graph, or a page's mainEntity/about. */
  function findPerson(node, depth = 0) {
    if (!node || typeof node !== "object" || depth > 6) return null;
    if (Array.isArray(node)) {
      for (const item of node) {
        const person = findPerson(item, depth + 1);
        if (person) return person;
      }
      return null;
    }
    if (hasType(node, "Person")) return node;
    for (const key of ["@graph", "mainEntity", "about"]) {
      const person = findPerson(node[key], depth + 1);
      if (person) return person;
    }
    return null;
  }

  function addressOf(value) {
    const address = Array.isArray(value) ? value[0] : value;
    if (!address) return {};
    if (typeof address === "string") return { city: clean(address) };
    return {
      city: textOf(address.addressLocality),
      postcode: textOf(address.postalCode),
      country: textOf(address.addressCountry),
    };
  }

  function fromJsonLd() {
    for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
      let data;
      try {
        data = JSON.parse(script.textContent);
      } catch {
        continue;
      }
      const person = findPerson(data);
      if (!person) continue;
      const name = textOf(person.name) || clean([textOf(person.givenName), textOf(person.familyName)].join(" "));
      if (!name) continue;
      const employer = [].concat(person.worksFor ?? person.affiliation ?? [])[0];
      return {
        name,
        jobTitle: textOf(person.jobTitle),
        company: textOf(employer),
        ...addressOf(person.address ?? person.workLocation?.address ?? employer?.address),
      };
    }
    return null;
  }

  /** Microdata: the properties of one item (not those of items nested in it). */
  function itemProps(scope, name) {
    return [...scope.querySelectorAll(`[itemprop~="${name}"]`)].filter(
      (node) => node.parentElement.closest("[itemscope]") === scope,
    );
  }

  function itemValue(node) {
    if (!node) return "";
    if (node.hasAttribute("itemscope")) {
      return itemValue(itemProps(node, "name")[0]) || clean(node.textContent);
    }
    if (node.hasAttribute("content")) return clean(node.getAttribute("content"));
    if (node.tagName === "TIME" && node.hasAttribute("datetime")) return clean(node.getAttribute("datetime"));
    return clean(node.textContent);
  }

  function fromMicrodata() {
    const scope = [...document.querySelectorAll("[itemscope][itemtype]")].find((node) =>
      node.getAttribute("itemtype").split(/\s+/).some((t) => /^https?:\/\/schema\.org\/Person$/.test(t)),
    );
    if (!scope) return null;
    const prop = (name) => itemValue(itemProps(scope, name)[0]);
    const name = prop("name") || clean([prop("givenName"), prop("familyName")].join(" "));
    if (!name) return null;
    const person = { name, jobTitle: prop("jobTitle"), company: prop("worksFor") || prop("affiliation") };
    const address = itemProps(scope, "address")[0];
    if (address?.hasAttribute("itemscope")) {
      const part = (n) => itemValue(itemProps(address, n)[0]);
      Object.assign(person, { city: part("addressLocality"), postcode: part("postalCode"), country: part("addressCountry") });
    } else if (address) {
      person.city = itemValue(address);
    }
    return person;
  }

  /**
   * A selection that reads as a person: "Jane Doe", "Jane Doe, Acme", "Jane Doe at Acme",
   * "Jane Doe (Acme)", "Jane Doe – Acme". Anything longer or name-less is ignored.
   */
  function fromSelection(text) {
    const selected = clean(text);
    if (selected.length < 3 || selected.length > 120) return null;
    const parts = selected.match(/^(.+?)(?:\s*[,|(]\s*|\s+(?:at|@|-|–|—)\s+)(.+?)\)?$/u);
    const name = clean(parts ? parts[1] : selected);
    const words = name.split(" ");
    if (words.length < 2 || words.length > 5 || !words.every((w) => /^\p{L}[\p{L}\p{M}'’.-]*$/u.test(w))) return null;
    return { name, company: parts ? clean(parts[2]) : "" };
  }

  // ---- asking and showing ---------------------------------------------------------

  function card() {
    let node = document.getElementById(CARD_ID);
    if (!node) {
      node = document.createElement("div");
      node.id = CARD_ID;
      node.setAttribute("role", "complementary");
      node.setAttribute("aria-label", "profiled");
      (document.body ?? document.documentElement).append(node);
    }
    return node;
  }

  function show(result) {
    answer = result;
    const node = card();
    node.dataset.status = result.status;
    if (result.profile?.id && (result.status === "match" || result.status === "ambiguous")) {
      node.dataset.profileId = result.profile.id;
    } else {
      delete node.dataset.profileId;
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "profiled-close";
    close.setAttribute("aria-label", "Hide");
    close.textContent = "×";
    close.addEventListener("click", () => {
      node.hidden = true;
    });
    node.replaceChildren(close, profiledRender(document, result));
    node.hidden = false;
  }

  async function lookUp(person) {
    const key = JSON.stringify([person.name, person.company, person.city]);
    if (key === asked) return;
    asked = key;
    try {
      show(await chrome.runtime.sendMessage({ type: "lookup", person }));
    } catch {
      // The extension was reloaded or removed while the page stayed open.
      show({ status: "error", message: "The profiled extension is not available; reload the page." });
    }
  }

  chrome.runtime.onMessage.addListener((message, _sender, reply) => {
    if (message?.type === "answer") reply({ answer });
  });

  const person = fromJsonLd() ?? fromMicrodata();
  if (person) {
    lookUp(person);
    return;
  }
  let timer = 0;
  const onSelection = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const selected = fromSelection(String(window.getSelection() ?? ""));
      if (selected) lookUp(selected);
    }, SELECTION_DELAY_MS);
  };
  document.addEventListener("mouseup", onSelection);
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey || event.key === "Shift") onSelection();
  });
})();
