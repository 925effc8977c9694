// Irreversible actions ask first. A form with data-confirm="question" (or the button that
// submits it, for a form whose other button only saves a draft) is sent only once the
// user says yes; cancelling leaves the page as it was. A file, not an inline handler:
// the content security policy forbids those.
document.addEventListener("submit", function (event) {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
