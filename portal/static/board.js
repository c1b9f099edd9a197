/* Pipeline board: drag a card to another column to move it. Progressive enhancement only:
   the drop submits the card's own "Move" form (same CSRF token and version), so the server
   rules (consent, conflicts) apply exactly as for the plain form. No inline script (CSP). */
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board || !("draggable" in document.createElement("div"))) { return; }
  board.classList.add("js-drag");
  var dragged = null;

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".board-card[draggable=true]") : null;
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-candidacy") || "");
  });

  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    board.querySelectorAll(".column.drag-over").forEach(function (c) { c.classList.remove("drag-over"); });
  });

  function columnOf(event) {
    return event.target.closest ? event.target.closest(".column[data-stage]") : null;
  }

  board.addEventListener("dragover", function (event) {
    var column = columnOf(event);
    if (!dragged || !column || column.contains(dragged)) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drag-over");
  });

  board.addEventListener("dragleave", function (event) {
    var column = columnOf(event);
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drag-over"); }
  });

  board.addEventListener("drop", function (event) {
    var column = columnOf(event);
    if (!dragged || !column) { return; }
    event.preventDefault();
    column.classList.remove("drag-over");
    var stage = column.getAttribute("data-stage");
    var card = dragged;
    if (stage === "closed") {
      // Closing needs a reason and an explanation the candidate reads: go to the
      // candidacy's close form instead.
      var link = card.querySelector("a[data-close-link]");
      if (link) { window.location.assign(link.href); }
      return;
    }
    var form = card.querySelector("form[data-move-form]");
    var select = form ? form.querySelector("select[name=stage]") : null;
    if (!select) { return; }
    var option = select.querySelector('option[value="' + stage + '"]');
    if (!option) { return; }
    select.value = stage;
    card.classList.add("moving");
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
