// Renders an answer of the profiled daemon into DOM nodes; shared by the page card
// (content script) and the popup. Builds nodes with textContent only: nothing from a
// page or the daemon is ever parsed as HTML.
"use strict";

/* exported profiledRender */
// eslint-disable-next-line no-unused-vars
const profiledRender = (() => {
  const percent = (x) => `${Math.round(x * 100)}%`;

  function el(doc, tag, className, ...children) {
    const node = doc.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(typeof child === "string" ? doc.createTextNode(child) : child);
    }
    return node;
  }

  function place(location) {
    if (!location) return "";
    return [location.city, location.country].filter(Boolean).join(", ");
  }

  function profileBlock(doc, profile) {
    const company = profile.company?.name ?? "";
    const facts = el(doc, "dl", "profiled-facts");
    const fact = (label, value) => {
      if (!value) return;
      facts.append(el(doc, "dt", null, label), el(doc, "dd", null, value));
    };
    fact("Title", profile.job_title);
    fact("Company", company);
    fact("Location", place(profile.location));
    if (profile.email) {
      fact("Email", `${profile.email.suggested} (${percent(profile.email.confidence)} likely)`);
    }
    return el(doc, "div", "profiled-profile", el(doc, "div", "profiled-name", profile.full_name), facts);
  }

  /**
   * answer: {status: "match"|"ambiguous"|"none"|"error", confidence, profile, candidates,
   * asked: {name}, message}. Returns the nodes to show.
   */
  return function render(doc, answer) {
    const box = el(doc, "div", "profiled-answer");
    const head = el(doc, "div", "profiled-head", el(doc, "span", "profiled-brand", "profiled"));
    box.append(head);
    switch (answer.status) {
      case "match":
        head.append(el(doc, "span", "profiled-confidence", `match · ${percent(answer.confidence)}`));
        box.append(profileBlock(doc, answer.profile));
        break;
      case "ambiguous": {
        head.append(el(doc, "span", "profiled-confidence", "several people fit"));
        const list = el(doc, "ol", "profiled-candidates");
        const people = [
          { full_name: answer.profile.full_name, company: answer.profile.company?.name, confidence: answer.confidence, where: place(answer.profile.location) },
          ...answer.candidates,
        ];
        for (const person of people) {
          const detail = [person.company, person.where].filter(Boolean).join(" · ");
          list.append(el(doc, "li", null, el(doc, "span", "profiled-name", person.full_name), detail ? ` — ${detail}` : "", ` (${percent(person.confidence)})`));
        }
        box.append(list);
        break;
      }
      case "none":
        head.append(el(doc, "span", "profiled-confidence", "no match"));
        box.append(el(doc, "p", "profiled-message", `Nothing found for ${answer.asked?.name ?? "this person"}.`));
        break;
      default:
        head.append(el(doc, "span", "profiled-confidence", "error"));
        box.append(el(doc, "p", "profiled-message", answer.message ?? "The lookup failed."));
    }
    return box;
  };
})();
