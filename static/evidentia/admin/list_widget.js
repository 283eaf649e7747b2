/* Lists edited as lists (config/admin_lists.py): a textarea holding one item per line
   becomes one input per item, with buttons to add, remove and reorder items. The
   textarea stays in the form, hidden, and is rewritten from the inputs on every change,
   so the server reads the same one-item-per-line text with or without this script. */
"use strict";

(function () {
  function button(text, label, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "list-widget__button";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.dataset.action = action;
    return element;
  }

  function enhance(textarea) {
    const itemLabel = textarea.dataset.listWidget || "item";
    const wrapper = document.createElement("div");
    wrapper.className = "list-widget";
    const list = document.createElement("ol");
    list.className = "list-widget__items";
    const add = button("Add " + itemLabel, "Add " + itemLabel, "add");
    add.classList.add("list-widget__add");

    function sync() {
      const inputs = list.querySelectorAll("input");
      textarea.value = Array.from(inputs)
        .map((input) => input.value.replace(/\s+/g, " ").trim())
        .filter((value) => value !== "")
        .join("\n");
      inputs.forEach((input, index) => {
        input.setAttribute("aria-label", itemLabel + " " + (index + 1));
      });
    }

    function row(value) {
      const item = document.createElement("li");
      item.className = "list-widget__item";
      const input = document.createElement("input");
      input.type = "text";
      input.className = "vTextField list-widget__input";
      input.value = value;
      item.append(
        input,
        button("↑", "Move up", "up"),
        button("↓", "Move down", "down"),
        button("Remove", "Remove this " + itemLabel, "remove")
      );
      return item;
    }

    textarea.value
      .split("\n")
      .filter((line) => line.trim() !== "")
      .forEach((line) => list.append(row(line.trim())));
    if (!list.children.length) list.append(row(""));

    list.addEventListener("input", sync);
    list.addEventListener("click", (event) => {
      const target = event.target.closest("button");
      if (!target) return;
      const item = target.closest("li");
      if (target.dataset.action === "remove") {
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        if (!list.children.length) list.append(row(""));
        (next || list.firstElementChild).querySelector("input").focus();
      } else if (target.dataset.action === "up" && item.previousElementSibling) {
        item.previousElementSibling.before(item);
        target.focus();
      } else if (target.dataset.action === "down" && item.nextElementSibling) {
        item.nextElementSibling.after(item);
        target.focus();
      }
      sync();
    });
    add.addEventListener("click", () => {
      const item = row("");
      list.append(item);
      item.querySelector("input").focus();
      sync();
    });

    wrapper.append(list, add);
    textarea.hidden = true;
    textarea.after(wrapper);
    sync();
  }

  function start() {
    document.querySelectorAll("textarea[data-list-widget]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
