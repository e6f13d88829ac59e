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

  // A poster that fails to load gives way to the placeholder drawn underneath it.
  function dropBrokenPoster(image) {
    if (image.matches && image.matches(".poster__image")) image.remove();
  }
  document.addEventListener("error", (event) => dropBrokenPoster(event.target), true);
  document.querySelectorAll(".poster__image").forEach((image) => {
    if (image.complete && image.naturalWidth === 0) dropBrokenPoster(image);
  });

  // Ratings and list toggles: post with fetch and swap in the re-rendered
  // actions fragment, keeping keyboard focus on the control that was used.
  const csrfToken = () => {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };

  // An action form sent with fetch; the server answers with the re-rendered fragment.
  function postAction(form, data) {
    return fetch(form.action, {
      method: "POST",
      body: data,
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    });
  }

  function updateOnboardingCount() {
    const counter = document.querySelector("[data-rated-count]");
    if (!counter) return;
    const elsewhere = Number(counter.dataset.ratedElsewhere || 0);
    const count = elsewhere + document.querySelectorAll("[data-actions][data-rated=true]").length;
    counter.textContent = String(count);
    const progress = document.querySelector("[data-rated-progress]");
    if (progress) progress.value = count;
    const onboarding = document.querySelector("[data-onboarding]");
    if (!onboarding) return;
    const enough = count >= Number(onboarding.dataset.target);
    const goal = document.querySelector("[data-rated-goal]");
    if (goal) goal.textContent = enough ? goal.dataset.enough : goal.dataset.below;
    const finish = document.querySelector("[data-onboarding-finish]");
    if (finish) finish.textContent = enough ? "Done" : "Skip for now";
  }

  // Onboarding: "More films" adds the next page of films below the ones shown.
  document.addEventListener("click", async (event) => {
    const more = event.target.closest("[data-more-films]");
    if (!more || document.body.dataset.authenticated !== "true") return;
    event.preventDefault();
    let html;
    try {
      const response = await fetch(more.href, { headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) throw new Error(String(response.status));
      html = await response.text();
    } catch (error) {
      window.location.href = more.href;
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const cards = Array.from(template.content.querySelectorAll(".card"));
    const counter = document.querySelector("[data-rated-count]");
    // Films rated before were counted "elsewhere"; shown now, they count on the page.
    const alreadyRated = cards.filter((card) => card.dataset.rating);
    if (counter) {
      const elsewhere = Number(counter.dataset.ratedElsewhere || 0) - alreadyRated.length;
      counter.dataset.ratedElsewhere = String(Math.max(elsewhere, 0));
    }
    const grid = more.closest("[data-onboarding-films]").querySelector(".grid");
    cards.forEach((card) => {
      grid.append(card);
      prepareCard(card);
    });
    const nextMore = template.content.querySelector(".onboarding__more");
    if (nextMore) more.parentElement.replaceWith(nextMore);
    else more.parentElement.remove();
    const firstLink = cards.length && cards[0].querySelector("a");
    if (firstLink) firstLink.focus();
    updateOnboardingCount();
  });

  async function submitAction(form, submitter) {
    const actions = form.closest("[data-actions]");
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    const focusedId = document.activeElement && document.activeElement.id;
    const focusedForm = document.activeElement && document.activeElement.closest("form");
    const focusedAction = focusedForm ? focusedForm.getAttribute("action") : null;
    let response;
    try {
      response = await postAction(form, data);
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
    if (actions.dataset.idSuffix) suffixIds(replacement, actions.dataset.idSuffix);
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

  // Cards carry the member's state as data attributes (data-rating, data-lists);
  // their stars and list buttons are built here from the page's one actions
  // template, the same markup the server sends back after a change.
  const actionsTemplate = document.getElementById("card-actions-template");

  function buildCardActions(card) {
    const slot = card.querySelector("[data-card-actions]");
    if (!slot || !actionsTemplate) return null;
    const placeholder = actionsTemplate.dataset.filmId;
    const id = card.dataset.movie;
    const actions = actionsTemplate.content.firstElementChild.cloneNode(true);
    actions.id = `actions-${id}`;
    actions.querySelectorAll("[id], [for], form[action]").forEach((element) => {
      ["id", "for", "action"].forEach((name) => {
        const value = element.getAttribute(name);
        if (value && value.includes(placeholder)) element.setAttribute(name, value.replace(placeholder, id));
      });
    });
    actions.querySelectorAll("input[name=movie]").forEach((input) => { input.value = id; });
    const titleElement = card.querySelector(".card__title");
    const title = titleElement ? titleElement.textContent.trim() : "";
    actions.querySelectorAll("[data-film-title]").forEach((span) => { span.textContent = ` ${title}`; });
    const rating = card.dataset.rating ? Number(card.dataset.rating) : null;
    actions.dataset.rated = String(rating !== null);
    actions.querySelectorAll("input[type=radio][name=value]").forEach((radio) => {
      radio.checked = Number(radio.value) === rating;
    });
    const legend = actions.querySelector("[data-legend]");
    if (legend) legend.textContent = rating !== null ? "Your rating" : "Rate it";
    if (rating === null) actions.querySelectorAll(".stars__clear").forEach((button) => button.remove());
    const lists = (card.dataset.lists || "").split(/\s+/).filter(Boolean);
    actions.querySelectorAll(".toggle").forEach((button) => {
      const kind = (button.className.match(/toggle--(\S+)/) || [])[1];
      const active = lists.includes(kind);
      button.setAttribute("aria-pressed", String(active));
      const on = button.form && button.form.querySelector("input[name=on]");
      if (on) on.value = active ? "0" : "1";
    });
    slot.replaceWith(actions);
    const listPart = buildCardListPart(id, placeholder, title);
    if (listPart) actions.after(listPart);
    // A film shown twice on a page (Discover's rows) needs ids of its own per card,
    // or a star's label would check the other card's radio.
    if (document.querySelectorAll(`[id="${actions.id}"]`).length > 1) {
      cardCopies += 1;
      suffixIds(actions, `-${cardCopies}`);
      if (listPart) suffixIds(listPart, `-${cardCopies}`);
    }
    return actions;
  }

  // Members' "Add to list" on a card: the page's one copy of their lists
  // (lists/_card_list_template.html), with this card's film id. It sits beside
  // the actions, so a saved rating (which replaces them) leaves it be.
  const listTemplate = document.getElementById("card-list-template");

  function buildCardListPart(id, placeholder, title) {
    if (!listTemplate) return null;
    const marker = listTemplate.dataset.filmId || placeholder;
    const part = listTemplate.content.firstElementChild.cloneNode(true);
    part.querySelectorAll("[id], [for], form[action]").forEach((element) => {
      ["id", "for", "action"].forEach((name) => {
        const value = element.getAttribute(name);
        if (value && value.includes(marker)) element.setAttribute(name, value.replace(marker, id));
      });
    });
    part.querySelectorAll("[data-film-title]").forEach((span) => { span.textContent = ` ${title}`; });
    return part;
  }

  let cardCopies = 0;
  function suffixIds(actions, suffix) {
    actions.dataset.idSuffix = suffix;
    [actions, ...actions.querySelectorAll("[id], [for]")].forEach((element) => {
      if (element.id) element.id += suffix;
      if (element.htmlFor) element.htmlFor += suffix;
    });
  }

  // A card on the page or fetched into it: its actions built, and working.
  function prepareCard(card) {
    const actions = buildCardActions(card);
    card.querySelectorAll("[data-actions]").forEach(
      document.body.dataset.authenticated === "true" ? enhanceActions : enhanceVisitorActions
    );
    return actions;
  }

  // Visitors: choosing a star submits at once, and the server sends them to log in.
  function enhanceVisitorActions(actions) {
    actions.querySelectorAll("input[type=radio][name=value]").forEach((radio) => {
      radio.addEventListener("change", () => radio.form.submit());
    });
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

  // A message for the whole page (bottom of the screen), read out by screen readers,
  // with an optional action such as Undo. It stays until dismissed or replaced.
  function notify(message, action) {
    let toast = document.querySelector("[data-toast]");
    if (!toast) return;
    toast.replaceChildren();
    const text = document.createElement("span");
    text.textContent = message;
    toast.append(text);
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small";
      button.textContent = action.label;
      button.addEventListener("click", action.run, { once: true });
      toast.append(button);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => { toast.hidden = true; });
    toast.append(close);
    toast.hidden = false;
  }

  // A card's "Add to list": sent with fetch, the page stays where it is and says
  // what happened; a list made on the way joins every card's choice of lists.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-add-to-list]");
    if (!form || document.body.dataset.authenticated !== "true") return;
    event.preventDefault();
    let data;
    try {
      const response = await postAction(form, new FormData(form));
      if (response.redirected && new URL(response.url).pathname.includes("/login")) {
        window.location.href = response.url;
        return;
      }
      data = await response.json();
    } catch (error) {
      form.submit();
      return;
    }
    notify(data.message);
    if (!data.ok) return;
    const created = data.list && data.list.created;
    if (created && listTemplate) {
      const selects = [
        ...listTemplate.content.querySelectorAll("select[name=film_list]"),
        ...document.querySelectorAll("form[data-add-to-list] select[name=film_list]"),
      ];
      selects.forEach((select) => {
        const option = document.createElement("option");
        option.value = String(data.list.id);
        option.textContent = data.list.title;
        select.append(option);
      });
      // The member's first list: every card now offers it beside a new one.
      [listTemplate.content, document].forEach((root) => {
        root.querySelectorAll("form[data-add-to-list] [data-list-choice]").forEach((field) => {
          field.hidden = false;
        });
        root.querySelectorAll("form[data-add-to-list] [data-new-list-label]").forEach((label) => {
          label.textContent = "Or a new list";
        });
      });
    }
    form.reset();
    const details = form.closest("details");
    if (details) {
      details.open = false;
      const summary = details.querySelector("summary");
      if (summary) summary.focus();
    }
  });

  // "For you": a film marked not interested leaves, the next suggestion takes its
  // place, and Undo brings it back.
  document.addEventListener("nextfilms:updated", async (event) => {
    const grid = event.target.closest("[data-recommendations]");
    const hidden = event.target.querySelector(".toggle--hidden[aria-pressed=true]");
    if (!grid || !hidden) return;
    const card = event.target.closest(".card");
    const title = card.querySelector(".card__title").textContent.trim();
    const hideForm = hidden.closest("form");
    const shown = Array.from(grid.querySelectorAll(".card[data-movie]"), (item) => item.dataset.movie);
    const url = new URL(grid.dataset.nextUrl, window.location.href);
    shown.forEach((id) => url.searchParams.append("shown", id));
    let html = "";
    try {
      const response = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
      html = response.ok ? (await response.text()).trim() : "";
    } catch (error) {
      html = "";
    }
    const template = document.createElement("template");
    template.innerHTML = html;
    const replacement = template.content.firstElementChild;
    if (replacement) {
      card.replaceWith(replacement);
      prepareCard(replacement);
      const link = replacement.querySelector("a");
      if (link) link.focus();
    } else {
      card.remove();
    }
    notify(`“${title}” is hidden: we won't suggest it again.`, {
      label: "Undo",
      run: async () => {
        const data = new FormData(hideForm);  // on=0: take it off the list
        try {
          const response = await postAction(hideForm, data);
          if (!response.ok) throw new Error(String(response.status));
          const restored = document.createElement("template");
          restored.innerHTML = (await response.text()).trim();
          const actions = restored.content.firstElementChild;
          card.querySelector("[data-actions]").replaceWith(actions);
          enhanceActions(actions);
          if (replacement && replacement.isConnected) replacement.replaceWith(card);
          else grid.prepend(card);
          const link = card.querySelector("a");
          if (link) link.focus();
          notify(`“${title}” is back in your suggestions.`);
        } catch (error) {
          notify(`Could not undo: “${title}” is still hidden. Try again from your Not interested list.`);
        }
      },
    });
  });

  // Lists: Up/Down forms move the film in place, keeping focus on the button;
  // drag and drop posts the whole new order. Both work as plain forms without this.
  function syncListControls(list) {
    const items = Array.from(list.querySelectorAll("[data-item-id]"));
    items.forEach((item, index) => {
      const position = item.querySelector(".list-items__position");
      if (position) position.textContent = String(index + 1);
      const up = item.querySelector("button[value=up]");
      const down = item.querySelector("button[value=down]");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === items.length - 1;
    });
    return items;
  }
  function saveListOrder(list) {
    const data = new FormData();
    syncListControls(list).forEach((item) => data.append("item", item.dataset.itemId));
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      body: data,
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).then((response) => {
      if (!response.ok) window.location.reload();
    });
  }
  function enhanceSortable(list) {
    let dragged = null;
    list.querySelectorAll("form[data-list-move]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        const button = event.submitter;
        if (!button) return;
        event.preventDefault();
        const item = form.closest("[data-item-id]");
        const sibling = button.value === "up" ? item.previousElementSibling : item.nextElementSibling;
        if (!sibling) return;
        list.insertBefore(item, button.value === "up" ? sibling : sibling.nextElementSibling);
        saveListOrder(list);
        (button.disabled ? form.querySelector("button:not([disabled])") : button).focus();
      });
    });
    list.querySelectorAll("[data-item-id]").forEach((item) => {
      item.draggable = true;
      item.addEventListener("dragstart", (event) => {
        dragged = item;
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.itemId);
      });
      item.addEventListener("dragend", () => {
        item.classList.remove("is-dragging");
        if (dragged) saveListOrder(list);
        dragged = null;
      });
      item.addEventListener("dragover", (event) => {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        const box = item.getBoundingClientRect();
        const after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextElementSibling : item);
      });
      item.addEventListener("drop", (event) => event.preventDefault());
    });
  }
  document.querySelectorAll("[data-sortable]").forEach(enhanceSortable);

  // Filter panels sit beside the results on wide screens; on narrow ones they fold
  // away above them (unless they show an error), also when a tablet is turned.
  const wide = window.matchMedia("(min-width: 56rem)");
  document.querySelectorAll("details[data-filters]").forEach((panel) => {
    const fit = () => {
      panel.open = wide.matches || Boolean(panel.querySelector(".field__error, .form-errors"));
    };
    fit();
    wide.addEventListener("change", fit);
  });

  // Discover's genre rows: their cards are fetched as the row comes near the
  // screen; until then (or without JavaScript) the row links to its genre.
  async function loadRow(row) {
    const items = row.querySelector("[data-row-items]");
    let html;
    try {
      const response = await fetch(row.dataset.rowUrl, { headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) return;
      html = await response.text();
    } catch (error) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const cards = Array.from(template.content.querySelectorAll(".card"));
    if (!cards.length) {
      row.remove();
      return;
    }
    items.replaceChildren(...cards);
    cards.forEach(prepareCard);
    row.classList.remove("row--lazy");
  }
  const lazyRows = document.querySelectorAll("[data-row-url]");
  if (lazyRows.length && "IntersectionObserver" in window) {
    const observer = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        loadRow(entry.target);
      });
    }, { rootMargin: "600px 0px" });
    lazyRows.forEach((row) => observer.observe(row));
  } else {
    lazyRows.forEach(loadRow);
  }

  document.querySelectorAll(".card[data-movie]").forEach(buildCardActions);
  document.querySelectorAll("[data-actions]").forEach(
    document.body.dataset.authenticated === "true" ? enhanceActions : enhanceVisitorActions
  );
})();
