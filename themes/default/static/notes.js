/* folio: footnotes in place. Hovering or focusing a note reference shows the note in a popover
   beside it, without leaving the reader's place. WCAG 1.4.13: the popover stays while the
   pointer is over the reference or the popover, stays while the reference has focus, and Esc
   dismisses it. Without this script the references still jump to the notes and back. */
(function () {
  "use strict";
  var refs = document.querySelectorAll('a[role="doc-noteref"]');
  if (!refs.length || !document.body.classList) return;

  var pop = document.createElement("div");
  pop.className = "note-popover";
  pop.id = "note-popover";
  pop.setAttribute("role", "note");
  pop.hidden = true;
  document.body.appendChild(pop);

  var current = null;
  var hideTimer = 0;

  function noteFor(ref) {
    var id = decodeURIComponent((ref.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }

  function show(ref) {
    clearTimeout(hideTimer);
    if (current === ref && !pop.hidden) return;
    var note = noteFor(ref);
    if (!note) return;
    var copy = note.cloneNode(true);
    var backlinks = copy.querySelectorAll('[role="doc-backlink"]');
    for (var i = 0; i < backlinks.length; i++) backlinks[i].remove();
    var ids = copy.querySelectorAll("[id]");
    for (var j = 0; j < ids.length; j++) ids[j].removeAttribute("id");
    pop.innerHTML = "";
    var label = document.createElement("span");
    label.className = "note-popover-number";
    label.textContent = "Note " + ref.textContent.trim();
    pop.appendChild(label);
    while (copy.firstChild) pop.appendChild(copy.firstChild);
    if (current && current !== ref) current.removeAttribute("aria-describedby");
    current = ref;
    ref.setAttribute("aria-describedby", pop.id);
    pop.hidden = false;
    place(ref);
  }

  function place(ref) {
    var box = ref.getBoundingClientRect();
    var width = Math.min(28 * 16, document.documentElement.clientWidth - 16);
    pop.style.width = width + "px";
    var left = Math.max(8, Math.min(box.left + window.scrollX - width / 2,
      window.scrollX + document.documentElement.clientWidth - width - 8));
    pop.style.left = left + "px";
    pop.style.top = (box.bottom + window.scrollY + 6) + "px";
  }

  function hide() {
    clearTimeout(hideTimer);
    pop.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      var active = document.activeElement;
      if (pop.matches(":hover") || (current && (current.matches(":hover") || current === active))) return;
      if (pop.contains(active)) return;
      hide();
    }, 300);
  }

  for (var k = 0; k < refs.length; k++) {
    var ref = refs[k];
    ref.addEventListener("mouseenter", function (e) { show(e.currentTarget); });
    ref.addEventListener("focus", function (e) { show(e.currentTarget); });
    ref.addEventListener("mouseleave", hideSoon);
    ref.addEventListener("blur", hideSoon);
  }
  pop.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
  pop.addEventListener("mouseleave", hideSoon);
  pop.addEventListener("focusout", hideSoon);
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Esc") && !pop.hidden) {
      var ref = current;
      hide();
      if (ref && pop.contains(document.activeElement)) ref.focus();
    }
  });
  window.addEventListener("resize", function () { if (current && !pop.hidden) place(current); });
})();
