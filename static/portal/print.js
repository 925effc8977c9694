// A page's Print button (the village file, the dashboard's print view): the browser's print.
document.querySelectorAll("[data-action=print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
