// The plan form (templates/rectification/plan_form.html). "Add a row" appends a copy of the
// formset's empty form (<template id="task-empty-row">) instead of posting, so nothing is
// saved and nothing typed is lost; without this script the button posts and the page comes
// back with one more row. A due date after the case's deadline (data-deadline) shows its
// warning as soon as it is typed: a warning, the county decides.
(function () {
  "use strict";
  const table = document.getElementById("plan-tasks");
  const template = document.getElementById("task-empty-row");
  const total = document.getElementById("id_tasks-TOTAL_FORMS");
  const button = document.getElementById("add-task-row");
  if (!table || !template || !total || !button) return;

  button.addEventListener("click", function (event) {
    event.preventDefault();
    const index = parseInt(total.value, 10) || 0;
    const body = table.querySelector("tbody");
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    const row = body.lastElementChild;
    row.dispatchEvent(new CustomEvent("portal:added", { bubbles: true }));
    const first = row.querySelector("textarea, input:not([type=hidden])");
    if (first) first.focus();
  });

  function warn(input) {
    const warning = input.closest("td").querySelector(".task-late");
    if (warning) warning.hidden = !(input.value && input.value > input.dataset.deadline);
  }
  table.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.deadline) warn(event.target);
  });
  table.addEventListener("change", function (event) {
    if (event.target.dataset && event.target.dataset.deadline) warn(event.target);
  });
})();
