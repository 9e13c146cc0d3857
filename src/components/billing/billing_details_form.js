// The billing details form, saved without leaving the page: the body the API takes is built
// from the fields, the answer is shown in place, and a refused field gets the focus. Nothing
// typed is lost on an error. Also: "Send again" buttons of the invoice list.
(function () {
  var form = document.getElementById("billing-details-form");
  if (form) {
    var status = document.getElementById("billing-details-status");
    var rows = document.getElementById("tax-id-rows");
    var template = document.getElementById("tax-id-row-template");
    var add = document.getElementById("add-tax-id");
    var submit = form.querySelector("button[type=submit]");
    var max = Number(rows.getAttribute("data-max"));
    var refresh = function () { add.hidden = rows.children.length >= max; };
    add.addEventListener("click", function () {
      rows.appendChild(template.content.cloneNode(true));
      refresh();
      rows.lastElementChild.querySelector("input").focus();
    });
    rows.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-tax-id]");
      if (remove) { remove.closest(".tax-id-row").remove(); refresh(); add.focus(); }
    });
    refresh();
    submit.disabled = false;
    var say = function (kind, text) { status.className = kind; status.textContent = text; };
    var value = function (name) { return form.elements[name].value.trim(); };
    // The API names the refused field: "legal_name", "address.city", "tax_ids[1].value"…
    var focusNamed = function (message) {
      var named = /"([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_0-9]+))?"/.exec(message || "");
      if (!named) return;
      var input = null;
      if (named[1] === "tax_ids" && named[2] !== undefined) {
        var row = rows.querySelectorAll(".tax-id-row")[Number(named[2])];
        input = row && row.querySelector(named[3] === "type" ? "select" : "input");
      } else {
        input = form.elements[named[1] === "address" ? named[3] : named[1]];
      }
      if (input && input.focus) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submit.disabled) return;
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      var body = {
        legal_name: value("legal_name"),
        emails: value("emails").split(/[\s,;]+/).filter(Boolean),
        address: {
          line1: value("line1"), line2: value("line2") || null, city: value("city"),
          state: value("state") || null, postal_code: value("postal_code"), country: value("country")
        },
        tax_ids: Array.prototype.map.call(rows.querySelectorAll(".tax-id-row"), function (row) {
          return { type: row.querySelector("select").value, value: row.querySelector("input").value.trim() };
        }).filter(function (taxId) { return taxId.value; })
      };
      submit.disabled = true;
      submit.textContent = "Saving…";
      say("muted", "");
      fetch("/api/institution/billing-details", {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (response.ok) {
            form.elements.emails.value = json.emails.join(", ");
            form.elements.country.value = json.address.country;
            say("notice success", "Saved. Your next invoice carries these details.");
          } else if (response.status === 401) {
            say("form-error", "Your session has ended: sign in again in another tab, then save (your changes are still here).");
          } else {
            say("form-error", json.error || "The details could not be saved. Try again.");
            focusNamed(json.error);
          }
        });
      }).catch(function () {
        say("form-error", "The server could not be reached; nothing was saved. Try again.");
      }).then(function () {
        submit.disabled = false;
        submit.textContent = "Save billing details";
      });
    });
  }

  // Invoice rows are drawn by an island (older pages arrive later): one listener for all.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-send-invoice]");
    if (!button || button.disabled) return;
    var result = button.parentElement.querySelector(".send-result");
    button.disabled = true;
    result.className = "send-result muted small";
    result.textContent = " Sending…";
    fetch("/api/stripe/invoices/" + encodeURIComponent(button.getAttribute("data-send-invoice")) + "/send", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        result.className = response.ok ? "send-result small" : "send-result form-error small";
        result.textContent = response.ok ? " Sent to your billing email." : " " + (json.error || "Not sent. Try again.");
      });
    }).catch(function () {
      result.className = "send-result form-error small";
      result.textContent = " The server could not be reached; not sent.";
    }).then(function () { button.disabled = false; });
  });
})();
