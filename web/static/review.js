/* The review queue by keyboard: j/k next/previous, 1-3 take a suggestion, d discard, x tick.
   Also narrows each item picker to the checklist of the project chosen beside it (and, on
   the search page, the 责任人 picker to that project's people).
   Without this script every button and picker still works. */
(function () {
  "use strict";
  /* Show only the groups of the picker named by the project select's data-<list> whose
     data-<key> is the chosen project's (all of them when no project is chosen). */
  function narrowBy(projectSelect, list, key) {
    var picker = document.getElementById(projectSelect.getAttribute("data-" + list));
    if (!picker) return;
    var chosen = projectSelect.options[projectSelect.selectedIndex];
    var value = chosen ? chosen.getAttribute("data-" + key) : null;
    Array.prototype.forEach.call(picker.querySelectorAll("optgroup"), function (g) {
      var off = value !== null && g.getAttribute("data-" + key) !== value;
      g.hidden = off;
      g.disabled = off;
    });
    var picked = picker.options[picker.selectedIndex];
    if (picked && picked.parentNode.disabled) picker.value = "";
  }
  function narrow(projectSelect) {
    narrowBy(projectSelect, "items", "checklist");
    narrowBy(projectSelect, "persons", "project");
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-items]"), function (s) {
      narrow(s);
      s.addEventListener("change", function () { narrow(s); });
    });
    var docs = Array.prototype.slice.call(document.querySelectorAll("article.review"));
    if (!docs.length) return;
    var at = docs.findIndex(function (a) { return a.classList.contains("current"); });
    if (at < 0) at = 0;
    function open(n) {
      docs[at].classList.remove("current");
      at = (n + docs.length) % docs.length;
      docs[at].classList.add("current");
      docs[at].scrollIntoView({ block: "start" });
      docs[at].focus({ preventScroll: true });
    }
    open(at);
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      var typing = t && (t.tagName === "SELECT" || t.tagName === "TEXTAREA" ||
        (t.tagName === "INPUT" && t.type !== "checkbox"));
      if (typing) return;
      var doc = docs[at];
      var hit = null;
      if (e.key === "j") { open(at + 1); hit = true; }
      else if (e.key === "k") { open(at - 1); hit = true; }
      else if (e.key === "1" || e.key === "2" || e.key === "3") {
        hit = doc.querySelectorAll("button.suggestion")[Number(e.key) - 1];
        if (hit) hit.click();
      } else if (e.key === "d") {
        hit = doc.querySelector("form.discard input[name=reason]");
        if (hit) hit.focus();
      } else if (e.key === "x") {
        hit = doc.querySelector("input.pick-doc");
        if (hit) hit.checked = !hit.checked;
      }
      if (hit) e.preventDefault();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
