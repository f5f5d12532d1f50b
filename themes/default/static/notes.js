/* folio: footnotes in place. Hovering or focusing a note reference shows the note in a popover
   beside it, placed where it fits (below, else above, clamped to the window). On touch a tap
   opens the note as a bottom sheet, with focus in it, instead of the jump. The popover sits in
   the text right after its reference, so Tab from the reference moves into it and reaches its
   links; Esc or its close button returns focus to the reference. WCAG 1.4.13: it stays while
   the pointer is over the reference or the popover, stays while either has focus, and Esc
   dismisses it. Without this script the references still jump
   to the notes and back. */
(function () {
  "use strict";
  var refs = document.querySelectorAll('a[role="doc-noteref"]');
  if (!refs.length || !document.body.classList) return;

  var pop = document.createElement("div");
  pop.className = "note-popover";
  pop.id = "note-popover";
  pop.setAttribute("role", "note");
  pop.tabIndex = -1;
  pop.hidden = true;

  var current = null;
  var sheet = false;
  var hideTimer = 0;
  var lastPointer = "mouse";
  var returning = false;

  function noteFor(ref) {
    var id = decodeURIComponent((ref.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }

  function fill(ref, note) {
    var copy = note.cloneNode(true);
    var backlinks = copy.querySelectorAll('[role="doc-backlink"]');
    for (var i = 0; i < backlinks.length; i++) backlinks[i].remove();
    var ids = copy.querySelectorAll("[id]");
    for (var j = 0; j < ids.length; j++) ids[j].removeAttribute("id");
    pop.textContent = "";
    var label = document.createElement("span");
    label.className = "note-popover-number";
    label.textContent = "Note " + ref.textContent.trim();
    pop.appendChild(label);
    while (copy.firstChild) pop.appendChild(copy.firstChild);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "note-popover-close";
    close.textContent = "Close";
    close.addEventListener("click", function () { dismiss(true); });
    pop.appendChild(close);
  }

  function show(ref, asSheet) {
    clearTimeout(hideTimer);
    if (current === ref && !pop.hidden && sheet === asSheet) return;
    var note = noteFor(ref);
    if (!note) return;
    if (current !== ref || pop.hidden) fill(ref, note);
    if (current && current !== ref) current.removeAttribute("aria-describedby");
    current = ref;
    sheet = asSheet;
    ref.setAttribute("aria-describedby", pop.id);
    /* Right after the reference's <sup>: next in the tab order, read after the marker. */
    var anchor = ref.parentNode && ref.parentNode.tagName === "SUP" ? ref.parentNode : ref;
    if (anchor.nextSibling !== pop) anchor.parentNode.insertBefore(pop, anchor.nextSibling);
    pop.classList.toggle("is-sheet", asSheet);
    pop.hidden = false;
    place(ref);
  }

  /* Places the popover in window coordinates: below the reference if it fits, else above,
     else clamped inside the window. It is positioned absolutely, so the offset of its
     containing block is measured and subtracted. */
  function place(ref) {
    pop.style.left = pop.style.top = pop.style.width = "";
    if (sheet) return;
    var view = document.documentElement;
    var vw = view.clientWidth, vh = view.clientHeight, gap = 6, margin = 8;
    var width = Math.min(28 * 16, vw - 2 * margin);
    pop.style.width = width + "px";
    pop.style.left = "0px";
    pop.style.top = "0px";
    var origin = pop.getBoundingClientRect();
    var box = ref.getBoundingClientRect();
    var height = origin.height;
    var left = Math.max(margin, Math.min(box.left + box.width / 2 - width / 2, vw - width - margin));
    var top = box.bottom + gap;
    if (top + height > vh - margin) {
      top = box.top - gap - height >= margin ? box.top - gap - height : Math.max(margin, vh - height - margin);
    }
    pop.style.left = (left - origin.left) + "px";
    pop.style.top = (top - origin.top) + "px";
  }

  function dismiss(returnFocus) {
    var ref = current;
    var hadFocus = pop.contains(document.activeElement);
    hide();
    if (!ref || !(returnFocus || hadFocus)) return;
    returning = true; /* focus goes back to the marker without reopening the note */
    ref.focus({ preventScroll: true });
    returning = false;
  }

  function hide() {
    clearTimeout(hideTimer);
    pop.hidden = true;
    pop.classList.remove("is-sheet");
    sheet = false;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function hideSoon() {
    if (sheet) return;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      var active = document.activeElement;
      if (pop.matches(":hover") || (current && (current.matches(":hover") || current === active))) return;
      if (pop.contains(active)) return;
      hide();
    }, 300);
  }

  /* A tap opens the note in place of the jump, as a sheet with focus in it. A click or Enter
     still jumps: the reader asked for the Notes section (and its back links). */
  function activate(e) {
    if (lastPointer !== "touch" || e.detail === 0) return;
    e.preventDefault();
    show(e.currentTarget, true);
    pop.focus({ preventScroll: true });
  }

  for (var k = 0; k < refs.length; k++) {
    var ref = refs[k];
    ref.addEventListener("mouseenter", function (e) { if (lastPointer !== "touch") show(e.currentTarget, false); });
    ref.addEventListener("focus", function (e) { if (lastPointer !== "touch" && !returning) show(e.currentTarget, false); });
    ref.addEventListener("mouseleave", hideSoon);
    ref.addEventListener("blur", hideSoon);
    ref.addEventListener("click", activate);
  }
  document.addEventListener("pointerdown", function (e) {
    lastPointer = e.pointerType === "touch" || e.pointerType === "pen" ? "touch" : "mouse";
    if (sheet && !pop.contains(e.target) && e.target !== current) hide();
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Tab") lastPointer = "keyboard";
    if ((e.key === "Escape" || e.key === "Esc") && !pop.hidden) dismiss(pop.contains(document.activeElement) || sheet);
  });
  pop.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
  pop.addEventListener("mouseleave", hideSoon);
  pop.addEventListener("focusout", hideSoon);
  window.addEventListener("resize", function () { if (current && !pop.hidden) place(current); });
})();
