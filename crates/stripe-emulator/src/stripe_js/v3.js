/*
 * Stripe.js stand-in, served by the Octavia Billing Stripe emulator in offline test mode.
 *
 * It offers the part of Stripe.js v3 the app uses, with the same names and result shapes:
 * Stripe(publishableKey), stripe.elements({clientSecret} | {mode, amount, currency,
 * paymentMethodTypes, setupFutureUsage, appearance}), elements.create('payment' | 'card'),
 * elements.update/submit, element.mount/on/off/update/clear/focus/blur/unmount/destroy (events
 * ready, change, loaderror), stripe.confirmPayment, stripe.confirmSetup, stripe.confirmCardPayment,
 * stripe.confirmCardSetup, stripe.createPaymentMethod, stripe.retrievePaymentIntent,
 * stripe.retrieveSetupIntent.
 * The Payment Element has a tab per payment method type: card, US bank account (Stripe's test
 * routing and account numbers, entered by hand) and bank transfer.
 * It talks only to the emulator's REST API (beside this script, under ../../v1/) with the
 * publishable key and the intent's client secret, as Stripe.js does with api.stripe.com.
 * Unlike Stripe.js the card fields are plain inputs in the page (no iframe), so a person or
 * Playwright can type into them directly.
 */
(function () {
  'use strict';

  var scriptSrc = (document.currentScript && document.currentScript.src) || '';
  // .../_emulator/stripe/js/v3/ -> .../_emulator/stripe/v1/
  var API_BASE = new URL('../../v1/', scriptSrc || window.location.href).href;

  var MESSAGES = {
    incomplete_number: 'Your card number is incomplete.',
    invalid_number: 'Your card number is invalid.',
    incomplete_expiry: "Your card's expiration date is incomplete.",
    invalid_expiry_month: "Your card's expiration date is incomplete.",
    invalid_expiry_year_past: "Your card's expiration year is in the past.",
    incomplete_cvc: "Your card's security code is incomplete.",
    incomplete_zip: 'Your postal code is incomplete.'
  };

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  /* ---------- form encoding (Stripe's bracket notation) ---------- */

  function encode(params, prefix, out) {
    out = out || [];
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      var name = prefix ? prefix + '[' + key + ']' : key;
      if (value === undefined || value === null) return;
      if (Array.isArray(value)) {
        value.forEach(function (item, i) {
          if (typeof item === 'object') encode(item, name + '[' + i + ']', out);
          else out.push(encodeURIComponent(name + '[]') + '=' + encodeURIComponent(item));
        });
      } else if (typeof value === 'object') {
        encode(value, name, out);
      } else {
        out.push(encodeURIComponent(name) + '=' + encodeURIComponent(String(value)));
      }
    });
    return out.join('&');
  }

  /* ---------- card logic ---------- */

  function digits(text) {
    return String(text || '').replace(/\D/g, '');
  }

  function brandOf(number) {
    if (/^4/.test(number)) return 'visa';
    if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
    if (/^3[47]/.test(number)) return 'amex';
    if (/^(6011|65|64[4-9])/.test(number)) return 'discover';
    if (/^35/.test(number)) return 'jcb';
    if (/^(36|30[0-5])/.test(number)) return 'diners';
    if (/^62/.test(number)) return 'unionpay';
    return 'unknown';
  }

  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var d = Number(number[number.length - 1 - i]);
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function numberLength(brand) {
    return brand === 'amex' ? 15 : brand === 'diners' ? 14 : 16;
  }

  function parseExpiry(text) {
    var d = digits(text);
    if (d.length < 4) return null;
    var month = Number(d.slice(0, 2));
    var year = Number(d.slice(2, 6));
    if (d.length === 4) year += 2000;
    return { month: month, year: year };
  }

  /* ---------- the card element ---------- */

  var FIELD_STYLE = 'flex:1 1 auto;min-width:0;border:0;outline:0;font:inherit;background:transparent;padding:2px 4px;';

  function CardElement(options) {
    this.options = options || {};
    this.handlers = {};
    this.container = null;
    this.destroyed = false;
    this.touched = {};
    this.root = this.render();
  }

  CardElement.prototype.render = function () {
    var root = document.createElement('div');
    root.className = 'StripeElement StripeElement--empty';
    root.setAttribute('data-stripe-standin', 'card');
    root.style.cssText = 'display:flex;gap:4px;align-items:center;';
    var self = this;
    function field(name, label, placeholder, autocomplete, width) {
      var input = document.createElement('input');
      input.name = name;
      input.type = 'text';
      input.inputMode = 'numeric';
      input.autocomplete = autocomplete;
      input.placeholder = placeholder;
      input.setAttribute('aria-label', label);
      input.style.cssText = FIELD_STYLE + (width ? 'flex:0 0 ' + width + ';' : '');
      input.addEventListener('input', function () { self.changed(name); });
      input.addEventListener('focus', function () { self.emit('focus', { elementType: 'card' }); });
      input.addEventListener('blur', function () {
        self.touched[name] = true;
        self.changed(name);
        self.emit('blur', { elementType: 'card' });
      });
      root.appendChild(input);
      return input;
    }
    this.number = field('cardnumber', 'Card number', '1234 1234 1234 1234', 'cc-number');
    this.expiry = field('exp-date', 'Expiration date', 'MM / YY', 'cc-exp', '5.5em');
    this.cvc = field('cvc', 'Security code', 'CVC', 'cc-csc', '4em');
    this.postal = field('postal', 'ZIP', 'ZIP', 'postal-code', '5.5em');
    this.postal.inputMode = 'text';
    this.applyOptions();
    return root;
  };

  CardElement.prototype.applyOptions = function () {
    this.postal.style.display = this.options.hidePostalCode ? 'none' : '';
    if (this.options.value && this.options.value.postalCode) this.postal.value = this.options.value.postalCode;
    var disabled = !!this.options.disabled;
    [this.number, this.expiry, this.cvc, this.postal].forEach(function (input) { input.disabled = disabled; });
  };

  /* The state Stripe's change event reports: {empty, complete, error, brand, value}. */
  CardElement.prototype.state = function () {
    var number = digits(this.number.value);
    var brand = brandOf(number);
    var expiry = parseExpiry(this.expiry.value);
    var cvc = digits(this.cvc.value);
    var postal = this.postal.value.trim();
    var needPostal = !this.options.hidePostalCode;
    var errors = [];
    var now = new Date();

    var numberDone = number.length >= numberLength(brand);
    if (numberDone && !luhn(number)) errors.push('invalid_number');
    else if (!numberDone && this.touched.cardnumber) errors.push('incomplete_number');

    var expiryDone = expiry !== null;
    if (expiryDone && (expiry.month < 1 || expiry.month > 12)) errors.push('invalid_expiry_month');
    else if (expiryDone && (expiry.year < now.getFullYear() ||
      (expiry.year === now.getFullYear() && expiry.month < now.getMonth() + 1))) errors.push('invalid_expiry_year_past');
    else if (!expiryDone && this.touched['exp-date']) errors.push('incomplete_expiry');

    var cvcDone = cvc.length >= (brand === 'amex' ? 4 : 3);
    if (!cvcDone && this.touched.cvc) errors.push('incomplete_cvc');
    var postalDone = !needPostal || postal.length >= 3;
    if (!postalDone && this.touched.postal) errors.push('incomplete_zip');

    var code = errors[0];
    return {
      elementType: 'card',
      empty: !number && !this.expiry.value && !cvc && (!needPostal || !postal),
      complete: !code && numberDone && expiryDone && cvcDone && postalDone,
      error: code ? { type: 'validation_error', code: code, message: MESSAGES[code] } : undefined,
      brand: brand,
      value: { postalCode: postal }
    };
  };

  /* The card as the API wants it (only called once complete). */
  CardElement.prototype.cardParams = function () {
    var expiry = parseExpiry(this.expiry.value);
    return { number: digits(this.number.value), exp_month: expiry.month, exp_year: expiry.year, cvc: digits(this.cvc.value) };
  };

  CardElement.prototype.changed = function () {
    var state = this.state();
    this.root.className = 'StripeElement' + (state.empty ? ' StripeElement--empty' : '') +
      (state.complete ? ' StripeElement--complete' : '') + (state.error ? ' StripeElement--invalid' : '');
    this.emit('change', state);
  };

  CardElement.prototype.emit = function (event, payload) {
    (this.handlers[event] || []).slice().forEach(function (handler) { handler(payload); });
  };

  CardElement.prototype.on = function (event, handler) {
    (this.handlers[event] = this.handlers[event] || []).push(handler);
    return this;
  };

  CardElement.prototype.off = function (event, handler) {
    var list = this.handlers[event] || [];
    this.handlers[event] = handler ? list.filter(function (h) { return h !== handler; }) : [];
    return this;
  };

  // Stripe's checks and errors on mount, the same for every Element.
  CardElement.prototype.attach = function (target) {
    if (this.destroyed) throw IntegrationError('This Element has already been destroyed. Please create a new one.');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node) throw IntegrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.');
    this.container = node;
    node.appendChild(this.root);
  };

  CardElement.prototype.mount = function (target) {
    this.attach(target);
    var self = this;
    setTimeout(function () { self.emit('ready', { elementType: 'card' }); }, 0);
    return this;
  };

  CardElement.prototype.unmount = function () {
    if (this.root.parentNode) this.root.parentNode.removeChild(this.root);
    this.container = null;
    return this;
  };

  CardElement.prototype.destroy = function () {
    this.unmount();
    this.handlers = {};
    this.destroyed = true;
    if (this.elements) this.elements.forget(this);
    return this;
  };

  CardElement.prototype.update = function (options) {
    for (var key in options) this.options[key] = options[key];
    this.applyOptions();
    return this;
  };

  CardElement.prototype.clear = function () {
    [this.number, this.expiry, this.cvc, this.postal].forEach(function (input) { input.value = ''; });
    this.touched = {};
    this.changed();
    return this;
  };

  CardElement.prototype.focus = function () { this.number.focus(); return this; };
  CardElement.prototype.blur = function () {
    if (document.activeElement && this.root.contains(document.activeElement)) document.activeElement.blur();
    return this;
  };

  /* ---------- the payment element ---------- */

  var TAB_LABELS = { card: 'Card', us_bank_account: 'US bank account', customer_balance: 'Bank transfer' };

  var BANK_MESSAGES = {
    incomplete_name: "Enter the account holder's name.",
    invalid_routing: 'Your routing number is invalid.',
    incomplete_account: 'Your account number is incomplete.'
  };

  /* An ABA routing number: nine digits whose 3-7-1 weighted sum is a multiple of ten. */
  function routingValid(number) {
    if (!/^\d{9}$/.test(number)) return false;
    var weights = [3, 7, 1];
    var sum = 0;
    for (var i = 0; i < 9; i++) sum += Number(number[i]) * weights[i % 3];
    return sum % 10 === 0;
  }

  /* The tabs a mode-built group offers: the types it names that can be used in its mode. */
  function offerable(options) {
    return (options.paymentMethodTypes || ['card']).filter(function (t) {
      return TAB_LABELS[t] && (options.mode !== 'setup' || t !== 'customer_balance');
    });
  }

  function PaymentElement(elements, options) {
    this.elements = elements;
    this.options = options || {};
    this.handlers = {};
    this.container = null;
    this.destroyed = false;
    this.types = [];
    this.selected = null;
    this.touched = {};
    this.card = new CardElement({});
    var self = this;
    this.card.on('change', function () { self.changed(); });
    this.root = document.createElement('div');
    this.root.className = 'StripeElement';
    this.root.setAttribute('data-stripe-standin', 'payment');
  }

  /* The types to offer: the intent's (clientSecret), or the Elements group's (mode). */
  PaymentElement.prototype.loadTypes = function () {
    var options = this.elements.options;
    if (options.clientSecret) {
      var secret = options.clientSecret;
      var kind = secret.indexOf('seti_') === 0 ? ['setup_intents', 'setupIntent'] : ['payment_intents', 'paymentIntent'];
      return this.elements.stripe._retrieve(kind[0], kind[1], secret).then(function (r) {
        if (r.error) return { error: r.error };
        return { types: r[kind[1]].payment_method_types || ['card'] };
      });
    }
    var types = offerable(options);
    if (!types.length) {
      return Promise.resolve({ error: { type: 'invalid_request_error', message: 'None of the payment method types given can be used here: ' + (options.paymentMethodTypes || []).join(', ') + '.' } });
    }
    return Promise.resolve({ types: types });
  };

  PaymentElement.prototype.render = function (types) {
    var self = this;
    this.types = types;
    this.root.innerHTML = '';
    var tablist = document.createElement('div');
    tablist.setAttribute('role', 'tablist');
    tablist.setAttribute('aria-label', 'Payment method');
    tablist.style.cssText = 'display:flex;gap:6px;margin-bottom:10px;flex-wrap:wrap;';
    this.tabs = {};
    this.panels = {};
    types.forEach(function (type) {
      var tab = document.createElement('button');
      tab.type = 'button';
      tab.id = 'standin-tab-' + type;
      tab.textContent = TAB_LABELS[type];
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', 'standin-panel-' + type);
      tab.addEventListener('click', function () { self.select(type); });
      tablist.appendChild(tab);
      self.tabs[type] = tab;
      var panel = document.createElement('div');
      panel.id = 'standin-panel-' + type;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', tab.id);
      self.panels[type] = panel;
    });
    this.tablist = tablist;
    tablist.hidden = types.length < 2;
    this.root.appendChild(tablist);
    if (this.panels.card) this.panels.card.appendChild(this.card.root);
    if (this.panels.us_bank_account) this.renderBank(this.panels.us_bank_account);
    if (this.panels.customer_balance) {
      this.panels.customer_balance.innerHTML = '<p style="margin:0">After you confirm, you get the account and routing numbers to send the money to by ACH or wire transfer, with a reference to quote. The payment completes when all of the money has arrived.</p>';
    }
    types.forEach(function (type) { self.root.appendChild(self.panels[type]); });
    this.applyAppearance();
    this.applyOptions();
    this.select(types[0]);
  };

  /* elements.update({paymentMethodTypes}): tabs come and go; what was typed stays. */
  PaymentElement.prototype.offer = function (types) {
    var self = this;
    if (!this.tabs) return;
    if (types.some(function (t) { return !self.tabs[t]; })) {
      this.render(types);
      return;
    }
    Object.keys(this.tabs).forEach(function (t) {
      var on = types.indexOf(t) >= 0;
      self.tabs[t].hidden = !on;
      if (!on) self.panels[t].hidden = true;
    });
    this.types = types;
    this.tablist.hidden = types.length < 2;
    this.select(types.indexOf(this.selected) >= 0 ? this.selected : types[0]);
  };

  PaymentElement.prototype.renderBank = function (panel) {
    var self = this;
    this.bank = {};
    function field(name, label, autocomplete) {
      var wrap = document.createElement('label');
      wrap.style.cssText = 'display:block;margin-bottom:8px;';
      wrap.textContent = label;
      var input = document.createElement('input');
      input.name = name;
      input.type = 'text';
      input.autocomplete = autocomplete;
      input.style.cssText = 'display:block;width:100%;box-sizing:border-box;font:inherit;padding:6px;border:1px solid #ccc;';
      if (name !== 'account_holder_name') input.inputMode = 'numeric';
      input.addEventListener('input', function () { self.changed(); });
      input.addEventListener('blur', function () { self.touched[name] = true; self.changed(); });
      wrap.appendChild(input);
      panel.appendChild(wrap);
      self.bank[name] = input;
    }
    field('account_holder_name', 'Account holder name', 'name');
    field('routing_number', 'Routing number', 'off');
    field('account_number', 'Account number', 'off');
    // Stripe's fallback when the bank cannot be reached instantly: two small deposits to verify.
    var manual = document.createElement('label');
    manual.style.cssText = 'display:block;margin-bottom:8px;';
    this.microdeposits = document.createElement('input');
    this.microdeposits.type = 'checkbox';
    this.microdeposits.name = 'verify_with_microdeposits';
    manual.appendChild(this.microdeposits);
    manual.appendChild(document.createTextNode(' Verify with two small deposits instead'));
    panel.appendChild(manual);
    var mandate = document.createElement('p');
    mandate.setAttribute('data-stripe-standin', 'mandate');
    mandate.style.cssText = 'font-size:0.85em;margin:0;';
    mandate.textContent = 'By confirming, you authorise the debit of this account for this payment and, if you save the account, for later payments you confirm, under the ACH rules. You can revoke this authorisation by contacting the seller.';
    panel.appendChild(mandate);
  };

  PaymentElement.prototype.applyAppearance = function () {
    var variables = (this.elements.options.appearance || {}).variables || {};
    var root = this.root;
    if (variables.fontFamily) root.style.fontFamily = variables.fontFamily;
    if (variables.colorText) root.style.color = variables.colorText;
    var radius = variables.borderRadius;
    var inputs = root.querySelectorAll('input');
    for (var i = 0; i < inputs.length; i++) if (radius) inputs[i].style.borderRadius = radius;
    this.primary = variables.colorPrimary || '#635bff';
    this.radius = radius || '4px';
  };

  PaymentElement.prototype.applyOptions = function () {
    var readOnly = !!this.options.readOnly;
    this.card.update({ disabled: readOnly });
    var inputs = this.root.querySelectorAll('input, button');
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = readOnly;
  };

  PaymentElement.prototype.select = function (type) {
    var self = this;
    this.selected = type;
    Object.keys(this.tabs).forEach(function (t) {
      var on = t === type;
      var tab = self.tabs[t];
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      tab.style.cssText = 'font:inherit;padding:6px 12px;cursor:pointer;background:transparent;border-radius:' + self.radius + ';border:' + (on ? '2px solid ' + self.primary : '1px solid #ccc') + ';color:' + (on ? self.primary : 'inherit') + ';';
      self.panels[t].hidden = !on;
    });
    this.changed();
  };

  /* The selected tab's validation error, if any; `all` marks every field as visited first. */
  PaymentElement.prototype.problem = function (all) {
    if (this.selected === 'card') {
      if (all) for (var name in { cardnumber: 1, 'exp-date': 1, cvc: 1, postal: 1 }) this.card.touched[name] = true;
      var state = this.card.state();
      if (state.complete) return null;
      return state.error || { type: 'validation_error', code: 'incomplete_number', message: MESSAGES.incomplete_number };
    }
    if (this.selected === 'us_bank_account') {
      if (all) this.touched = { account_holder_name: true, routing_number: true, account_number: true };
      var b = this.bankValues();
      var code = null;
      if (!b.name && this.touched.account_holder_name) code = 'incomplete_name';
      else if (!routingValid(b.routing) && (this.touched.routing_number || b.routing.length >= 9)) code = 'invalid_routing';
      else if (b.account.length < 4 && this.touched.account_number) code = 'incomplete_account';
      if (!code && (!b.name || !routingValid(b.routing) || b.account.length < 4)) return all ? { type: 'validation_error', code: 'incomplete', message: 'Your bank account details are incomplete.' } : { pending: true };
      return code ? { type: 'validation_error', code: code, message: BANK_MESSAGES[code] } : null;
    }
    return null;
  };

  PaymentElement.prototype.bankValues = function () {
    return {
      name: this.bank.account_holder_name.value.trim(),
      routing: digits(this.bank.routing_number.value),
      account: digits(this.bank.account_number.value)
    };
  };

  PaymentElement.prototype.changed = function () {
    if (!this.selected) return;
    var problem = this.problem(false);
    var error = problem && !problem.pending ? problem : undefined;
    this.emit('change', {
      elementType: 'payment',
      collapsed: false,
      empty: this.selected === 'card' ? this.card.state().empty : false,
      complete: !problem,
      error: error,
      value: { type: this.selected }
    });
  };

  /* What confirming sends for the selected tab: {payment_method} or {payment_method_data, mandate_data}. */
  PaymentElement.prototype.confirmParams = function (stripe, billingDetails) {
    var problem = this.problem(true);
    if (problem) { this.changed(); return Promise.resolve({ error: problem }); }
    if (this.selected === 'card') {
      return stripe._paymentMethod({ card: this.card, billing_details: billingDetails }).then(function (pm) {
        return pm.error ? { error: pm.error } : { params: { payment_method: pm.id } };
      });
    }
    if (this.selected === 'us_bank_account') {
      var b = this.bankValues();
      return Promise.resolve({ params: {
        payment_method_data: {
          type: 'us_bank_account',
          us_bank_account: { routing_number: b.routing, account_number: b.account, account_holder_type: 'company' },
          billing_details: Object.assign({}, billingDetails, { name: b.name })
        },
        mandate_data: { customer_acceptance: { type: 'online', online: { infer_from_client: true, user_agent: navigator.userAgent } } },
        payment_method_options: this.microdeposits.checked ? { us_bank_account: { verification_method: 'microdeposits' } } : undefined
      } });
    }
    return Promise.resolve({ params: { payment_method_data: { type: 'customer_balance' } } });
  };

  PaymentElement.prototype.emit = CardElement.prototype.emit;
  PaymentElement.prototype.on = CardElement.prototype.on;
  PaymentElement.prototype.off = CardElement.prototype.off;
  PaymentElement.prototype.unmount = CardElement.prototype.unmount;
  PaymentElement.prototype.attach = CardElement.prototype.attach;

  PaymentElement.prototype.mount = function (target) {
    this.attach(target);
    var self = this;
    if (this.types.length) {
      setTimeout(function () { self.emit('ready', { elementType: 'payment' }); }, 0);
      return this;
    }
    this.loadTypes().then(function (loaded) {
      if (self.destroyed) return;
      if (loaded.error) {
        self.emit('loaderror', { elementType: 'payment', error: loaded.error });
        return;
      }
      self.render(loaded.types);
      self.emit('ready', { elementType: 'payment' });
    });
    return this;
  };

  PaymentElement.prototype.destroy = CardElement.prototype.destroy;
  PaymentElement.prototype.update = CardElement.prototype.update;

  PaymentElement.prototype.clear = function () {
    this.card.clear();
    for (var name in this.bank || {}) this.bank[name].value = '';
    this.touched = {};
    this.changed();
    return this;
  };

  PaymentElement.prototype.focus = function () {
    var tab = this.tabs && this.tabs[this.selected];
    if (tab) tab.focus();
    return this;
  };
  PaymentElement.prototype.blur = CardElement.prototype.blur;

  /* ---------- the Elements group ---------- */

  var ELEMENT_TYPES = { card: CardElement, payment: PaymentElement };

  function Elements(stripe, options) {
    this.stripe = stripe;
    this.options = options || {};
    this.created = {};
    this.submitted = false;
  }

  Elements.prototype.create = function (type, options) {
    if (!ELEMENT_TYPES[type]) throw IntegrationError('The Stripe.js stand-in supports the payment and card Elements only, not ' + type + '.');
    if (this.created[type]) throw IntegrationError('Can only create one Element of type ' + type + '.');
    var element;
    if (type === 'payment') {
      var o = this.options;
      if (!o.clientSecret && !o.mode) throw IntegrationError('In order to create a payment element, you must pass a clientSecret or mode when creating the Elements group.');
      if (o.mode === 'payment' && !(o.amount > 0)) throw IntegrationError('In order to create a payment element in payment mode, you must pass a positive amount.');
      if (o.mode && !o.currency) throw IntegrationError('In order to create a payment element with mode, you must pass a currency.');
      element = new PaymentElement(this, options);
    } else {
      element = new CardElement(options);
      element.elements = this;
    }
    this.created[type] = element;
    return element;
  };

  Elements.prototype.getElement = function (type) {
    return this.created[type] || null;
  };

  Elements.prototype.forget = function (element) {
    for (var type in this.created) if (this.created[type] === element) delete this.created[type];
  };

  /* Only what a mode-built group may change after creation. */
  Elements.prototype.update = function (options) {
    var o = this.options;
    ['amount', 'currency', 'setupFutureUsage', 'appearance', 'paymentMethodTypes'].forEach(function (key) {
      if (options && key in options) o[key] = options[key];
    });
    var element = this.created.payment;
    if (!element || !options) return;
    if (options.appearance) element.applyAppearance();
    if (options.paymentMethodTypes && o.mode) element.offer(offerable(o));
  };

  /* Validates the Payment Element before the server makes the intent (deferred intents). */
  Elements.prototype.submit = function () {
    var element = this.created.payment;
    if (!element) return Promise.reject(IntegrationError('elements.submit(): create and mount a payment Element first.'));
    var problem = element.problem(true);
    element.changed();
    if (problem) return Promise.resolve({ error: problem });
    this.submitted = true;
    return Promise.resolve({ selectedPaymentMethod: element.selected });
  };

  /* ---------- 3-D Secure challenge ---------- */

  function challenge() {
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.setAttribute('data-stripe-standin', 'three-d-secure');
      overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;' +
        'align-items:center;justify-content:center;z-index:2147483647;';
      var dialog = document.createElement('div');
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-labelledby', 'stripe-standin-3ds-title');
      dialog.style.cssText = 'background:#fff;color:#222;padding:24px;border-radius:8px;max-width:360px;font-family:sans-serif;';
      dialog.innerHTML = '<h2 id="stripe-standin-3ds-title" style="margin-top:0">3D Secure test payment</h2>' +
        '<p>This is a test 3D Secure challenge from the offline Stripe emulator. ' +
        'Complete or fail the authentication.</p>';
      function button(label, answer) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = label;
        b.style.cssText = 'margin-right:8px;padding:8px 12px;';
        b.addEventListener('click', function () {
          overlay.parentNode.removeChild(overlay);
          resolve(answer);
        });
        dialog.appendChild(b);
        return b;
      }
      var complete = button('Complete authentication', 'complete');
      button('Fail authentication', 'fail');
      overlay.appendChild(dialog);
      document.body.appendChild(overlay);
      complete.focus();
    });
  }

  /* ---------- the Stripe object ---------- */

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (typeof publishableKey !== 'string' || !/^pk_(test|live)_/.test(publishableKey)) {
      throw IntegrationError('Invalid value for Stripe(): apiKey should be a publishable key (pk_test_...). You specified: ' + publishableKey + '.');
    }
    if (/^pk_live_/.test(publishableKey)) {
      throw IntegrationError('The offline Stripe emulator never takes live keys.');
    }
    this._key = publishableKey;
  }

  Stripe.prototype._request = function (method, path, params) {
    var query = method === 'GET' && params ? '?' + encode(params) : '';
    return fetch(API_BASE + path + query, {
      method: method,
      headers: {
        Authorization: 'Bearer ' + this._key,
        'Content-Type': 'application/x-www-form-urlencoded'
      },
      body: method === 'GET' ? undefined : encode(params || {}),
      credentials: 'omit'
    }).then(function (response) {
      return response.json().then(function (body) {
        return response.ok ? { ok: body } : { error: body.error };
      });
    }, function (e) {
      return { error: { type: 'api_connection_error', message: 'Could not reach the Stripe emulator: ' + e.message } };
    });
  };

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options);
  };

  /* A payment method from {card: element, billing_details} (or an id string, used as is). */
  Stripe.prototype._paymentMethod = function (given) {
    if (typeof given === 'string') return Promise.resolve({ id: given });
    // None given: the intent's own payment method is confirmed.
    if (!given) return Promise.resolve({ id: null });
    var card = given.card;
    if (!(card instanceof CardElement)) {
      return Promise.reject(IntegrationError('payment_method.card must be a card Element created by elements.create("card").'));
    }
    for (var name in { cardnumber: 1, 'exp-date': 1, cvc: 1, postal: 1 }) card.touched[name] = true;
    var state = card.state();
    if (!state.complete) {
      card.changed();
      return Promise.resolve({ error: state.error || { type: 'validation_error', code: 'incomplete_number', message: MESSAGES.incomplete_number } });
    }
    var billing = given.billing_details || {};
    if (!billing.address || !billing.address.postal_code) {
      billing = Object.assign({}, billing, { address: Object.assign({}, billing.address, { postal_code: state.value.postalCode || undefined }) });
    }
    return this._request('POST', 'payment_methods', {
      type: 'card', card: card.cardParams(), billing_details: billing, metadata: given.metadata
    }).then(function (r) { return r.error ? { error: r.error } : { id: r.ok.id, object: r.ok }; });
  };

  Stripe.prototype.createPaymentMethod = function (data) {
    var given = data && data.type ? data : { card: data && data.card };
    return this._paymentMethod({ card: given.card, billing_details: given.billing_details, metadata: given.metadata })
      .then(function (pm) { return pm.error ? { error: pm.error } : { paymentMethod: pm.object }; });
  };

  /* How a confirmed intent reads to the caller: {paymentIntent} / {setupIntent}, or {error}
   * for an attempt that failed. */
  function outcomeOf(kind, intent) {
    var payment = kind === 'payment_intents';
    var lastError = intent[payment ? 'last_payment_error' : 'last_setup_error'];
    if (intent.status === 'requires_payment_method' && lastError) {
      var error = Object.assign({}, lastError);
      error[payment ? 'payment_intent' : 'setup_intent'] = intent;
      return { error: error };
    }
    var result = {};
    result[payment ? 'paymentIntent' : 'setupIntent'] = intent;
    return result;
  }

  /* Sends the browser away and never settles, as Stripe.js does when it redirects. */
  function leave(url) {
    window.location.assign(url);
    return new Promise(function () {});
  }

  /* Confirms `params`, then does what the intent asks: 3-D Secure in the page, or a redirect
   * to the bank's page (`redirect` decides whether redirects are allowed at all). */
  Stripe.prototype._confirmIntent = function (kind, clientSecret, params, redirect) {
    var self = this;
    var id = String(clientSecret).split('_secret_')[0];
    params.client_secret = clientSecret;
    return this._request('POST', kind + '/' + id + '/confirm', params).then(function (r) {
      if (r.error) return { error: r.error };
      var intent = r.ok;
      var action = intent.status === 'requires_action' && intent.next_action;
      if (action && action.type === 'redirect_to_url' && redirect !== 'never') return leave(action.redirect_to_url.url);
      if (!action || action.type !== 'use_stripe_sdk' || redirect === 'never') return outcomeOf(kind, intent);
      return challenge().then(function (answer) {
        return self._request('POST', kind + '/' + id + '/authenticate', { client_secret: clientSecret, result: answer })
          .then(function (a) { return a.error ? { error: a.error } : outcomeOf(kind, a.ok); });
      });
    });
  };

  function checkClientSecret(name, clientSecret) {
    if (!clientSecret || String(clientSecret).indexOf('_secret_') < 0) {
      return IntegrationError('Invalid value for ' + name + ': clientSecret should be a client secret of the form ${id}_secret_${secret}.');
    }
    return null;
  }

  /* confirmCardPayment / confirmCardSetup: a card Element or a saved payment method. */
  Stripe.prototype._confirm = function (kind, clientSecret, data, options) {
    var self = this;
    var invalid = checkClientSecret(kind === 'payment_intents' ? 'confirmCardPayment' : 'confirmCardSetup', clientSecret);
    if (invalid) return Promise.reject(invalid);
    data = data || {};
    return this._paymentMethod(data.payment_method).then(function (pm) {
      if (pm.error) return { error: pm.error };
      var handled = !(options && options.handleActions === false);
      // Handling actions itself, Stripe.js shows the challenge in the page where it can.
      var params = { return_url: data.return_url, use_stripe_sdk: handled || undefined };
      if (pm.id) params.payment_method = pm.id;
      if (data.setup_future_usage) params.setup_future_usage = data.setup_future_usage;
      if (data.receipt_email) params.receipt_email = data.receipt_email;
      var redirect = handled ? 'if_required' : 'never';
      return self._confirmIntent(kind, clientSecret, params, redirect);
    });
  };

  /* confirmPayment / confirmSetup: the Payment Element, or a saved payment method. */
  Stripe.prototype._confirmElements = function (kind, args) {
    var self = this;
    var name = kind === 'payment_intents' ? 'stripe.confirmPayment()' : 'stripe.confirmSetup()';
    args = args || {};
    var elements = args.elements;
    var confirmParams = args.confirmParams || {};
    var redirect = args.redirect || 'always';
    var clientSecret = args.clientSecret || (elements && elements.options.clientSecret);
    var invalid = checkClientSecret(name, clientSecret);
    if (invalid) return Promise.reject(invalid);
    if (redirect !== 'always' && redirect !== 'if_required') {
      return Promise.reject(IntegrationError(name + ': redirect must be "always" or "if_required".'));
    }
    if (!confirmParams.return_url && redirect === 'always') {
      return Promise.reject(IntegrationError(name + ': confirmParams.return_url is required unless redirect is "if_required".'));
    }
    var element = elements && elements.created.payment;
    if (!confirmParams.payment_method && !element) {
      return Promise.reject(IntegrationError(name + ': pass elements with a mounted payment Element, or confirmParams.payment_method.'));
    }
    if (element && !confirmParams.payment_method && elements.options.mode && !elements.submitted) {
      return Promise.reject(IntegrationError('elements.submit() must be called before ' + name + '. Call elements.submit() as soon as your customer presses pay, prior to any asynchronous work.'));
    }
    if (elements) elements.submitted = false;
    var collected = confirmParams.payment_method
      ? Promise.resolve({ params: { payment_method: confirmParams.payment_method } })
      : element.confirmParams(this, (confirmParams.payment_method_data || {}).billing_details);
    return collected.then(function (c) {
      if (c.error) return { error: c.error };
      var params = Object.assign({ use_stripe_sdk: true, return_url: confirmParams.return_url }, c.params);
      if (confirmParams.receipt_email) params.receipt_email = confirmParams.receipt_email;
      return self._confirmIntent(kind, clientSecret, params, redirect).then(function (result) {
        var intent = result.paymentIntent || result.setupIntent;
        if (!intent || redirect !== 'always') return result;
        var key = kind === 'payment_intents' ? 'payment_intent' : 'setup_intent';
        var url = new URL(confirmParams.return_url, window.location.href);
        url.searchParams.set(key, intent.id);
        url.searchParams.set(key + '_client_secret', clientSecret);
        url.searchParams.set('redirect_status', intent.status === 'succeeded' ? 'succeeded' : intent.status === 'processing' ? 'processing' : 'pending');
        return leave(url.href);
      });
    });
  };

  Stripe.prototype.confirmPayment = function (args) {
    return this._confirmElements('payment_intents', args);
  };

  Stripe.prototype.confirmSetup = function (args) {
    return this._confirmElements('setup_intents', args);
  };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data, options) {
    return this._confirm('payment_intents', clientSecret, data, options);
  };

  Stripe.prototype.confirmCardSetup = function (clientSecret, data, options) {
    return this._confirm('setup_intents', clientSecret, data, options);
  };

  Stripe.prototype._retrieve = function (kind, resultKey, clientSecret) {
    var id = String(clientSecret || '').split('_secret_')[0];
    return this._request('GET', kind + '/' + id, { client_secret: clientSecret }).then(function (r) {
      if (r.error) return { error: r.error };
      var result = {};
      result[resultKey] = r.ok;
      return result;
    });
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    return this._retrieve('payment_intents', 'paymentIntent', clientSecret);
  };

  Stripe.prototype.retrieveSetupIntent = function (clientSecret) {
    return this._retrieve('setup_intents', 'setupIntent', clientSecret);
  };

  Stripe.version = 3;
  Stripe.emulated = true;
  window.Stripe = Stripe;
})();
