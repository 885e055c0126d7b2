/* dlguide: study progress kept in the reader's browser.
 *
 * One record in localStorage, shared by the study checklist, the "Mark Week N done"
 * control of each chapter and the practice exam's self-grading:
 *
 *   {"version": 1,
 *    "checked": {"week02#the-training-loop": true, ...},   // checklist sections
 *    "scores":  {"1": 3, "13": 5.5, ...}}                   // exam points per question
 *
 * Robustness rules: stored values are validated one by one (a bad entry is ignored and
 * reported, the good ones are kept, and the original text is copied to a backup key
 * before anything is written); if storage throws, the page works for the session and
 * says so; an import is checked whole and rejected with a message if anything is wrong.
 * Stored values are only ever written to the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var KEY = "dlguide-progress";
  var BACKUP_KEY = "dlguide-progress.backup";
  var VERSION = 1;
  var ITEM = /^week\d\d#[A-Za-z0-9_-]+$/;
  var QUESTION = /^(?:[1-9]|1\d|20)$/;

  /* ---------------------------------------------------------------- storage */

  function openStorage() {
    try {
      var s = window.localStorage;
      var probe = KEY + ".probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // disabled, full, or blocked: work in memory for this session
    }
  }

  var storage = openStorage();
  var notices = [];

  function emptyState() {
    return { version: VERSION, checked: {}, scores: {} };
  }

  function validScore(value) {
    return typeof value === "number" && isFinite(value) && value >= 0 && value <= 100 &&
      Math.round(value * 2) === value * 2;
  }

  /* Keep the valid entries of a parsed record; return [state, ignored descriptions]. */
  function salvage(data) {
    var state = emptyState();
    var ignored = [];
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      return [state, ["the saved data is not a progress record"]];
    }
    if (data.version !== undefined && data.version !== VERSION) {
      ignored.push("version " + JSON.stringify(data.version) + " (expected " + VERSION + ")");
    }
    // Old format: item ids at the top level, e.g. {"week02#softmax": true}.
    var checked = data.checked !== undefined ? data.checked : data;
    var scores = data.scores !== undefined ? data.scores : {};
    if (checked && typeof checked === "object" && !Array.isArray(checked)) {
      Object.keys(checked).forEach(function (id) {
        if (checked === data && (id === "version" || id === "scores")) return;
        if (ITEM.test(id) && typeof checked[id] === "boolean") {
          if (checked[id]) state.checked[id] = true;
        } else {
          ignored.push("checklist entry " + JSON.stringify(id));
        }
      });
    } else {
      ignored.push("the checklist entries");
    }
    if (scores && typeof scores === "object" && !Array.isArray(scores)) {
      Object.keys(scores).forEach(function (q) {
        if (QUESTION.test(q) && validScore(scores[q])) state.scores[q] = scores[q];
        else ignored.push("exam score " + JSON.stringify(q));
      });
    } else {
      ignored.push("the exam scores");
    }
    return [state, ignored];
  }

  function load() {
    if (!storage) {
      notices.push("Your browser does not allow this page to store data, so progress " +
                   "works for this visit only and will not be saved.");
      return emptyState();
    }
    var raw = storage.getItem(KEY);
    if (raw === null) return emptyState();
    var parsed;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      backup(raw);
      notices.push("Saved progress could not be read (it is not valid JSON) and was " +
                   "ignored. A copy was kept in this browser under \"" + BACKUP_KEY + "\".");
      return emptyState();
    }
    var result = salvage(parsed);
    if (result[1].length) {
      backup(raw);
      notices.push("Some saved progress was ignored: " + result[1].slice(0, 5).join(", ") +
                   (result[1].length > 5 ? " and " + (result[1].length - 5) + " more" : "") +
                   ". Everything else was kept, and the original was copied to \"" +
                   BACKUP_KEY + "\".");
    }
    return result[0];
  }

  function backup(raw) {
    try { storage.setItem(BACKUP_KEY, raw); } catch (e) { /* nothing more we can do */ }
  }

  var state = load();

  function save() {
    if (!storage) return;
    try {
      storage.setItem(KEY, JSON.stringify(state));
    } catch (e) {
      storage = null;
      notify("Progress could not be saved (storage is full or blocked); it works for " +
             "this visit only.");
    }
  }

  /* ---------------------------------------------------------------- notices */

  var noticeBox = null;

  function notify(text) {
    if (!noticeBox) {
      noticeBox = document.createElement("div");
      noticeBox.className = "dlg-notice admonition warning";
      noticeBox.setAttribute("role", "status");
      var article = document.querySelector("article.bd-article") || document.body;
      article.insertBefore(noticeBox, article.firstChild);
    }
    var p = document.createElement("p");
    p.textContent = text;
    noticeBox.appendChild(p);
  }

  /* ---------------------------------------------------------------- helpers */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, onClick) {
    var b = el("button", { type: "button", "class": "btn btn-sm btn-outline-primary" }, label);
    b.addEventListener("click", onClick);
    return b;
  }

  function setChecked(id, value) {
    if (value) state.checked[id] = true;
    else delete state.checked[id];
  }

  function percent(done, total) {
    return total ? Math.round((100 * done) / total) : 0;
  }

  /* ---------------------------------------------------------- study checklist */

  function initChecklist(root) {
    var items = Array.prototype.slice.call(root.querySelectorAll("input.dlg-item"));
    var weeks = Array.prototype.slice.call(root.querySelectorAll("input.dlg-week-done"));
    var panel = document.getElementById("dlg-progress-panel");

    function itemsOf(week) {
      return items.filter(function (box) { return box.dataset.item.indexOf(week + "#") === 0; });
    }

    function render() {
      var done = 0;
      items.forEach(function (box) {
        box.checked = !!state.checked[box.dataset.item];
        if (box.checked) done += 1;
      });
      weeks.forEach(function (box) {
        var own = itemsOf(box.dataset.week);
        var ownDone = own.filter(function (b) { return b.checked; }).length;
        box.checked = own.length > 0 && ownDone === own.length;
        box.indeterminate = ownDone > 0 && ownDone < own.length;
        var label = root.querySelector('.dlg-week-progress[data-week="' + box.dataset.week + '"]');
        label.textContent = "(" + ownDone + " of " + own.length + " sections)";
      });
      overall.value = done;
      overall.max = items.length;
      overallText.textContent = done + " of " + items.length + " sections done (" +
        percent(done, items.length) + "%)";
      weekTable.textContent = "";
      weeks.forEach(function (box) {
        var own = itemsOf(box.dataset.week);
        var ownDone = own.filter(function (b) { return b.checked; }).length;
        var row = el("div", { "class": "dlg-week-row" });
        var name = box.closest("section").querySelector("h2").textContent.split(" \u00b7")[0];
        row.appendChild(el("span", { "class": "dlg-week-name" }, name));
        var bar = el("progress", { max: String(own.length), value: String(ownDone),
                                   "aria-label": name + " progress" });
        row.appendChild(bar);
        row.appendChild(el("span", {}, ownDone + "/" + own.length));
        weekTable.appendChild(row);
      });
    }

    items.forEach(function (box) {
      box.addEventListener("change", function () {
        setChecked(box.dataset.item, box.checked);
        save();
        render();
      });
    });
    weeks.forEach(function (box) {
      box.addEventListener("change", function () {
        itemsOf(box.dataset.week).forEach(function (b) { setChecked(b.dataset.item, box.checked); });
        save();
        render();
      });
    });

    // The panel: overall bar, per-week bars, reset / export / import.
    var overall = el("progress", { id: "dlg-overall", "aria-label": "Overall progress" });
    var overallText = el("span", { id: "dlg-overall-text" });
    var weekTable = el("div", { "class": "dlg-week-table" });
    var message = el("p", { "class": "dlg-message", role: "status" });
    var fileInput = el("input", { type: "file", accept: "application/json,.json",
                                  id: "dlg-import-file", "class": "dlg-visually-hidden" });
    var fileLabel = el("label", { "for": "dlg-import-file", "class": "dlg-visually-hidden" },
                       "Progress file to import");
    panel.appendChild(el("h2", {}, "Your progress"));
    var line = el("p", { "class": "dlg-overall" });
    line.appendChild(overall);
    line.appendChild(overallText);
    panel.appendChild(line);
    panel.appendChild(weekTable);
    var actions = el("p", { "class": "dlg-actions" });
    actions.appendChild(button("Export progress", function () {
      var blob = new Blob([JSON.stringify(state, null, 2)], { type: "application/json" });
      var link = el("a", { href: URL.createObjectURL(blob), download: "dlguide-progress.json" });
      document.body.appendChild(link);
      link.click();
      link.remove();
      message.textContent = "Progress exported to dlguide-progress.json.";
    }));
    actions.appendChild(button("Import progress", function () { fileInput.click(); }));
    actions.appendChild(button("Reset checklist", function () {
      if (!window.confirm("Untick every section of the checklist? This cannot be undone " +
                          "(export your progress first to keep a copy).")) return;
      state.checked = {};
      save();
      render();
      message.textContent = "Checklist reset.";
    }));
    panel.appendChild(actions);
    panel.appendChild(fileLabel);
    panel.appendChild(fileInput);
    panel.appendChild(message);

    fileInput.addEventListener("change", function () {
      var file = fileInput.files[0];
      if (!file) return;
      file.text().then(function (text) {
        var error = importProgress(text);
        message.textContent = error
          ? "Import rejected: " + error + ". Nothing was changed."
          : "Progress imported from " + file.name + ".";
        render();
      });
      fileInput.value = "";
    });

    render();
  }

  /* Replace the state with an exported file's, or return why it cannot be used. */
  function importProgress(text) {
    var data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return "the file is not valid JSON";
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      return "the file does not hold a progress record";
    }
    if (data.version !== VERSION) return "unknown version " + JSON.stringify(data.version);
    if (typeof data.checked !== "object" || data.checked === null || Array.isArray(data.checked) ||
        typeof data.scores !== "object" || data.scores === null || Array.isArray(data.scores)) {
      return "\"checked\" and \"scores\" must both be objects";
    }
    var result = salvage(data);
    if (result[1].length) return "invalid " + result[1].join(", ");
    state = result[0];
    save();
    return null;
  }

  /* ------------------------------------------------- chapter: mark week done */

  function initChapter(week) {
    var article = document.querySelector("article.bd-article");
    var title = article && article.querySelector("h1");
    if (!title) return;
    var ids = Array.prototype.slice.call(article.querySelectorAll("section > h2"))
      .map(function (h) { return week + "#" + h.parentElement.id; });
    if (!ids.length) return;
    var number = String(Number(week.slice(4)));
    var box = el("input", { type: "checkbox", id: "dlg-chapter-done" });
    var label = el("label", { "for": "dlg-chapter-done" }, " Mark Week " + number + " done");
    var status = el("span", { "class": "dlg-chapter-status" });
    var wrap = el("p", { "class": "dlg-chapter-done" });
    wrap.appendChild(box);
    wrap.appendChild(label);
    wrap.appendChild(status);
    title.parentNode.insertBefore(wrap, title.nextSibling);

    function render() {
      var done = ids.filter(function (id) { return state.checked[id]; }).length;
      box.checked = done === ids.length;
      box.indeterminate = done > 0 && done < ids.length;
      status.textContent = " (" + done + " of " + ids.length + " sections ticked in the study checklist)";
    }
    box.addEventListener("change", function () {
      ids.forEach(function (id) { setChecked(id, box.checked); });
      save();
      render();
    });
    render();
  }

  /* ---------------------------------------------------- exam: self-grading */

  function initExam(panel) {
    var widgets = Array.prototype.slice.call(document.querySelectorAll(".dlg-grade"));
    var questions = widgets.map(function (w) {
      return { q: w.dataset.question, max: Number(w.dataset.max), week: w.dataset.week };
    });
    var totalMax = questions.reduce(function (s, q) { return s + q.max; }, 0);
    var summary = el("p", { "class": "dlg-score-total" });
    var table = el("table", { "class": "table dlg-score-weeks" });
    var message = el("p", { "class": "dlg-message", role: "status" });

    // Scores above a question's maximum are ignored (and reported), never shown.
    questions.forEach(function (q) {
      var v = state.scores[q.q];
      if (v !== undefined && v > q.max) {
        if (storage) backup(storage.getItem(KEY));
        delete state.scores[q.q];
        notify("The saved score for Question " + q.q + " was above its maximum and was ignored.");
      }
    });

    function render() {
      var total = 0;
      var graded = 0;
      var byWeek = {};
      questions.forEach(function (q) {
        var w = byWeek[q.week] || (byWeek[q.week] = { got: 0, max: 0 });
        w.max += q.max;
        if (state.scores[q.q] !== undefined) {
          total += state.scores[q.q];
          w.got += state.scores[q.q];
          graded += 1;
        }
      });
      summary.textContent = "Score: " + total + " / " + totalMax + " (" + graded + " of " +
        questions.length + " questions graded)";
      table.textContent = "";
      var head = el("tr");
      ["Week", "Points", "Out of"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
      table.appendChild(head);
      Object.keys(byWeek).sort(function (a, b) { return a - b; }).forEach(function (week) {
        var row = el("tr");
        row.appendChild(el("td", {}, "Week " + week));
        row.appendChild(el("td", { "data-week-score": week }, String(byWeek[week].got)));
        row.appendChild(el("td", {}, String(byWeek[week].max)));
        table.appendChild(row);
      });
    }

    widgets.forEach(function (w, i) {
      var q = questions[i];
      var id = "dlg-score-" + q.q;
      var label = el("label", { "for": id }, "Points you earned on Question " + q.q + " (0 to " + q.max + "): ");
      var input = el("input", { type: "number", id: id, min: "0", max: String(q.max),
                                step: "0.5", inputmode: "decimal", "class": "dlg-score-input" });
      var note = el("span", { "class": "dlg-score-note", role: "status" });
      if (state.scores[q.q] !== undefined) input.value = String(state.scores[q.q]);
      input.addEventListener("change", function () {
        if (input.value === "") {
          delete state.scores[q.q];
          note.textContent = "";
        } else {
          var v = Number(input.value);
          if (!validScore(v) || v > q.max) {
            note.textContent = " Enter a number from 0 to " + q.max + " (halves allowed).";
            return;
          }
          state.scores[q.q] = v;
          note.textContent = " Saved.";
        }
        save();
        render();
      });
      w.appendChild(label);
      w.appendChild(input);
      w.appendChild(note);
    });

    panel.appendChild(el("h2", {}, "Your score"));
    panel.appendChild(summary);
    panel.appendChild(table);
    var actions = el("p", { "class": "dlg-actions" });
    actions.appendChild(button("Reset scores", function () {
      if (!window.confirm("Clear the points you recorded for all 20 questions?")) return;
      state.scores = {};
      save();
      widgets.forEach(function (w) { w.querySelector("input").value = ""; });
      render();
      message.textContent = "Scores reset.";
    }));
    panel.appendChild(actions);
    panel.appendChild(message);
    render();
  }

  /* ------------------------------------------------------------------- start */

  function start() {
    var checklist = document.querySelector("[data-dlg-checklist]");
    var scorePanel = document.getElementById("dlg-score-panel");
    var week = /(?:^|\/)(week\d\d)\.html$/.exec(window.location.pathname);
    if (checklist) initChecklist(checklist);
    if (scorePanel) initExam(scorePanel);
    if (week) initChapter(week[1]);
    if (checklist || scorePanel || week) notices.forEach(notify);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
