/* dlguide: the glossary's filter box (plain JavaScript, no framework).
 *
 * On the glossary page (the one with a <nav class="dlguide-glossary-letters">), a search
 * box is added above the jump letters. As the reader types, only the entries with a
 * name containing the typed text stay visible (case, accents and hyphens are ignored);
 * empty letter groups and their jump letters are hidden, and a live line says how many
 * terms match. Escape clears the box. Without JavaScript the page is the full A-Z list.
 *
 * What the reader types is only ever compared with text and shown with textContent: it
 * is never inserted into the page as HTML.
 */
(() => {
  "use strict";

  const normalise = (text) =>
    text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[-\u2010-\u2015]/g, " ").replace(/\s+/g, " ").trim();

  const termName = (dt) => {
    const copy = dt.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach((a) => a.remove());
    return normalise(copy.textContent);
  };

  function collectEntries(sections) {
    const entries = [];
    for (const section of sections) {
      for (const dl of section.querySelectorAll("dl.glossary")) {
        let terms = [];
        for (const child of dl.children) {
          if (child.tagName === "DT") {
            terms.push(child);
          } else if (child.tagName === "DD") {
            entries.push({ section, elements: [...terms, child], names: terms.map(termName) });
            terms = [];
          }
        }
      }
    }
    return entries;
  }

  function init() {
    const nav = document.querySelector("nav.dlguide-glossary-letters");
    if (!nav) return;
    const sections = [...document.querySelectorAll("section.dlguide-glossary-letter")];
    const entries = collectEntries(sections);
    const total = entries.length;

    const box = document.createElement("div");
    box.className = "dlguide-glossary-filter";
    box.setAttribute("role", "search");
    const label = document.createElement("label");
    label.htmlFor = "dlguide-glossary-filter-input";
    label.textContent = "Filter the glossary";
    const input = document.createElement("input");
    input.type = "search";
    input.id = "dlguide-glossary-filter-input";
    input.placeholder = "Type part of a term, e.g. attention";
    input.autocomplete = "off";
    input.spellcheck = false;
    const status = document.createElement("p");
    status.className = "dlguide-glossary-count";
    status.setAttribute("aria-live", "polite");
    status.textContent = `${total} terms`;
    box.append(label, input, status);
    nav.before(box);

    const letterLinks = new Map();
    for (const link of nav.querySelectorAll("a[href^='#letter-']")) {
      letterLinks.set(link.getAttribute("href").slice(1), link);
    }

    function apply() {
      const query = normalise(input.value);
      const shownPerSection = new Map(sections.map((s) => [s, 0]));
      let shown = 0;
      for (const entry of entries) {
        const visible = query === "" || entry.names.some((name) => name.includes(query));
        for (const element of entry.elements) element.hidden = !visible;
        if (visible) {
          shown += 1;
          shownPerSection.set(entry.section, shownPerSection.get(entry.section) + 1);
        }
      }
      for (const empty of nav.querySelectorAll(".dlguide-letter-empty")) {
        empty.parentElement.hidden = query !== "";   // while filtering, only live letters
      }
      for (const [section, count] of shownPerSection) {
        section.hidden = count === 0;
        const link = letterLinks.get(section.id);
        if (link) link.parentElement.hidden = count === 0;
      }
      if (query === "") status.textContent = `${total} terms`;
      else if (shown === 0) status.textContent = `No term matches \u201c${input.value.trim()}\u201d.`;
      else status.textContent = `${shown} of ${total} terms match.`;
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && input.value !== "") {
        input.value = "";
        apply();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
