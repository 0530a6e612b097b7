/* The attendance list: show how many are ticked as the worker taps. */
(function () {
  "use strict";
  var out = document.getElementById("attend-count");
  if (!out) { return; }
  var boxes = document.querySelectorAll(".attend-list input[type=checkbox]");
  function update() {
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) { n += 1; } });
    out.textContent = out.dataset.template.replace("%(n)s", n).replace("%(t)s", boxes.length);
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
})();
