/* dlguide: study progress kept in the reader's browser (plain JavaScript, no framework).
 *
 * One record in localStorage, shared by the study checklist, the "Mark Week N done"
 * control of each chapter, the chapters' quizzes, the exams' self-grading and the
 * flashcards:
 *
 *   {"version": 4,
 *    "checked": {"week02#the-training-loop": true, ...},   // checklist sections
 *    "scores":  {"1": 3, "13": 5.5, ...},                   // typed exam points (v2)
 *    "quiz":    {"week04/conv-params": {"answer": "1216", "correct": true},
 *                "week04/softmax-shift": {"answer": [0], "correct": true}, ...},
 *    "rubric":  {"exam/4": ["output-size", "channels"], "exam-b/1": [], ...},
 *    "cards":   {"term/rectified-linear-unit": {"box": 2, "due": "2026-12-05"},
 *                "formula/eq-w03-adam-update": {"box": 1, "due": "2026-12-03"}, ...}}
 *
 * "rubric" holds each graded exam question (page/number) with the elements of its
 * marking scheme the reader earned (an empty list: graded, nothing earned). "scores" are
 * the points typed per question of the practice exam ("exam") before it had marking
 * schemes: still read, kept and shown for a question until it is graded by its rubric.
 * "cards" holds each flashcard reviewed (its data-card id) with its Leitner box (1 to 5)
 * and the reader's local date on which it is next due; a card not in it is new: due
 * today, in box 1. Version 1 (no "quiz"), version 2 (no "rubric") and version 3 (no
 * "cards") records are read and kept: they become version 4 the next time something is
 * saved. Entries for questions, elements or cards a page does not have are kept, not
 * shown.
 *
 * Two open tabs never overwrite each other: every change is applied to the record as
 * stored at that moment (change()), and a tab redraws itself when another one saves
 * (the "storage" event).
 *
 * Robustness rules: one function, parse(), turns text into {state, problems} for both
 * loading and importing. Loading keeps the valid entries, reports the others and copies
 * the original text to a backup key before anything is written; an import with any
 * problem is rejected whole and changes nothing. If storage throws, the page works for
 * the session and says so. Stored values are only ever written to the page with
 * textContent, never as HTML.
 *
 * For the tests only: window.dlguideProgress = {parse, review}
 * (tests/test_progress_record.py).
 */
(() => {
  "use strict";

  const KEY = "dlguide-progress";
  const BACKUP_KEY = "dlguide-progress.backup";
  const VERSION = 4;
  const READABLE = [1, 2, 3, 4];                        // versions this script reads
  const FIELDS = ["version", "checked", "scores", "quiz", "rubric", "cards"];
  const ITEM = /^[A-Za-z0-9_-]+#[A-Za-z0-9_-]+$/;                  // chapter#section
  const QUESTION = /^[1-9][0-9]*$/;   // an exam question's number; the page says which exist
  const QUIZ_ITEM = /^[A-Za-z0-9_-]+\/[a-z0-9]+(?:-[a-z0-9]+)*$/;   // chapter/item
  const EXAM_QUESTION = /^[A-Za-z0-9_-]+\/[1-9][0-9]*$/;             // exam page/number
  const CRITERION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;                   // a rubric element
  const TYPED_EXAM = "exam";   // the page whose questions the typed "scores" belong to
  const CARD = /^(?:term|formula)\/[a-z0-9]+(?:-[a-z0-9]+)*$/;     // a flashcard's data-card
  const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;                      // a local date, YYYY-MM-DD
  // Leitner boxes: a card in box b is due again INTERVALS[b - 1] days after it is graded.
  const INTERVALS = [1, 2, 4, 8, 16];

  /* --------------------------------------------------------- the record's rules */

  const emptyState = () => (
    { version: VERSION, checked: {}, scores: {}, quiz: {}, rubric: {}, cards: {} });

  const isObject = (value) =>
    typeof value === "object" && value !== null && !Array.isArray(value);

  const validScore = (value) =>
    typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 100 &&
    Math.round(value * 2) === value * 2;

  /* A quiz answer: the text typed, or the indices of the options chosen; and whether
   * it was right when checked. */
  function validQuizEntry(entry) {
    if (!isObject(entry) || typeof entry.correct !== "boolean") return false;
    const answer = entry.answer;
    if (typeof answer === "string") return answer.length <= 500;
    return Array.isArray(answer) && answer.length <= 26 &&
      answer.every((i) => Number.isInteger(i) && i >= 0 && i < 26);
  }

  /* A day as the record writes it: the reader's local date, YYYY-MM-DD. */
  const dateText = (day) => [day.getFullYear(), day.getMonth() + 1, day.getDate()]
    .map((n, i) => String(n).padStart(i ? 2 : 4, "0")).join("-");

  /* "2026-12-05" -> that local day (midnight), or null if it is no real date. */
  function readDate(text) {
    if (typeof text !== "string" || !DATE.test(text)) return null;
    const [y, m, d] = text.split("-").map(Number);
    const day = new Date(y, m - 1, d);
    return dateText(day) === text ? day : null;
  }

  /* A flashcard's review: its box and the date it is next due. */
  const validCardEntry = (entry) =>
    isObject(entry) && Number.isInteger(entry.box) && entry.box >= 1 &&
    entry.box <= INTERVALS.length && readDate(entry.due) !== null;

  /* Text (from storage or from an imported file) -> {state, problems}: a state holding
   * every valid entry of the record, and one line for each thing that is not valid. */
  function parse(text) {
    const state = emptyState();
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { state, problems: ["the record is not valid JSON"] };
    }
    if (!isObject(data)) return { state, problems: ["the record is not a JSON object"] };
    const problems = [];
    if (data.version === undefined) {
      problems.push("the record has no version");
    } else if (!READABLE.includes(data.version)) {
      problems.push(`the record's version ${JSON.stringify(data.version)} is unknown ` +
                    `(this book reads ${READABLE.slice(0, -1).join(", ")} and ${READABLE.at(-1)})`);
    }
    for (const field of Object.keys(data)) {
      if (!FIELDS.includes(field)) problems.push(`unknown field ${JSON.stringify(field)}`);
    }

    // Each field's entries one by one: keep(key, value) stores a valid entry and says so.
    const entries = (field, what, keep) => {
      const value = data[field];
      if (value === undefined && ((field === "quiz" && data.version === 1) ||
                                  (field === "rubric" && data.version < 3) ||
                                  (field === "cards" && data.version < 4))) return;
      if (!isObject(value)) {
        problems.push(`"${field}" is missing or not an object`);
        return;
      }
      for (const [key, entry] of Object.entries(value)) {
        if (!keep(key, entry)) problems.push(`bad ${what} ${JSON.stringify(key)}`);
      }
    };
    entries("checked", "checklist entry", (id, ticked) => {
      if (!ITEM.test(id) || typeof ticked !== "boolean") return false;
      if (ticked) state.checked[id] = true;
      return true;
    });
    entries("scores", "exam score", (question, points) => {
      if (!QUESTION.test(question) || !validScore(points)) return false;
      state.scores[question] = points;
      return true;
    });
    entries("quiz", "quiz answer", (id, entry) => {
      if (!QUIZ_ITEM.test(id) || !validQuizEntry(entry)) return false;
      const answer = Array.isArray(entry.answer) ? [...entry.answer] : entry.answer;
      state.quiz[id] = { answer, correct: entry.correct };
      return true;
    });
    entries("rubric", "exam marking", (question, earned) => {
      if (!EXAM_QUESTION.test(question) || !Array.isArray(earned) || earned.length > 50 ||
          !earned.every((id) => typeof id === "string" && CRITERION.test(id)) ||
          new Set(earned).size !== earned.length) return false;
      state.rubric[question] = [...earned];
      return true;
    });
    entries("cards", "flashcard entry", (id, entry) => {
      if (!CARD.test(id) || !validCardEntry(entry)) return false;
      state.cards[id] = { box: entry.box, due: entry.due };
      return true;
    });
    return { state, problems };
  }

  /* A flashcard's record entry after a grade on the local day `today` (YYYY-MM-DD):
   * 1 "Again" sends it to box 1, due today; 2 "Hard" keeps its box; 3 "Good" moves it up
   * a box (5 at most); each then due the box's interval after today. `entry` is
   * undefined for a new card (box 1). */
  function review(entry, grade, today) {
    const box = entry ? entry.box : 1;
    if (grade === 1) return { box: 1, due: today };
    const next = grade === 2 ? box : Math.min(box + 1, INTERVALS.length);
    const day = readDate(today);
    day.setDate(day.getDate() + INTERVALS[next - 1]);
    return { box: next, due: dateText(day) };
  }

  window.dlguideProgress = { parse, review };   // for the tests only

  /* ---------------------------------------------------------------- storage */

  function openStorage() {
    try {
      const s = window.localStorage;
      const probe = `${KEY}.probe`;
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // disabled, full, or blocked: work in memory for this session
    }
  }

  let storage = openStorage();
  const notices = [];

  function backup(raw) {
    try { storage.setItem(BACKUP_KEY, raw); } catch (e) { /* nothing more we can do */ }
  }

  function load() {
    if (!storage) {
      notices.push("Your browser does not allow this page to store data, so progress " +
                   "works for this visit only and will not be saved.");
      return emptyState();
    }
    const raw = storage.getItem(KEY);
    if (raw === null) return emptyState();
    const { state, problems } = parse(raw);
    if (problems.length) {
      backup(raw);
      const more = problems.length > 5 ? ` and ${problems.length - 5} more` : "";
      notices.push(`Some saved progress was ignored (${problems.slice(0, 5).join("; ")}` +
                   `${more}). Anything else was kept, and the original was copied to ` +
                   `this browser's storage under "${BACKUP_KEY}".`);
    }
    return state;
  }

  let state = load();
  const renderers = [];   // each widget's redraw, run after any change to the state

  const redraw = () => renderers.forEach((render) => render());

  /* The record as stored now (another tab may have saved since this page read it). If
   * what is stored now is not a valid record, it is copied to the backup key and this
   * page's own record stands: nothing the reader saved is lost either way. */
  function reread() {
    if (!storage) return;
    const raw = storage.getItem(KEY);
    if (raw === null) {
      state = emptyState();
      return;
    }
    const { state: stored, problems } = parse(raw);
    if (problems.length) backup(raw);
    else state = stored;
  }

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

  /* Every change goes through here: applied to the stored record, saved, redrawn. */
  function change(edit) {
    reread();
    edit(state);
    save();
    redraw();
  }

  window.addEventListener("storage", (event) => {
    if (event.key !== KEY && event.key !== null) return;
    reread();
    redraw();
  });

  /* Replace the progress with an exported file's; or, if anything in it is not valid,
   * change nothing and return its problems. */
  function importProgress(text) {
    const { state: imported, problems } = parse(text);
    if (!problems.length) change((s) => Object.assign(s, imported));
    return problems;
  }

  /* ---------------------------------------------------------------- notices */

  let noticeBox = null;

  function notify(text) {
    if (!noticeBox) {
      noticeBox = el("div", { class: "dlg-notice admonition warning", role: "status" });
      const article = document.querySelector("article.bd-article") || document.body;
      article.prepend(noticeBox);
    }
    noticeBox.append(el("p", {}, text));
  }

  /* ---------------------------------------------------------------- helpers */

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, onClick) {
    const b = el("button", { type: "button", class: "btn btn-sm btn-outline-primary" }, label);
    b.addEventListener("click", onClick);
    return b;
  }

  function setChecked(s, id, value) {
    if (value) s.checked[id] = true;
    else delete s.checked[id];
  }

  const percent = (done, total) => (total ? Math.round((100 * done) / total) : 0);

  /* How many of these quiz items have an answer, and how many a right one. */
  function quizScore(ids) {
    let answered = 0;
    let right = 0;
    for (const id of ids) {
      const entry = state.quiz[id];
      if (entry) {
        answered += 1;
        if (entry.correct) right += 1;
      }
    }
    return { answered, right };
  }

  /* ---------------------------------------------------------- study checklist */

  function initChecklist(root) {
    const items = [...root.querySelectorAll("input.dlg-item")];
    const weeks = [...root.querySelectorAll("input.dlg-week-done")];
    const panel = document.getElementById("dlg-progress-panel");

    const quizIds = (week) => {
      const section = root.querySelector(`section.dlg-week[data-week="${week}"]`);
      return (section.dataset.quizIds || "").split(" ").filter(Boolean);
    };
    const itemsOf = (week) => items.filter((box) => box.dataset.item.startsWith(`${week}#`));
    // The exams' questions (dlguide_checklist writes them from dlguide_exam's data).
    const examData = document.getElementById("dlg-exam-data");
    const exams = examData ? JSON.parse(examData.textContent) : [];
    const doneOf = (week) => itemsOf(week).filter((box) => box.checked).length;

    // The panel: overall bar, per-week bars, reset / export / import.
    const overall = el("progress", { id: "dlg-overall", "aria-label": "Overall progress" });
    const overallText = el("span", { id: "dlg-overall-text" });
    const weekTable = el("div", { class: "dlg-week-table" });
    const message = el("p", { class: "dlg-message", role: "status" });
    const fileInput = el("input", { type: "file", accept: "application/json,.json",
                                    id: "dlg-import-file", class: "dlg-visually-hidden" });
    const fileLabel = el("label", { for: "dlg-import-file", class: "dlg-visually-hidden" },
                         "Progress file to import");
    const line = el("p", { class: "dlg-overall" });
    line.append(overall, overallText);
    const actions = el("p", { class: "dlg-actions" });
    actions.append(
      button("Export progress", () => {
        const blob = new Blob([JSON.stringify(state, null, 2)], { type: "application/json" });
        const link = el("a", { href: URL.createObjectURL(blob), download: "dlguide-progress.json" });
        document.body.append(link);
        link.click();
        link.remove();
        message.textContent = "Progress exported to dlguide-progress.json.";
      }),
      button("Import progress", () => fileInput.click()),
      button("Reset checklist", () => {
        if (!window.confirm("Untick every section of the checklist? This cannot be undone " +
                            "(export your progress first to keep a copy).")) return;
        change((s) => { s.checked = {}; });
        message.textContent = "Checklist reset.";
      }));
    panel.append(el("h2", {}, "Your progress"), line, weekTable, actions, fileLabel, fileInput,
                 message);

    function render() {
      let done = 0;
      for (const box of items) {
        box.checked = Boolean(state.checked[box.dataset.item]);
        if (box.checked) done += 1;
      }
      weekTable.textContent = "";
      for (const box of weeks) {
        const week = box.dataset.week;
        const own = itemsOf(week).length;
        const ownDone = doneOf(week);
        box.checked = own > 0 && ownDone === own;
        box.indeterminate = ownDone > 0 && ownDone < own;
        root.querySelector(`.dlg-week-progress[data-week="${week}"]`).textContent =
          `(${ownDone} of ${own} sections)`;
        const ids = quizIds(week);
        const { right, answered } = quizScore(ids);
        const quizText = answered ? `${right} of ${ids.length} right`
          : `${ids.length} questions, not started`;
        const quizLink = root.querySelector(`.dlg-week-quiz[data-week="${week}"]`);
        if (quizLink && ids.length) quizLink.textContent = `Quiz: ${quizText}`;

        const row = el("div", { class: "dlg-week-row" });
        const name = box.closest("section").querySelector("h2").textContent.split(" \u00b7")[0];
        row.append(el("span", { class: "dlg-week-name" }, name),
                   el("progress", { max: String(own), value: String(ownDone),
                                    "aria-label": `${name} progress` }),
                   el("span", {}, `${ownDone}/${own}`));
        if (ids.length) {
          row.append(el("span", { class: "dlg-week-quiz-score", "data-week-quiz": week },
                        `quiz: ${quizText}`));
        }
        const examScores = el("span", { class: "dlg-week-exams" });
        for (const exam of exams) {
          const w = scoresByWeek(exam.questions.filter((q) => q.week === week)).get(week);
          if (!w) continue;
          const cell = el("span", { class: "dlg-week-exam-score",
                                    "data-week-exam": `${exam.exam}/${week}` });
          cell.append(el("a", { href: exam.url }, exam.title),
                      document.createTextNode(w.graded
                        ? `: ${fmt(w.got)} / ${w.max}` : `: not graded (${w.max} points)`));
          examScores.append(cell);
        }
        if (examScores.childElementCount) row.append(examScores);
        weekTable.append(row);
      }
      overall.value = done;
      overall.max = items.length;
      overallText.textContent =
        `${done} of ${items.length} sections done (${percent(done, items.length)}%)`;
    }

    for (const box of items) {
      box.addEventListener("change", () => {
        change((s) => setChecked(s, box.dataset.item, box.checked));
      });
    }
    for (const box of weeks) {
      box.addEventListener("change", () => {
        change((s) => {
          for (const item of itemsOf(box.dataset.week)) setChecked(s, item.dataset.item, box.checked);
        });
      });
    }
    fileInput.addEventListener("change", async () => {
      const file = fileInput.files[0];
      if (!file) return;
      fileInput.value = "";
      const problems = importProgress(await file.text());
      message.textContent = problems.length
        ? `Import rejected (${problems.join("; ")}). Nothing was changed.`
        : `Progress imported from ${file.name}.`;
    });

    renderers.push(render);
    render();
  }

  /* ------------------------------------------------- chapter: mark week done */

  function initChapter(week, number) {
    const article = document.querySelector("article.bd-article");
    const title = article && article.querySelector("h1");
    if (!title) return;
    const ids = [...article.querySelectorAll("section:not(.dlg-unlisted) > h2")]
      .map((h) => `${week}#${h.parentElement.id}`);
    if (!ids.length) return;
    const box = el("input", { type: "checkbox", id: "dlg-chapter-done" });
    const label = el("label", { for: "dlg-chapter-done" }, ` Mark Week ${number} done`);
    const status = el("span", { class: "dlg-chapter-status" });
    const wrap = el("p", { class: "dlg-chapter-done" });
    wrap.append(box, label, status);
    title.after(wrap);

    function render() {
      const done = ids.filter((id) => state.checked[id]).length;
      box.checked = done === ids.length;
      box.indeterminate = done > 0 && done < ids.length;
      status.textContent = ` (${done} of ${ids.length} sections ticked in the study checklist)`;
    }
    box.addEventListener("change", () => {
      change((s) => {
        for (const id of ids) setChecked(s, id, box.checked);
      });
    });
    renderers.push(render);
    render();
  }

  /* ------------------------------------------------------ chapter: the quiz */

  /* A prediction or number as the reader may write it: "torch.Size([4, 4])", "(4, 4)",
   * "[4,4]", "4 x 4" and "4, 4" all read as "4,4". */
  const normalise = (text) => String(text).toLowerCase()
    .replace(/torch\.size|tensor|array|np\.\w+/g, "")
    .replace(/(\d)\s*[x\u00d7]\s*(?=\d)/g, "$1,")
    .replace(/[\s()[\]{}'"]/g, "")
    .replace(/,+$/, "");

  function number(text) {
    const t = String(text).trim().replace(/(\d)[,\s](?=\d{3}\b)/g, "$1");
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : null;
  }

  const close = (a, b, tolerance) =>
    Math.abs(a - b) <= tolerance + 1e-9 * Math.max(1, Math.abs(b));

  /* Is the typed answer right? Numbers within the tolerance; otherwise the normalised
   * texts, compared part by part (numerically where both parts are numbers). */
  function typedAnswerIsRight(typed, answer, tolerance) {
    const x = number(typed);
    const y = number(answer);
    if (y !== null) return x !== null && close(x, y, tolerance);
    const a = normalise(typed).split(",");
    const b = normalise(answer).split(",");
    if (a.length !== b.length) return false;
    return a.every((part, i) => {
      const p = number(part);
      const q = number(b[i]);
      return p !== null && q !== null ? close(p, q, tolerance) : part === b[i];
    });
  }

  const LETTERS = "abcdefghijklmnopqrstuvwxyz";

  function initQuizItem(form) {
    const id = form.dataset.quizItem;
    const kind = form.dataset.quizKind;
    const options = [...form.querySelectorAll(".dlg-quiz-option")];
    const input = form.querySelector(".dlg-quiz-input");
    const check = form.querySelector(".dlg-quiz-check");
    const retry = form.querySelector(".dlg-quiz-retry");
    const feedback = form.querySelector(".dlg-quiz-feedback");
    const explanation = form.querySelector(".dlg-quiz-explanation");
    const boxes = options.map((o) => o.querySelector("input"));
    const isRight = (o) => o.dataset.correct === "true";
    const rightSet = () => options.flatMap((o, i) => (isRight(o) ? [i] : []));

    function grade(answer) {
      if (kind === "choice") {
        const right = rightSet();
        return answer.length === right.length && answer.every((i) => right.includes(i));
      }
      return typedAnswerIsRight(answer, form.dataset.answer, Number(form.dataset.tolerance) || 0);
    }

    function render() {
      const saved = state.quiz[id];
      const answered = saved !== undefined;
      boxes.forEach((b, i) => {
        b.checked = answered && Array.isArray(saved.answer) && saved.answer.includes(i);
        b.disabled = answered;
      });
      if (input) {
        if (answered) input.value = typeof saved.answer === "string" ? saved.answer : "";
        input.disabled = answered;
      }
      for (const o of options) {
        const reason = o.querySelector(".dlg-quiz-reason");
        let verdict = reason.querySelector(".dlg-quiz-verdict");
        if (!verdict) {   // at the start of the reason's first paragraph
          verdict = el("strong", { class: "dlg-quiz-verdict" });
          const first = reason.firstElementChild && reason.firstElementChild.tagName === "P"
            ? reason.firstElementChild : reason;
          first.prepend(verdict);
        }
        verdict.textContent = isRight(o) ? "Right option. " : "Wrong option. ";
        reason.hidden = !answered;
        o.classList.toggle("dlg-right", answered && isRight(o));
        o.classList.toggle("dlg-wrong", answered && !isRight(o));
      }
      if (explanation) explanation.hidden = !answered;
      check.hidden = answered;
      retry.hidden = !answered;
      form.classList.toggle("dlg-answered-right", answered && saved.correct);
      form.classList.toggle("dlg-answered-wrong", answered && !saved.correct);
      if (!answered) {
        feedback.textContent = "";
        return;
      }
      let text = saved.correct ? "Right." : "Not quite.";
      if (kind === "choice") {
        const right = rightSet().map((i) => `(${LETTERS[i]})`);
        if (!saved.correct) {
          text += ` The right answer${right.length > 1 ? "s are" : " is"} ${right.join(", ")}: ` +
            "the reason under each option says why.";
        }
      } else {
        text += (kind === "predict" ? " The cell prints: " : " The answer is ") +
          form.dataset.answer + (saved.correct ? "." : ` (you wrote ${saved.answer}).`);
      }
      feedback.textContent = text;
    }

    // Letters for the options, as the printed book and the feedback name them.
    options.forEach((o, i) => {
      o.querySelector("label").prepend(el("span", { class: "dlg-quiz-letter" }, `(${LETTERS[i]}) `));
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (state.quiz[id] !== undefined) return;
      let answer;
      if (kind === "choice") {
        answer = boxes.flatMap((b, i) => (b.checked ? [i] : []));
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
      const correct = grade(answer);
      change((s) => { s.quiz[id] = { answer, correct }; });
      retry.focus();
    });
    retry.addEventListener("click", () => {
      change((s) => { delete s.quiz[id]; });
      (input || boxes[0]).focus();
    });
    renderers.push(render);
    render();
  }

  function initQuiz(forms) {
    forms.forEach(initQuizItem);
    const ids = forms.map((f) => f.dataset.quizItem);
    const summary = el("div", { class: "dlg-quiz-summary", "data-quiz-summary": "" });
    const score = el("p", { class: "dlg-quiz-score", role: "status" });
    const actions = el("p", { class: "dlg-actions" });
    actions.append(button("Reset this quiz", () => {
      if (!window.confirm(`Clear your answers to the ${ids.length} questions of this quiz?`)) return;
      change((s) => {
        for (const id of ids) delete s.quiz[id];
      });
      forms[0].querySelector("input").focus();
    }));
    summary.append(score, actions);
    forms[forms.length - 1].after(summary);
    renderers.push(() => {
      const { answered, right } = quizScore(ids);
      score.textContent = `Your score: ${right} of ${ids.length} right (${answered} answered).`;
    });
    redraw();
  }

  /* ------------------------------------------------ exams: marking schemes */

  /* A question's score: the points of the elements ticked once it is graded by its
   * rubric, else the points typed for it under the old scheme (practice exam only), else
   * undefined. q = {key, points, criteria: {id: points}}. */
  function questionScore(q) {
    const earned = state.rubric[q.key];
    if (earned) {
      const points = earned.reduce((sum, id) => sum + (q.criteria[id] || 0), 0);
      return { points: Math.min(points, q.points), typed: false };
    }
    const [exam, number] = q.key.split("/");
    const typed = exam === TYPED_EXAM ? state.scores[number] : undefined;
    if (typed !== undefined && typed <= q.points) return { points: typed, typed: true };
    return undefined;
  }

  /* {week: {got, max, graded}} over an exam's questions. */
  function scoresByWeek(questions) {
    const weeks = new Map();
    for (const q of questions) {
      if (!weeks.has(q.week)) weeks.set(q.week, { got: 0, max: 0, graded: 0 });
      const w = weeks.get(q.week);
      w.max += q.points;
      const score = questionScore(q);
      if (score) {
        w.got += score.points;
        w.graded += 1;
      }
    }
    return weeks;
  }

  const weekNumber = (week) => Number(String(week).replace(/\D/g, ""));
  const fmt = (n) => String(Math.round(n * 2) / 2);

  /* An exam page: a tick box for every element of every marking scheme, a line per
   * question, and the score panel with the weakest sections. */
  function initExam(panel) {
    const exam = panel.dataset.examScore;
    const questions = [...document.querySelectorAll("[data-exam-question]")]
      .filter((node) => node.dataset.examQuestion.startsWith(`${exam}/`))
      .map((node) => ({ key: node.dataset.examQuestion, points: Number(node.dataset.points),
                        week: `week${node.dataset.week.padStart(2, "0")}`, criteria: {},
                        elements: [] }));
    const byKey = new Map(questions.map((q) => [q.key, q]));
    for (const node of document.querySelectorAll("[data-rubric-item]")) {
      const key = node.dataset.rubricItem;
      const q = byKey.get(key.slice(0, key.lastIndexOf("/")));
      if (!q) continue;
      const id = key.slice(key.lastIndexOf("/") + 1);
      q.criteria[id] = Number(node.dataset.points);
      q.elements.push({ id, node });
    }
    const totalMax = questions.reduce((sum, q) => sum + q.points, 0);
    for (const q of questions) {
      const typed = q.key.startsWith(`${TYPED_EXAM}/`) && state.scores[q.key.split("/")[1]];
      if (typed !== undefined && typed > q.points) {
        notify(`The saved score for Question ${q.key.split("/")[1]} was above its maximum ` +
               "and was ignored.");
      }
    }

    // Each question: tick boxes on its rubric's elements, its score, two buttons.
    const lines = new Map();
    for (const q of questions) {
      if (!q.elements.length) continue;
      const number = q.key.split("/")[1];
      for (const { id, node } of q.elements) {
        const text = node.querySelector("p") || node;
        text.id = text.id || `dlg-rubric-text-${q.key.replace("/", "-")}-${id}`;
        const box = el("input", { type: "checkbox", class: "dlg-rubric-box",
                                  id: `dlg-rubric-${q.key.replace("/", "-")}-${id}`,
                                  "aria-labelledby": text.id });
        box.addEventListener("change", () => {
          change((s) => {
            const earned = new Set(s.rubric[q.key] || []);
            if (box.checked) earned.add(id);
            else earned.delete(id);
            // page order, so the record reads like the marking scheme
            s.rubric[q.key] = q.elements.map((e) => e.id).filter((e) => earned.has(e));
          });
        });
        node.prepend(box);
      }
      const line = el("p", { class: "dlg-question-score", role: "status",
                             "data-question-score": q.key });
      const actions = el("p", { class: "dlg-actions" });
      actions.append(
        button("None earned", () => change((s) => { s.rubric[q.key] = []; })),
        button("Clear", () => change((s) => { delete s.rubric[q.key]; })));
      const rubric = q.elements[q.elements.length - 1].node.parentElement;
      rubric.append(line, actions);
      lines.set(q.key, { q, line, number });
    }

    const summary = el("p", { class: "dlg-score-total" });
    const table = el("table", { class: "table dlg-score-weeks" });
    const weakest = el("div", { class: "dlg-weakest", "data-weakest-sections": "" });
    const message = el("p", { class: "dlg-message", role: "status" });

    function render() {
      for (const { q, line, number } of lines.values()) {
        const earned = new Set(state.rubric[q.key] || []);
        for (const { id, node } of q.elements) node.querySelector("input").checked = earned.has(id);
        const score = questionScore(q);
        line.textContent = !score
          ? `Question ${number}: not graded yet. Tick each element your answer has.`
          : score.typed
            ? `Question ${number}: ${fmt(score.points)} of ${q.points} points, as you typed ` +
              "them before this marking scheme. Tick the elements to grade it by the scheme."
            : `Question ${number}: ${fmt(score.points)} of ${q.points} points.`;
      }
      let total = 0;
      let graded = 0;
      for (const q of questions) {
        const score = questionScore(q);
        if (score) {
          total += score.points;
          graded += 1;
        }
      }
      summary.textContent = `Score: ${fmt(total)} / ${totalMax} (${graded} of ` +
        `${questions.length} questions graded)`;
      table.textContent = "";
      const head = el("tr");
      for (const h of ["Week", "Points", "Out of"]) head.append(el("th", { scope: "col" }, h));
      table.append(head);
      const weeks = scoresByWeek(questions);
      for (const week of [...weeks.keys()].sort((a, b) => weekNumber(a) - weekNumber(b))) {
        const row = el("tr");
        row.append(el("td", {}, `Week ${weekNumber(week)}`),
                   el("td", { "data-week-score": weekNumber(week) }, fmt(weeks.get(week).got)),
                   el("td", {}, String(weeks.get(week).max)));
        table.append(row);
      }
      // The sections where most points were missed, over the questions graded by rubric.
      const missed = new Map();
      for (const q of questions) {
        const earned = state.rubric[q.key];
        if (!earned) continue;
        for (const { id, node } of q.elements) {
          if (earned.includes(id)) continue;
          const link = node.querySelector("a.dlg-criterion-teaches");
          if (!link) continue;
          const href = link.getAttribute("href");
          const entry = missed.get(href) || { href, link, points: 0 };
          entry.points += q.criteria[id];
          missed.set(href, entry);
        }
      }
      const worst = [...missed.values()].sort((a, b) => b.points - a.points).slice(0, 5);
      weakest.textContent = "";
      if (worst.length) {
        weakest.append(el("h3", {}, "Where you lost most points"));
        const list = el("ol");
        for (const w of worst) {
          const item = el("li");
          // the section's own link, copied from the page (its title may hold maths)
          const link = w.link.cloneNode(true);
          link.removeAttribute("id");
          link.setAttribute("data-weak-section", w.href);
          item.append(link,
                      document.createTextNode(` (${fmt(w.points)} ` +
                        `point${w.points === 1 ? "" : "s"} missed)`));
          list.append(item);
        }
        weakest.append(list);
      } else if (Object.keys(state.rubric).some((k) => byKey.has(k))) {
        weakest.append(el("p", {}, "No points lost on the questions graded so far."));
      }
    }

    const actions = el("p", { class: "dlg-actions" });
    actions.append(button("Reset scores", () => {
      if (!window.confirm(`Clear the grading of all ${questions.length} questions of this ` +
                          "exam?")) return;
      change((s) => {
        for (const q of questions) {
          delete s.rubric[q.key];
          if (exam === TYPED_EXAM) delete s.scores[q.key.split("/")[1]];
        }
      });
      message.textContent = "Scores reset.";
    }));
    panel.append(el("h2", {}, "Your score"), summary, table, weakest, actions, message);
    renderers.push(render);
    render();
  }

  /* ------------------------------------------------------------- flashcards */

  const GRADES = ["Again", "Hard", "Good"];   // keys 1, 2, 3

  const today = () => dateText(new Date());

  /* "tomorrow", "in 3 days": from the local day `from` to `to` (both YYYY-MM-DD). */
  function inDays(from, to) {
    const n = Math.round((readDate(to) - readDate(from)) / 86400000);
    return n <= 0 ? "today" : n === 1 ? "tomorrow" : `in ${n} days`;
  }

  const cardsText = (n) => `${n} card${n === 1 ? "" : "s"}`;

  /* The flashcards page (dlguide_flashcards writes the cards: front and back of each,
   * all shown, a list that works without this script): a week filter, the number of
   * cards due today, and a review of the due cards one at a time (Space shows the
   * answer, 1/2/3 grade it). The cards' HTML is the page's own; from the record only
   * boxes and dates are read, and shown as text. */
  function initFlashcards(root) {
    const cards = [];
    [...root.querySelectorAll(".dlg-card[data-card]")].forEach((node, i) => {
      const id = node.dataset.card;
      const front = node.querySelector(".dlg-card-front");
      const back = node.querySelector(".dlg-card-back");
      if (!CARD.test(id) || !front || !back) {
        notify(`The flashcard ${JSON.stringify(id)} has no front and back or an id the ` +
               "progress record cannot store: it is left out of the review.");
        return;
      }
      front.id = front.id || `dlg-card-front-${i}`;
      back.id = back.id || `dlg-card-back-${i}`;
      back.setAttribute("tabindex", "-1");   // the answer takes the focus when shown
      const weeks = (node.dataset.weeks || "").split(" ").filter(Boolean);
      cards.push({ id, node, front, back, weeks, index: cards.length });
    });
    const weeks = [...new Set(cards.flatMap((c) => c.weeks))]
      .sort((a, b) => weekNumber(a) - weekNumber(b));

    const controls = el("div", { class: "dlg-flashcards-controls" });
    const filter = el("p", { class: "dlg-flashcards-filter" });
    const select = el("select", { id: "dlg-flashcards-week" });
    select.append(el("option", { value: "" }, "All weeks"));
    for (const week of weeks) {
      select.append(el("option", { value: week }, `Week ${weekNumber(week)}`));
    }
    filter.append(el("label", { for: "dlg-flashcards-week" }, "Cards from "), select);
    const dueLine = el("p", { class: "dlg-flashcards-due" });
    controls.append(filter, dueLine);

    const area = el("div", { class: "dlg-flashcards-review" });
    const where = el("p", { class: "dlg-flashcards-where" });
    const show = button("Show answer", () => flip());
    show.classList.add("dlg-flashcards-show");
    const showRow = el("p", { class: "dlg-actions" });
    showRow.append(show);
    const grades = el("p", { class: "dlg-actions dlg-flashcards-grades", role: "group",
                             "aria-label": "How well did you know it?" });
    GRADES.forEach((name, i) => {
      const b = button(name, () => grade(i + 1));
      b.setAttribute("aria-keyshortcuts", String(i + 1));
      b.dataset.grade = String(i + 1);
      grades.append(b);
    });
    show.setAttribute("aria-keyshortcuts", "Space");
    const empty = el("p", { class: "dlg-flashcards-empty", tabindex: "-1" });
    const status = el("p", { class: "dlg-flashcards-status", role: "status",
                             "aria-live": "polite" });
    const keys = el("p", { class: "dlg-flashcards-keys" },
                    "Keys: Space shows the answer; 1 (Again), 2 (Hard) and 3 (Good) grade it. " +
                    "Again: back to box 1, due today. Hard: same box. Good: up one box. A card " +
                    `in box 1 to ${INTERVALS.length} is due again after ` +
                    `${INTERVALS.slice(0, -1).join(", ")} or ${INTERVALS.at(-1)} days.`);
    const boxes = el("p", { class: "dlg-flashcards-boxes" });
    area.append(where, showRow, grades, empty, status, boxes, keys);

    root.classList.add("dlg-flashcards-ready");
    root.prepend(controls);
    root.append(area);

    let current = null;   // the card shown (its entry in `cards`), or null
    let flipped = false;  // its answer shown
    let after = -1;       // the next card is the first due one after this index

    const isDue = (card, day) => {
      const entry = state.cards[card.id];
      return !entry || entry.due <= day;
    };
    const filtered = () => cards.filter((c) => !select.value || c.weeks.includes(select.value));
    const setName = () => (select.value ? `Week ${weekNumber(select.value)}` : "all weeks");

    function render() {
      const day = today();
      const shown = filtered();
      const due = shown.filter((c) => isDue(c, day));
      if (!current || !due.includes(current)) {
        current = due.find((c) => c.index > after) || due[0] || null;
        flipped = false;
      }
      for (const c of cards) {
        c.node.hidden = c !== current;
        c.back.hidden = !(c === current && flipped);
      }
      dueLine.textContent = `${cardsText(due.length)} due today (of ${cardsText(shown.length)}, ` +
        `${setName()}).`;
      showRow.hidden = !current || flipped;
      grades.hidden = !current || !flipped;
      empty.hidden = Boolean(current);
      if (current) {
        const entry = state.cards[current.id];
        where.textContent = `Card ${due.indexOf(current) + 1} of ${due.length} due: ` +
          (entry ? `box ${entry.box} of ${INTERVALS.length}.` : "new (box 1).");
        show.setAttribute("aria-describedby", current.front.id);
      } else {
        where.textContent = "";
        const next = shown.map((c) => state.cards[c.id].due).sort()[0];
        empty.textContent = next
          ? `No cards due today. The next one is due ${inDays(day, next)} (${next}).`
          : "This page has no flashcards.";
      }
      where.hidden = !current;
      const counts = INTERVALS.map((_, b) =>
        shown.filter((c) => state.cards[c.id] && state.cards[c.id].box === b + 1).length);
      const fresh = shown.filter((c) => !state.cards[c.id]).length;
      boxes.textContent = `Cards (${setName()}): ${fresh} new; ` +
        counts.map((n, b) => `box ${b + 1}: ${n}`).join(", ") + ".";
    }

    /* Typeset the maths of an answer just shown (MathJax may have skipped it hidden). */
    function typeset(node) {
      const mj = window.MathJax;
      if (!mj || typeof mj.typesetPromise !== "function") return;  // not loaded: it will
      const ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
      ready.then(() => mj.typesetPromise([node])).catch(() => { /* the TeX stays readable */ });
    }

    function flip() {
      if (!current || flipped) return;
      flipped = true;
      render();
      typeset(current.back);
      current.back.focus();
      status.textContent = "Answer shown. Grade it: 1 Again, 2 Hard, 3 Good.";
    }

    function grade(n) {
      if (!current || !flipped) return;
      const card = current;
      const day = today();
      after = card.index;
      current = null;
      change((s) => { s.cards[card.id] = review(s.cards[card.id], n, day); });
      const entry = state.cards[card.id];
      const next = n === 1 ? "goes back to box 1, due again today"
        : `${n === 2 ? "stays in" : "moves to"} box ${entry.box}, due again ` +
          `${inDays(day, entry.due)} (${entry.due})`;
      const left = filtered().filter((c) => isDue(c, day)).length;
      status.textContent = `${GRADES[n - 1]}: "${card.front.textContent.trim()}" ${next}. ` +
        `${cardsText(left)} due today.`;
      (current ? show : empty).focus();
    }

    select.addEventListener("change", () => {
      current = null;
      after = -1;
      render();
      status.textContent = dueLine.textContent;
    });
    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      const target = event.target instanceof Element ? event.target : document.body;
      if (target.closest("input, select, textarea, [contenteditable]")) return;   // typing
      if (event.key === " " && !flipped && current) {
        if (target.closest("button, a, summary")) return;   // Space presses what has the focus
        event.preventDefault();
        flip();
      } else if (flipped && ["1", "2", "3"].includes(event.key)) {
        event.preventDefault();
        grade(Number(event.key));
      }
    });
    renderers.push(render);
    render();
  }

  /* ------------------------------------------------------------------- start */

  function start() {
    const checklist = document.querySelector("[data-dlg-checklist]");
    const scorePanels = [...document.querySelectorAll("[data-exam-score]")];
    // Chapter pages say so (dlguide_book): <meta name="dlguide-chapter" content="week04" ...>
    const chapter = document.querySelector('meta[name="dlguide-chapter"]');
    const quiz = [...document.querySelectorAll("form[data-quiz-item]")];
    const flashcards = document.querySelector("[data-flashcards]");
    if (checklist) initChecklist(checklist);
    scorePanels.forEach(initExam);
    if (chapter) initChapter(chapter.content, chapter.dataset.week);
    if (quiz.length) initQuiz(quiz);
    if (flashcards) initFlashcards(flashcards);
    if (checklist || scorePanels.length || chapter || quiz.length || flashcards) {
      notices.forEach(notify);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
