/* Section search with Pagefind (conf/_ext/dlguide_pagefind.py builds the index).
 *
 * Over http, Pagefind's own UI takes the place of the theme's search: the header's
 * search button and Ctrl+K open the theme's search dialog, which now holds Pagefind's
 * box; search.html shows Pagefind's results for its ?q=. Results are grouped by page, the
 * page's link goes to its best section and the other matching sections follow; each
 * result link carries data-search-result. A page opened from a result highlights the
 * query (Pagefind's highlight script, ?highlight=...).
 *
 * Opened from file://, Pagefind cannot load its index: the theme's search and Sphinx's
 * search page stay as they are, with a notice (data-search-notice) saying how to get
 * section search.
 */
(function () {
  "use strict";
  const root = document.documentElement.dataset.content_root || "./";
  const bundle = new URL(root + "pagefind/", location.href);
  const SUBS = 3;   // sections shown per page at most: its link's section and two more
  const CLOSE = 0.5;   // ...that score at least this fraction of the best one's
  // Pagefind's ranking (its defaults: termSimilarity 1, pageLength 0.75, termSaturation
  // 1.4, termFrequency 1). A chapter is long and the glossary longer: the length of a
  // page should not bury it; a word typed in full should beat longer words it begins.
  const RANKING = { termSimilarity: 5, pageLength: 0.2 };

  function notice() {
    const p = document.createElement("p");
    p.className = "dlg-search-notice";
    p.setAttribute("data-search-notice", "");
    p.innerHTML = "These results come from the page-level search. Section search needs " +
      "the book served over http: run <code>make serve</code> and open " +
      "<a href=\"http://127.0.0.1:8000/\">http://127.0.0.1:8000/</a>.";
    return p;
  }

  // How well each section of a page answers: for every query word it holds (the words
  // Pagefind matched, read from the page's text at each match), the word's weight
  // (headings weigh more) times its rarity among the page's sections, so that a section
  // holding the question's rare words beats one repeating its common ones.
  function scores(data) {
    const words = (data.content || "").split(/\s+/);
    const word = (i) => (words[i] || "").toLowerCase().replace(/^\W+|\W+$/g, "");
    const found = data.sub_results.map((sub) => {
      const mine = new Map();
      for (const w of sub.weighted_locations || []) {
        const key = word(w.location);
        mine.set(key, Math.max(mine.get(key) || 0, w.weight) + 0.01);
      }
      return mine;
    });
    const df = new Map();
    for (const mine of found) for (const key of mine.keys()) df.set(key, (df.get(key) || 0) + 1);
    const n = found.length;
    return found.map((mine) => [...mine].reduce(
      (sum, [key, weight]) => sum + weight * Math.log(1 + n / df.get(key)), 0));
  }

  // The page's own link goes to its best section; its next best sections follow (on the
  // glossary, only the entry: the others merely mention the term).
  function processResult(data) {
    const glossary = /(^|\/)glossary\.html/.test(data.url);
    if (!data.sub_results || !data.sub_results.length) return data;
    const points = scores(data);
    const ranked = data.sub_results.map((sub, i) => [points[i], sub])
      .sort((a, b) => b[0] - a[0]);
    // Other sections only when they answer nearly as well as the best one.
    const subs = ranked.filter(([s], i) => i === 0 || s >= CLOSE * ranked[0][0])
      .slice(0, glossary ? 1 : SUBS).map(([, sub]) => sub);
    if (!subs.length) return data;
    const best = subs[0], page = data.meta.title;
    const title = best.title && best.title !== page ? `${page} › ${best.title}` : page;
    return { ...data, url: best.url, excerpt: best.excerpt, sub_results: subs,
             meta: { ...data.meta, url: best.url, title } };
  }

  function mark(box) {
    new MutationObserver(() => {
      for (const a of box.querySelectorAll("a.pagefind-ui__result-link")) {
        a.setAttribute("data-search-result", "");
      }
    }).observe(box, { childList: true, subtree: true });
  }

  function mount(element) {
    element.setAttribute("data-search-box", "");
    mark(element);
    const ui = new PagefindUI({
      element, bundlePath: bundle.href, baseUrl: new URL(root, location.href).pathname,
      showSubResults: true, showImages: false, excerptLength: 24, resetStyles: false,
      highlightParam: "highlight", processResult, ranking: RANKING,
      translations: { placeholder: "Search the book" },
    });
    const input = element.querySelector("input");
    input.setAttribute("aria-label", "Search the book");
    input.setAttribute("data-search-input", "");
    input.autofocus = true;   // the dialog, opened, puts the cursor here
    // Arrow keys move between the field and the results (Tab works too).
    element.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const stops = [input, ...element.querySelectorAll("[data-search-result]")];
      const next = stops[stops.indexOf(document.activeElement) + (event.key === "ArrowDown" ? 1 : -1)];
      if (stops.includes(document.activeElement) && next) {
        event.preventDefault();
        next.focus();
      }
    });
    return ui;
  }

  function load(src, type) {
    return new Promise((resolve, reject) => {
      const el = document.createElement(type === "css" ? "link" : "script");
      if (type === "css") { el.rel = "stylesheet"; el.href = src; } else { el.src = src; }
      el.onload = resolve;
      el.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(el);
    });
  }

  function start() {
    const dialog = document.getElementById("pst-search-dialog");
    const page = document.querySelector(".bd-search-container");   // search.html
    if (location.protocol === "file:") {
      if (dialog) dialog.append(notice());
      if (page) page.querySelector("form").after(notice());
      return;
    }
    const params = new URLSearchParams(location.search);
    if (params.has("highlight")) {
      import(new URL("pagefind-highlight.js", bundle).href).then(() =>
        new PagefindHighlight({ highlightParam: "highlight", markContext: "article.bd-article" }));
    }
    Promise.all([load(new URL("pagefind-ui.css", bundle).href, "css"),
                 load(new URL("pagefind-ui.js", bundle).href, "js")]).then(() => {
      if (dialog) {
        // The theme's form stays (hidden): its button and Ctrl+K open this dialog.
        const form = dialog.querySelector("form.bd-search");
        form.hidden = true;
        form.style.setProperty("display", "none", "important");   // over the theme's d-flex
        const box = document.createElement("div");
        box.className = "dlg-search";
        dialog.append(box);
        mount(box);
      }
      if (page) {
        page.querySelector("form").remove();
        document.getElementById("search-results").hidden = true;
        const box = document.createElement("div");
        box.className = "dlg-search";
        page.append(box);
        const ui = mount(box);
        if (params.get("q")) ui.triggerSearch(params.get("q"));
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
