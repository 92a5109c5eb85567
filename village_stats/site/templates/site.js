// The villages' table: sort by a column (click its header; again to reverse) and show one township.
// The table is complete without this script; it only reorders and hides rows. It reads the page only.
(function () {
  "use strict";
  var table = document.getElementById("village-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var select = document.getElementById("township");
  var shown = document.getElementById("shown");
  var lang = document.documentElement.lang;

  function filter() {
    var value = select.value;
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var keep = value === "" || row.getAttribute("data-township") === value;
      row.hidden = !keep;
      if (keep) { n += 1; }
    });
    shown.textContent = shown.getAttribute("data-template").replace("{n}", String(n));
  }

  function sort(index) {
    var head = heads[index];
    var numeric = head.getAttribute("data-type") === "num";
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-sort");
      var y = b.cells[index].getAttribute("data-sort");
      if (x === "" || y === "") { return (x === "") - (y === ""); }  // unknown last, either way
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, lang);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(heads, function (h) {
      if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); }
    });
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(heads, function (head, index) {
    var button = head.querySelector("button");
    if (button) { button.addEventListener("click", function () { sort(index); }); }
  });
  select.addEventListener("change", filter);
  document.getElementById("controls").hidden = false;
}());
