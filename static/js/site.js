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

  // Ratings and list toggles: post with fetch and swap in the re-rendered
  // actions fragment, keeping keyboard focus on the control that was used.
  const csrfToken = () => {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };

  function updateOnboardingCount() {
    const counter = document.querySelector("[data-rated-count]");
    if (!counter) return;
    const elsewhere = Number(counter.dataset.ratedElsewhere || 0);
    const count = elsewhere + document.querySelectorAll("[data-actions][data-rated=true]").length;
    counter.textContent = String(count);
    const progress = document.querySelector("[data-rated-progress]");
    if (progress) progress.value = count;
    const onboarding = document.querySelector("[data-onboarding]");
    const finish = document.querySelector("[data-onboarding-finish]");
    if (onboarding && finish && count >= Number(onboarding.dataset.target)) {
      finish.textContent = "Done";
    }
  }

  async function submitAction(form, submitter) {
    const actions = form.closest("[data-actions]");
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    const focusedId = document.activeElement && document.activeElement.id;
    const focusedForm = document.activeElement && document.activeElement.closest("form");
    const focusedAction = focusedForm ? focusedForm.getAttribute("action") : null;
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
    } catch (error) {
      showStatus(actions, "Could not save: you seem to be offline. Try again.", true);
      return;
    }
    if (response.redirected && new URL(response.url).pathname.includes("/login")) {
      window.location.href = response.url;
      return;
    }
    const html = await response.text();
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("text/html") || !html.includes("data-actions")) {
      showStatus(actions, "Something went wrong; your change was not saved.", true);
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const replacement = template.content.firstElementChild;
    actions.replaceWith(replacement);
    enhanceActions(replacement);
    let focusTarget = focusedId ? document.getElementById(focusedId) : null;
    if (!focusTarget && focusedAction) {
      const sameForm = replacement.querySelector(`form[action="${focusedAction}"]`);
      focusTarget = sameForm && sameForm.querySelector("button, input");
    }
    if (focusTarget) focusTarget.focus();
    updateOnboardingCount();
    replacement.dispatchEvent(new CustomEvent("nextfilms:updated", { bubbles: true }));
  }

  function showStatus(actions, message, isError) {
    const status = actions.querySelector("[role=status]");
    if (status) status.textContent = message;
    actions.classList.toggle("actions--error", Boolean(isError));
  }

  function enhanceActions(actions) {
    actions.querySelectorAll("form[data-action-form]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        submitAction(form, event.submitter);
      });
      const radios = form.querySelectorAll("input[type=radio][name=value]");
      const save = debounce(() => submitAction(form, null), 350);
      radios.forEach((radio) => radio.addEventListener("change", save));
    });
  }

  // "For you": a film marked not interested leaves, and the next suggestion takes its place.
  document.addEventListener("nextfilms:updated", async (event) => {
    const grid = event.target.closest("[data-recommendations]");
    const hidden = event.target.querySelector(".toggle--hidden[aria-pressed=true]");
    if (!grid || !hidden) return;
    const card = event.target.closest(".card");
    const shown = Array.from(grid.querySelectorAll(".card[data-movie]"), (item) => item.dataset.movie);
    const url = new URL(grid.dataset.nextUrl, window.location.href);
    shown.forEach((id) => url.searchParams.append("shown", id));
    const response = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
    const html = response.ok ? (await response.text()).trim() : "";
    const template = document.createElement("template");
    template.innerHTML = html;
    const replacement = template.content.firstElementChild;
    if (replacement) {
      card.replaceWith(replacement);
      replacement.querySelectorAll("[data-actions]").forEach(enhanceActions);
      const link = replacement.querySelector("a");
      if (link) link.focus();
    } else {
      card.remove();
    }
  });

  if (document.body.dataset.authenticated === "true") {
    document.documentElement.classList.add("js");
    document.querySelectorAll("[data-actions]").forEach(enhanceActions);
  } else {
    // Visitors: choosing a star submits at once, and the server sends them to log in.
    document.querySelectorAll("[data-actions] input[type=radio][name=value]").forEach((radio) => {
      radio.addEventListener("change", () => radio.form.submit());
    });
  }
})();
