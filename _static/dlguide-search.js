/* Section search on Pagefind's index (conf/_ext/dlguide_pagefind.py builds it).
 *
 * Over http, the theme's search dialog (its header button, Ctrl+K) and search.html hold
 * one search field. Pagefind finds the words (stemming, prefixes, typos) through its JS
 * API; the ranking of *sections* is done here, because Pagefind ranks pages and keeps
 * only pages holding every word, so a question ("why does my loss become nan") found
 * nothing or the top of a long chapter. Here each query word is searched on its own and
 * each section is scored by BM25 over its words (weighted as the index weighs them:
 * headings more, practice sections and code less), rarer words counting more, with a
 * bonus for words in its heading; the words that frame a question are left out.
 * Results are grouped by page: the page's link goes to its best section, and its other
 * sections follow when they answer nearly as well. Every result link carries
 * data-search-result; the box says data-search-state="done" and data-search-query when
 * its results are shown. The linked page highlights the query (Pagefind's script).
 *
 * Opened from file://, Pagefind cannot load its index: the theme's search and Sphinx's
 * search page stay, with a notice (data-search-notice) saying how to get section search.
 */
(function () {
  "use strict";
  const root = document.documentElement.dataset.content_root || "./";
  const bundle = new URL(root + "pagefind/", location.href);

  // Words that frame a question rather than name its topic: a common English stop-word
  // list and the verbs questions are built with. Dropped unless the query is only these.
  const STOP = new Set(("a about above after again all am an and any are as at be because " +
    "been before being below between both but by can could did do does doing down during " +
    "each few for from further get gets got had has have having he her here how i if in " +
    "into is it its itself just me more most my no nor not now of off on once one only or " +
    "other our out over own same she should so some such than that the their them then " +
    "there these they this those through to too under until up very was we were what when " +
    "where which while who whom why will with would you your " +
    "become becomes happen happens keep keeps going know many much mean means put " +
    "kind kinds way ways thing things").split(" "));
  // BM25 (K1, B); HEAD: a query word in the section's heading; TITLE: a heading that is
  // the query; PHRASE: query words side by side. Measured on tests/search_queries.toml.
  const K1 = 1.2, B = 0.9, HEAD = 2, TITLE = 0.5, PHRASE = 0.1;
  const CLOSE = 0.4;   // a page's other sections are shown from this share of its best
  const SUBS = 3;      // sections shown per page at most (the glossary: its entry only)
  const PAGES = 10;    // pages shown at most
  const TERM = 3;      // a glossary entry whose name is the query
  const GLOSSARY = /(^|\/)glossary\.html$/;

  function words(query) {
    const all = query.toLowerCase().split(/\s+/)
      .map((w) => w.replace(/^[^\w(]+|[^\w)]+$/g, "")).filter(Boolean);
    const kept = all.filter((w) => !STOP.has(w));
    return [...new Set(kept.length ? kept : all)];
  }

  // The length in words of each section of a page: up to the next heading with an id.
  function lengths(data) {
    const starts = data.anchors.map((a) => a.location).sort((a, b) => a - b);
    const out = new Map();
    for (const a of data.anchors) {
      const next = starts.find((l) => l > a.location);
      out.set(a.id, Math.max(1, (next === undefined ? data.word_count : next) - a.location));
    }
    return out;
  }

  async function rank(pagefind, query) {
    const terms = words(query);
    const sections = new Map(), pages = new Map(), df = new Map();
    for (const term of terms) {   // one at a time: Pagefind's searches share state
      const found = await pagefind.search(term);
      const datas = await Promise.all(found.results.map((r) => r.data()));
      let count = 0;
      for (const data of datas) {
        if (!pages.has(data.url)) pages.set(data.url, { data, lengths: lengths(data) });
        for (const sub of data.sub_results) {
          if (!sub.anchor || !sub.weighted_locations.length) continue;
          count += 1;
          let s = sections.get(sub.url);
          if (!s) {
            s = { url: sub.url, title: sub.title, page: data.url, hits: new Map(),
                  at: new Map(), heads: new Set(), excerpts: new Map(),
                  length: pages.get(data.url).lengths.get(sub.anchor.id) || 1,
                  headLength: sub.anchor.text.split(/\s+/).length };
            sections.set(sub.url, s);
          }
          const end = sub.anchor.location + s.headLength;
          const inHead = sub.locations.filter((l) => l >= sub.anchor.location && l < end);
          inHead.forEach((l) => s.heads.add(l));
          s.hits.set(term, {
            tf: sub.weighted_locations.reduce((t, l) => t + l.weight, 0),
            top: Math.max(...sub.weighted_locations.map((l) => l.weight)),
            head: inHead.length > 0 });
          s.at.set(term, new Set(sub.locations));
          s.excerpts.set(term, sub.plain_excerpt || "");
        }
      }
      df.set(term, count);
    }
    let total = 0, sum = 0;
    for (const { lengths: ls } of pages.values()) {
      total += ls.size;
      for (const v of ls.values()) sum += v;
    }
    const avg = sum / Math.max(1, total);
    const idf = (t) => Math.log(1 + (total - (df.get(t) || 0) + 0.5) / ((df.get(t) || 0) + 0.5));
    const want = terms.reduce((t, w) => t + idf(w), 0) || 1;
    const scored = [...sections.values()].map((s) => {
      let score = 0, have = 0;
      for (const [term, { tf, top, head }] of s.hits) {
        const norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * s.length / avg));
        score += idf(term) * (norm + (head ? HEAD : 0)) * Math.min(1, top);
        have += idf(term);
      }
      let pairs = 0;
      for (let i = 0; i + 1 < terms.length; i++) {
        const a = s.at.get(terms[i]), b = s.at.get(terms[i + 1]);
        if (a && b && [...a].some((l) => b.has(l + 1))) pairs += 1;
      }
      const coverage = have / want, title = s.heads.size / s.headLength;
      // A glossary entry named by every word of the query is the term's definition: first.
      const term = GLOSSARY.test(s.page) && [...s.hits.values()].every((h) => h.head)
        && s.hits.size === terms.length ? TERM : 1;
      // The rarest query word the section holds gives its excerpt.
      const rarest = [...s.hits.keys()].sort((x, y) => idf(y) - idf(x))[0];
      return { ...s, excerpt: s.excerpts.get(rarest),
               score: term * score * coverage * coverage * (1 + PHRASE * pairs) * (1 + TITLE * title) };
    }).sort((a, b) => b.score - a.score);
    const groups = new Map();
    for (const s of scored) {
      if (!groups.has(s.page)) groups.set(s.page, []);
      groups.get(s.page).push(s);
    }
    return { terms, pages: [...groups].slice(0, PAGES).map(([page, list]) => {
      const glossary = GLOSSARY.test(page);
      const shown = list.filter((s, i) => i === 0 || s.score >= CLOSE * list[0].score)
        .slice(0, glossary ? 1 : SUBS);
      return { title: pages.get(page).data.meta.title, sections: shown };
    }) };
  }

  // --- showing the results (text only: nothing from the index is parsed as HTML) -----

  // Words the index adds to a section (spelling variants, short API names) lie between
  // these marks (dlguide_pagefind.ADDED): an excerpt shows the section's own text only.
  const ADDED = /\u27e6[^\u27e7]*\u27e7|^[^\u27e6]*\u27e7|\u27e6[^\u27e7]*$/g;

  function marked(excerpt, terms) {
    const text = excerpt.replace(ADDED, " ").replace(/\s+/g, " ").trim();
    const p = document.createElement("p");
    p.className = "dlg-search-excerpt";
    const pattern = new RegExp(`(${terms.map((t) =>
      t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})[\\w-]*`, "gi");
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      p.append(text.slice(last, m.index));
      const mark = document.createElement("mark");
      mark.textContent = m[0];
      p.append(mark);
      last = m.index + m[0].length;
    }
    p.append(text.slice(last));
    return p;
  }

  function link(section, label, terms) {
    const a = document.createElement("a");
    const [path, anchor] = section.url.split("#");
    const query = new URLSearchParams(terms.map((t) => ["highlight", t]));
    a.href = `${path}?${query}${anchor ? "#" + anchor : ""}`;
    a.textContent = label;
    a.setAttribute("data-search-result", "");
    return a;
  }

  function render(box, query, result) {
    const list = box.querySelector(".dlg-search-results");
    list.replaceChildren();
    for (const page of result.pages) {
      const [best, ...others] = page.sections;
      const item = document.createElement("li");
      const title = best.title && best.title !== page.title
        ? `${page.title} › ${best.title}` : page.title;
      item.append(link(best, title, result.terms), marked(best.excerpt, result.terms));
      if (others.length) {
        const subs = document.createElement("ul");
        for (const s of others) {
          const li = document.createElement("li");
          li.append(link(s, s.title, result.terms), marked(s.excerpt, result.terms));
          subs.append(li);
        }
        item.append(subs);
      }
      list.append(item);
    }
    const n = result.pages.reduce((t, p) => t + p.sections.length, 0);
    box.querySelector("[data-search-status]").textContent = n
      ? `${n} section${n === 1 ? "" : "s"} for “${query}”` : `No results for “${query}”`;
    box.dataset.searchQuery = query;
    box.dataset.searchState = "done";
  }

  let engine = null;    // Pagefind, loaded on the first search
  let queue = Promise.resolve();
  function search(query) {
    engine = engine || import(new URL("pagefind.js", bundle).href).then(async (pagefind) => {
      // Pagefind's matching of each word: a word typed in full beats the longer words
      // it begins (termSimilarity); a long page is not buried (pageLength).
      await pagefind.options({ baseUrl: new URL(root, location.href).pathname,
                               ranking: { termSimilarity: 5, pageLength: 0.2 } });
      await pagefind.init();
      return pagefind;
    });
    const run = queue.then(() => engine).then((pagefind) => rank(pagefind, query));
    queue = run.catch(() => null);
    return run;
  }

  let boxes = 0;
  function mount(element) {
    const id = `dlg-search-${++boxes}`;
    element.setAttribute("data-search-box", "");
    const input = document.createElement("input");
    Object.assign(input, { type: "search", id: `${id}-input`, placeholder: "Search the book",
                           autocomplete: "off", spellcheck: false, autofocus: true });
    input.setAttribute("aria-label", "Search the book");
    input.setAttribute("aria-controls", `${id}-results`);
    input.setAttribute("data-search-input", "");
    const status = document.createElement("p");
    status.className = "dlg-search-status";
    status.setAttribute("role", "status");
    status.setAttribute("data-search-status", "");
    const list = document.createElement("ol");
    list.className = "dlg-search-results";
    list.id = `${id}-results`;
    list.setAttribute("aria-label", "Search results");
    element.append(input, status, list);

    let timer = null, latest = "";
    const go = () => {
      const query = input.value.trim();
      latest = query;
      if (!query) {
        list.replaceChildren();
        status.textContent = "";
        delete element.dataset.searchState;
        return;
      }
      element.dataset.searchState = "searching";
      status.textContent = `Searching for “${query}”…`;
      search(query).then((result) => { if (query === latest) render(element, query, result); },
        () => { if (query === latest) status.textContent = "The search index could not be loaded."; });
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(go, 150); });
    // Arrow keys move between the field and the results (Tab works too).
    element.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const stops = [input, ...element.querySelectorAll("[data-search-result]")];
      const at = stops.indexOf(document.activeElement);
      const next = stops[at + (event.key === "ArrowDown" ? 1 : -1)];
      if (at >= 0 && next) {
        event.preventDefault();
        next.focus();
      }
    });
    return { input, search: (q) => { input.value = q; go(); } };
  }

  function notice() {
    const p = document.createElement("p");
    p.className = "dlg-search-notice";
    p.setAttribute("data-search-notice", "");
    const code = document.createElement("code");
    code.textContent = "make serve";
    const a = document.createElement("a");
    a.href = a.textContent = "http://127.0.0.1:8000/";
    p.append("These results come from the page-level search. Section search needs the " +
             "book served over http: run ", code, " and open ", a, ".");
    return p;
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
    if (dialog) {
      // The theme's form stays (hidden): its button and Ctrl+K open this dialog.
      const form = dialog.querySelector("form.bd-search");
      form.hidden = true;
      form.style.setProperty("display", "none", "important");   // over the theme's d-flex
      const box = document.createElement("div");
      box.className = "dlg-search";
      dialog.append(box);
      const ui = mount(box);
      // The theme focuses its own (hidden) field when the dialog opens: ours instead.
      new MutationObserver(() => { if (dialog.open) ui.input.focus(); })
        .observe(dialog, { attributes: true, attributeFilter: ["open"] });
    }
    if (page) {
      page.querySelector("form").remove();
      document.getElementById("search-results").hidden = true;
      const box = document.createElement("div");
      box.className = "dlg-search";
      page.append(box);
      const ui = mount(box);
      if (params.get("q")) ui.search(params.get("q"));
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
