// Searchable choosers (portal/choosers.py). Each .chooser holds a text box for a code or a
// name, which works without this script; here it becomes a search box that asks
// data-chooser-url for at most 20 matches in the user's area and puts the chosen code in
// the (now hidden) box. data-chooser-multiple="1": several values, listed with a remove
// button. Strings come from data attributes, translated by the page.
(function () {
  "use strict";

  function setup(root) {
    if (root.dataset.chooserReady) return;
    root.dataset.chooserReady = "1";
    const box = root.querySelector("input");
    const listing = root.querySelector(".chooser-chosen");
    const multiple = root.dataset.chooserMultiple === "1";
    let chosen = JSON.parse(root.dataset.chooserChosen || "[]");
    let matches = [];
    let active = -1;
    let timer = null;
    let pending = null;

    const search = document.createElement("input");
    search.type = "search";
    search.className = box.className;
    search.placeholder = box.placeholder;
    search.autocomplete = "off";
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    if (box.getAttribute("aria-describedby")) search.setAttribute("aria-describedby", box.getAttribute("aria-describedby"));
    // The field's <label for> names the visible box.
    search.id = box.id;
    box.id = box.id ? box.id + "-value" : "";
    box.type = "hidden";
    const results = document.createElement("ul");
    results.className = "list-group chooser-results";
    results.setAttribute("role", "listbox");
    results.hidden = true;
    if (search.id) {
      results.id = search.id + "-results";
      search.setAttribute("aria-controls", results.id);
    }
    box.after(search);
    search.after(results);

    function sync() {
      box.value = chosen.map((c) => c.value).join(" ");
      if (!multiple) {
        search.value = chosen.length ? chosen[0].label : "";
        listing.replaceChildren();
        return;
      }
      listing.replaceChildren(...chosen.map(function (c) {
        const li = document.createElement("li");
        li.className = "d-flex justify-content-between align-items-center border-bottom py-1";
        li.dataset.value = c.value;
        const text = document.createElement("span");
        text.textContent = c.label;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-link btn-sm p-0 text-danger";
        remove.textContent = root.dataset.chooserRemove || "×";
        remove.addEventListener("click", function () {
          chosen = chosen.filter((other) => other.value !== c.value);
          sync();
        });
        li.append(text, remove);
        return li;
      }));
    }

    function close() {
      results.hidden = true;
      search.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function pick(match) {
      if (multiple) {
        if (!chosen.some((c) => c.value === match.value)) chosen.push(match);
        search.value = "";
      } else {
        chosen = [match];
      }
      sync();
      close();
      search.focus();
    }

    function highlight(index) {
      active = index;
      results.querySelectorAll("[role=option]").forEach(function (li, i) {
        li.classList.toggle("active", i === index);
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
    }

    function show(data) {
      matches = data.results;
      const items = matches.map(function (match, i) {
        const li = document.createElement("li");
        li.className = "list-group-item list-group-item-action";
        li.setAttribute("role", "option");
        li.textContent = match.label;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the search box
          pick(matches[i]);
        });
        return li;
      });
      const note = matches.length ? (data.more ? root.dataset.chooserMore : "") : root.dataset.chooserNone;
      if (note) {
        const li = document.createElement("li");
        li.className = "list-group-item small text-muted";
        li.textContent = note;
        items.push(li);
      }
      results.replaceChildren(...items);
      results.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask(browse) {
      const text = search.value.trim();
      if (!text && browse !== true) {
        close();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      const url = new URL(root.dataset.chooserUrl, window.location.href);
      url.searchParams.set("q", text);
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { results: [], more: false }))
        .then(show)
        .catch(function () {});
    }

    search.addEventListener("input", function () {
      if (!multiple) {
        // Until a match is picked, the typed text is sent as it is (a code or a unique name).
        chosen = [];
        box.value = search.value.trim();
        listing.replaceChildren();
      }
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (results.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight(Math.max(0, Math.min(matches.length - 1, active + step)));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(matches[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    // An empty box shows the first matches: a county's townships are a short list.
    search.addEventListener("focus", function () {
      if (!search.value.trim()) ask(true);
    });
    search.addEventListener("blur", close);
    sync();
  }

  function setupAll(scope) {
    scope.querySelectorAll(".chooser").forEach(setup);
  }

  setupAll(document);
  // Rows added to a form later (a plan's tasks) bring their own choosers.
  document.addEventListener("portal:added", (event) => setupAll(event.target));
  document.body.addEventListener("htmx:load", (event) => setupAll(event.target));
})();
