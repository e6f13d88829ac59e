// NextFilms progressive enhancements. Every page works without this file.
"use strict";

(function () {
  function debounce(fn, ms) {
    let timer;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  // Search suggestions: an ARIA combobox over the server-rendered fragment.
  function enhanceSearch(form) {
    const input = form.querySelector("[role=combobox]");
    const list = form.querySelector("[role=listbox]");
    const url = form.dataset.suggestUrl;
    if (!input || !list || !url) return;
    let active = -1;
    let lastQuery = "";
    let controller = null;

    function options() {
      return Array.from(list.querySelectorAll("a[role=option]"));
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      const items = options();
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    const fetchSuggestions = debounce(async function () {
      const query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 2) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
          headers: { "X-Requested-With": "fetch" },
          signal: controller.signal,
        });
        if (!response.ok) return;
        list.innerHTML = await response.text();
        const hasContent = list.children.length > 0;
        list.hidden = !hasContent;
        input.setAttribute("aria-expanded", String(hasContent));
        active = -1;
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }, 150);

    input.addEventListener("input", fetchSuggestions);
    input.addEventListener("keydown", (event) => {
      const items = options();
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && items[active]) {
        event.preventDefault();
        window.location.href = items[active].href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", (event) => {
      if (!form.contains(event.target)) close();
    });
  }

  document.querySelectorAll("form[data-suggest-url]").forEach(enhanceSearch);
})();
