/* Tandem's few behaviours beyond Bootstrap and htmx (a file, as the content security policy asks).

   Character counters: a browser silently stops typing at a textarea's maxlength, so people lost the end
   of long notes without a word. Every textarea[maxlength] gets a live "n / max" counter under it. */
(function () {
  "use strict";

  // Controls for browsers without JavaScript (class no-js-only, e.g. "Update choices") hide when it runs.
  document.documentElement.classList.add("js");

  function attachCounter(area) {
    if (area.dataset.counter === "on") return;
    area.dataset.counter = "on";
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) return;
    var counter = document.createElement("div");
    counter.className = "form-text text-end char-counter";
    counter.setAttribute("aria-live", "polite");
    counter.id = (area.id || "field") + "-counter";
    var template = document.documentElement.lang === "zh-hans" ? "{n} / {max} 字" : "{n} / {max} characters";
    function update() {
      var n = area.value.length;
      counter.textContent = template.replace("{n}", n).replace("{max}", max);
      counter.classList.toggle("text-danger", n >= max);
    }
    area.insertAdjacentElement("afterend", counter);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);
    area.addEventListener("input", update);
    update();
  }

  /* Buttons that act on ticked boxes (button[data-needs-checked="<selector of the boxes>"]) stay disabled
     until one is ticked: "Approve selected" with nothing ticked used to answer "Nothing was approved". */
  function attachNeedsChecked(button) {
    if (button.dataset.needsCheckedOn === "on") return;
    button.dataset.needsCheckedOn = "on";
    var scope = button.form || document;
    var selector = button.getAttribute("data-needs-checked");
    function update() {
      button.disabled = !scope.querySelector(selector + ":checked");
    }
    scope.addEventListener("change", update);
    update();
  }

  /* Search-as-you-type filters ([data-search-filter]: a text field, a hidden id, the suggestions htmx puts
     under them). Picking a suggestion sets the id and the name; typing again clears the id, so a typed
     name filters by name, as it does without JavaScript. Escape closes the suggestions. */
  function attachSearchFilter(box) {
    if (box.dataset.searchOn === "on") return;
    box.dataset.searchOn = "on";
    var text = box.querySelector("[data-search-text]");
    var value = box.querySelector("[data-search-value]");
    var choices = box.querySelector(".search-choices-box");
    if (!text || !value || !choices) return;
    text.addEventListener("input", function () { value.value = ""; });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Escape") choices.innerHTML = "";
      if (event.key === "ArrowDown") {
        var first = choices.querySelector("[data-pick-value]");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    choices.addEventListener("click", function (event) {
      var pick = event.target.closest("[data-pick-value]");
      if (!pick) return;
      value.value = pick.getAttribute("data-pick-value");
      text.value = pick.getAttribute("data-pick-label");
      choices.innerHTML = "";
      text.focus();
    });
  }

  /* "Select all" boxes (input[data-select-all="<name>"]) tick or untick every box of that name in their
     form, and show "some" (indeterminate) when only some are ticked. */
  function attachSelectAll(box) {
    if (box.dataset.selectAllOn === "on") return;
    box.dataset.selectAllOn = "on";
    var scope = box.form || document;
    var selector = 'input[type="checkbox"][name="' + box.getAttribute("data-select-all") + '"]';
    function boxes() { return Array.prototype.slice.call(scope.querySelectorAll(selector)); }
    function update() {
      var all = boxes(), ticked = all.filter(function (b) { return b.checked; }).length;
      box.checked = all.length > 0 && ticked === all.length;
      box.indeterminate = ticked > 0 && ticked < all.length;
    }
    box.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = box.checked; });
      update();
    });
    scope.addEventListener("change", function (event) { if (event.target !== box) update(); });
    update();
  }

  function attachAll(root) {
    root.querySelectorAll("input[data-select-all]").forEach(attachSelectAll);
    root.querySelectorAll("[data-search-filter]").forEach(attachSearchFilter);
    root.querySelectorAll("textarea[maxlength]").forEach(attachCounter);
    root.querySelectorAll("button[data-needs-checked]").forEach(attachNeedsChecked);
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { attachAll(event.target); });
})();
