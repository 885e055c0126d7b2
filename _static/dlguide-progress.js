/* dlguide: study progress kept in the reader's browser.
 *
 * One record in localStorage, shared by the study checklist, the "Mark Week N done"
 * control of each chapter, the chapters' quizzes and the practice exam's self-grading:
 *
 *   {"version": 2,
 *    "checked": {"week02#the-training-loop": true, ...},   // checklist sections
 *    "scores":  {"1": 3, "13": 5.5, ...},                   // exam points per question
 *    "quiz":    {"week04/conv-params": {"answer": "1216", "correct": true},
 *                "week04/softmax-shift": {"answer": [0], "correct": true}, ...}}
 *
 * A version 1 record (no "quiz") is still read, and kept: it becomes version 2 with no
 * quiz answers the next time something is saved.
 *
 * Two open tabs never overwrite each other: every change is applied to the record as
 * stored at that moment, and a tab redraws itself when another one saves ("storage").
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
  var VERSION = 2;
  var READABLE = [1, 2];                       // versions this script reads and imports
  var ITEM = /^[A-Za-z0-9_-]+#[A-Za-z0-9_-]+$/;             // chapter#section
  var QUESTION = /^(?:[1-9]|1\d|20)$/;
  var QUIZ_ITEM = /^[A-Za-z0-9_-]+\/[a-z0-9]+(?:-[a-z0-9]+)*$/;  // chapter/item

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
    return { version: VERSION, checked: {}, scores: {}, quiz: {} };
  }

  /* A quiz answer: the text typed, or the indices of the options chosen; and whether
   * it was right when checked. */
  function validQuizEntry(entry) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return false;
    if (typeof entry.correct !== "boolean") return false;
    var a = entry.answer;
    if (typeof a === "string") return a.length <= 500;
    return Array.isArray(a) && a.length <= 26 && a.every(function (i) {
      return typeof i === "number" && i >= 0 && i < 26 && Math.floor(i) === i;
    });
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
    if (data.version !== undefined && READABLE.indexOf(data.version) < 0) {
      ignored.push("version " + JSON.stringify(data.version) + " (expected " + VERSION + ")");
    }
    // Old format: item ids at the top level, e.g. {"week02#softmax": true}.
    var checked = data.checked !== undefined ? data.checked : data;
    var scores = data.scores !== undefined ? data.scores : {};
    if (checked && typeof checked === "object" && !Array.isArray(checked)) {
      Object.keys(checked).forEach(function (id) {
        if (checked === data && (id === "version" || id === "scores" || id === "quiz")) return;
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
    var quiz = data.quiz !== undefined ? data.quiz : {};
    if (quiz && typeof quiz === "object" && !Array.isArray(quiz)) {
      Object.keys(quiz).forEach(function (id) {
        if (QUIZ_ITEM.test(id) && validQuizEntry(quiz[id])) {
          state.quiz[id] = { answer: quiz[id].answer, correct: quiz[id].correct };
        } else {
          ignored.push("quiz answer " + JSON.stringify(id));
        }
      });
    } else {
      ignored.push("the quiz answers");
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
  var renderers = [];   // each widget's redraw, run after any change to the state

  function redraw() {
    renderers.forEach(function (render) { render(); });
  }

  /* The record as stored now (another tab may have saved since this page read it). */
  function reread() {
    if (!storage) return;
    var raw = storage.getItem(KEY);
    if (raw === null) {
      state = emptyState();
      return;
    }
    try {
      state = salvage(JSON.parse(raw))[0];
    } catch (e) { /* unreadable: load() kept a backup; go on with what this page has */ }
  }

  /* Every change goes through here: applied to the stored record, saved, redrawn. */
  function change(edit) {
    reread();
    edit(state);
    save();
    redraw();
  }

  window.addEventListener("storage", function (event) {
    if (event.key !== KEY && event.key !== null) return;
    reread();
    redraw();
  });

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

  function setChecked(s, id, value) {
    if (value) s.checked[id] = true;
    else delete s.checked[id];
  }

  function percent(done, total) {
    return total ? Math.round((100 * done) / total) : 0;
  }

  /* ---------------------------------------------------------- study checklist */

  function initChecklist(root) {
    var items = Array.prototype.slice.call(root.querySelectorAll("input.dlg-item"));
    var weeks = Array.prototype.slice.call(root.querySelectorAll("input.dlg-week-done"));
    var panel = document.getElementById("dlg-progress-panel");

    function quizIds(week) {
      var section = root.querySelector('section.dlg-week[data-week="' + week + '"]');
      return (section.dataset.quizIds || "").split(" ").filter(Boolean);
    }

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
        var quizLink = root.querySelector('.dlg-week-quiz[data-week="' + box.dataset.week + '"]');
        var ids = quizIds(box.dataset.week);
        if (quizLink && ids.length) {
          var q = quizScore(ids);
          quizLink.textContent = "Quiz: " + q.right + " of " + ids.length + " right";
        }
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
        var ids = quizIds(box.dataset.week);
        if (ids.length) {
          var q = quizScore(ids);
          row.appendChild(el("span", { "class": "dlg-week-quiz-score",
                                       "data-week-quiz": box.dataset.week },
                             "quiz: " + q.right + " of " + ids.length + " right"));
        }
        weekTable.appendChild(row);
      });
    }

    items.forEach(function (box) {
      box.addEventListener("change", function () {
        change(function (s) { setChecked(s, box.dataset.item, box.checked); });
      });
    });
    weeks.forEach(function (box) {
      box.addEventListener("change", function () {
        change(function (s) {
          itemsOf(box.dataset.week).forEach(function (b) { setChecked(s, b.dataset.item, box.checked); });
        });
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
      change(function (s) { s.checked = {}; });
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
        redraw();
      });
      fileInput.value = "";
    });

    renderers.push(render);
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
    if (READABLE.indexOf(data.version) < 0) return "unknown version " + JSON.stringify(data.version);
    var isObject = function (v) { return typeof v === "object" && v !== null && !Array.isArray(v); };
    if (!isObject(data.checked) || !isObject(data.scores) ||
        (data.quiz !== undefined && !isObject(data.quiz))) {
      return "\"checked\", \"scores\" and \"quiz\" must be objects";
    }
    var result = salvage(data);
    if (result[1].length) return "invalid " + result[1].join(", ");
    state = result[0];
    save();
    redraw();
    return null;
  }

  /* ------------------------------------------------- chapter: mark week done */

  function initChapter(week, number) {
    var article = document.querySelector("article.bd-article");
    var title = article && article.querySelector("h1");
    if (!title) return;
    var ids = Array.prototype.slice.call(article.querySelectorAll("section:not(.dlg-practice) > h2"))
      .map(function (h) { return week + "#" + h.parentElement.id; });
    if (!ids.length) return;
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
      change(function (s) { ids.forEach(function (id) { setChecked(s, id, box.checked); }); });
    });
    renderers.push(render);
    render();
  }

  /* ------------------------------------------------------ chapter: the quiz */

  /* A prediction or number as the reader may write it: "torch.Size([4, 4])", "(4, 4)",
   * "[4,4]", "4 x 4" and "4, 4" all read as "4,4". */
  function normalise(text) {
    return String(text).toLowerCase()
      .replace(/torch\.size|tensor|array|np\.\w+/g, "")
      .replace(/(\d)\s*[x\u00d7]\s*(?=\d)/g, "$1,")
      .replace(/[\s()\[\]{}'"]/g, "")
      .replace(/,+$/, "");
  }

  function number(text) {
    var t = String(text).trim().replace(/(\d)[,\s](?=\d{3}\b)/g, "$1");
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : null;
  }

  function close(a, b, tolerance) {
    return Math.abs(a - b) <= tolerance + 1e-9 * Math.max(1, Math.abs(b));
  }

  /* Is the typed answer right? Numbers within the tolerance; otherwise the normalised
   * texts, compared part by part (numerically where both parts are numbers). */
  function typedAnswerIsRight(typed, answer, tolerance) {
    var x = number(typed), y = number(answer);
    if (y !== null) return x !== null && close(x, y, tolerance);
    var a = normalise(typed).split(","), b = normalise(answer).split(",");
    if (a.length !== b.length) return false;
    return a.every(function (part, i) {
      var p = number(part), q = number(b[i]);
      return p !== null && q !== null ? close(p, q, tolerance) : part === b[i];
    });
  }

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";

  function initQuizItem(form) {
    var id = form.dataset.quizItem;
    var kind = form.dataset.quizKind;
    var options = Array.prototype.slice.call(form.querySelectorAll(".dlg-quiz-option"));
    var input = form.querySelector(".dlg-quiz-input");
    var check = form.querySelector(".dlg-quiz-check");
    var retry = form.querySelector(".dlg-quiz-retry");
    var feedback = form.querySelector(".dlg-quiz-feedback");
    var explanation = form.querySelector(".dlg-quiz-explanation");
    var boxes = options.map(function (o) { return o.querySelector("input"); });

    function rightSet() {
      return options.map(function (o, i) { return o.dataset.correct === "true" ? i : -1; })
        .filter(function (i) { return i >= 0; });
    }

    function grade(answer) {
      if (kind === "choice") {
        var right = rightSet();
        return answer.length === right.length &&
          answer.every(function (i) { return right.indexOf(i) >= 0; });
      }
      return typedAnswerIsRight(answer, form.dataset.answer,
                                Number(form.dataset.tolerance) || 0);
    }

    function render() {
      var saved = state.quiz[id];
      var answered = saved !== undefined;
      boxes.forEach(function (b, i) {
        b.checked = answered && Array.isArray(saved.answer) && saved.answer.indexOf(i) >= 0;
        b.disabled = answered;
      });
      if (input) {
        if (answered) input.value = typeof saved.answer === "string" ? saved.answer : "";
        input.disabled = answered;
      }
      options.forEach(function (o) {
        var reason = o.querySelector(".dlg-quiz-reason");
        var verdict = reason.querySelector(".dlg-quiz-verdict");
        if (!verdict) {   // at the start of the reason's first paragraph
          verdict = el("strong", { "class": "dlg-quiz-verdict" });
          var first = reason.firstElementChild && reason.firstElementChild.tagName === "P"
            ? reason.firstElementChild : reason;
          first.insertBefore(verdict, first.firstChild);
        }
        verdict.textContent = o.dataset.correct === "true" ? "Right option. " : "Wrong option. ";
        reason.hidden = !answered;
        o.classList.toggle("dlg-right", answered && o.dataset.correct === "true");
        o.classList.toggle("dlg-wrong", answered && o.dataset.correct !== "true");
      });
      if (explanation) explanation.hidden = !answered;
      check.hidden = answered;
      retry.hidden = !answered;
      form.classList.toggle("dlg-answered-right", answered && saved.correct);
      form.classList.toggle("dlg-answered-wrong", answered && !saved.correct);
      if (!answered) {
        feedback.textContent = "";
        return;
      }
      var text = saved.correct ? "Right." : "Not quite.";
      if (kind === "choice") {
        var right = rightSet().map(function (i) { return "(" + LETTERS[i] + ")"; });
        if (!saved.correct) {
          text += " The right answer" + (right.length > 1 ? "s are " : " is ") +
            right.join(", ") + ": the reason under each option says why.";
        }
      } else {
        text += (kind === "predict" ? " The cell prints: " : " The answer is ") +
          form.dataset.answer + (saved.correct ? "." : " (you wrote " + saved.answer + ").");
      }
      feedback.textContent = text;
    }

    // Letters for the options, as the printed book and the feedback name them.
    options.forEach(function (o, i) {
      var label = o.querySelector("label");
      label.insertBefore(el("span", { "class": "dlg-quiz-letter" }, "(" + LETTERS[i] + ") "),
                         label.firstChild);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (state.quiz[id] !== undefined) return;
      var answer;
      if (kind === "choice") {
        answer = boxes.map(function (b, i) { return b.checked ? i : -1; })
          .filter(function (i) { return i >= 0; });
        if (!answer.length) {
          feedback.textContent = "Choose an option first.";
          return;
        }
      } else {
        answer = input.value.trim().slice(0, 500);
        if (!answer) {
          feedback.textContent = "Type your answer first.";
          return;
        }
      }
      var correct = grade(answer);
      change(function (s) { s.quiz[id] = { answer: answer, correct: correct }; });
      retry.focus();
    });
    retry.addEventListener("click", function () {
      change(function (s) { delete s.quiz[id]; });
      if (input) input.focus();
      else boxes[0].focus();
    });
    renderers.push(render);
    render();
  }

  function initQuiz(forms) {
    forms.forEach(initQuizItem);
    var ids = forms.map(function (f) { return f.dataset.quizItem; });
    var last = forms[forms.length - 1];
    var summary = el("div", { "class": "dlg-quiz-summary", "data-quiz-summary": "" });
    var score = el("p", { "class": "dlg-quiz-score", role: "status" });
    var reset = button("Reset this quiz", function () {
      if (!window.confirm("Clear your answers to the " + ids.length + " questions of this quiz?")) return;
      change(function (s) { ids.forEach(function (id) { delete s.quiz[id]; }); });
      forms[0].querySelector("input").focus();
    });
    summary.appendChild(score);
    summary.appendChild(el("p", { "class": "dlg-actions" })).appendChild(reset);
    last.parentNode.insertBefore(summary, last.nextSibling);
    renderers.push(function () {
      var r = quizScore(ids);
      score.textContent = "Your score: " + r.right + " of " + ids.length + " right (" +
        r.answered + " answered).";
    });
    redraw();
  }

  /* How many of these quiz items have an answer, and how many a right one. */
  function quizScore(ids) {
    var answered = 0, right = 0;
    ids.forEach(function (id) {
      var entry = state.quiz[id];
      if (entry) {
        answered += 1;
        if (entry.correct) right += 1;
      }
    });
    return { answered: answered, right: right };
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

    function scoreOf(q) {   // a stored score above the question's maximum counts as none
      var v = state.scores[q.q];
      return v !== undefined && v <= q.max ? v : undefined;
    }

    function render() {
      var total = 0;
      var graded = 0;
      var byWeek = {};
      questions.forEach(function (q, i) {
        var w = byWeek[q.week] || (byWeek[q.week] = { got: 0, max: 0 });
        w.max += q.max;
        var input = widgets[i].querySelector("input");
        if (input && document.activeElement !== input) {
          input.value = scoreOf(q) === undefined ? "" : String(scoreOf(q));
        }
        if (scoreOf(q) !== undefined) {
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
      input.addEventListener("change", function () {
        if (input.value === "") {
          change(function (s) { delete s.scores[q.q]; });
          note.textContent = "";
          return;
        }
        var v = Number(input.value);
        if (!validScore(v) || v > q.max) {
          note.textContent = " Enter a number from 0 to " + q.max + " (halves allowed).";
          return;
        }
        change(function (s) { s.scores[q.q] = v; });
        note.textContent = " Saved.";
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
      if (!window.confirm("Clear the points you recorded for all " + questions.length +
                          " questions?")) return;
      change(function (s) { s.scores = {}; });
      message.textContent = "Scores reset.";
    }));
    panel.appendChild(actions);
    panel.appendChild(message);
    renderers.push(render);
    render();
  }

  /* ------------------------------------------------------------------- start */

  function start() {
    var checklist = document.querySelector("[data-dlg-checklist]");
    var scorePanel = document.getElementById("dlg-score-panel");
    // Chapter pages say so (dlguide_book): <meta name="dlguide-chapter" content="week04" ...>
    var chapter = document.querySelector('meta[name="dlguide-chapter"]');
    if (checklist) initChecklist(checklist);
    if (scorePanel) initExam(scorePanel);
    if (chapter) initChapter(chapter.content, chapter.dataset.week);
    var quiz = Array.prototype.slice.call(document.querySelectorAll("form[data-quiz-item]"));
    if (quiz.length) initQuiz(quiz);
    if (checklist || scorePanel || chapter || quiz.length) notices.forEach(notify);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
