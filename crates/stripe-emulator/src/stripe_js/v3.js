/*
 * Stripe.js stand-in, served by the Octavia Billing Stripe emulator in offline test mode.
 *
 * It offers the part of Stripe.js v3 the app uses, with the same names and result shapes:
 * Stripe(publishableKey), stripe.elements(), elements.create('card'), element.mount/on/off/
 * update/clear/focus/blur/unmount/destroy, stripe.confirmCardPayment, stripe.confirmCardSetup,
 * stripe.createPaymentMethod, stripe.retrievePaymentIntent, stripe.retrieveSetupIntent.
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

  CardElement.prototype.mount = function (target) {
    if (this.destroyed) throw IntegrationError('This Element has already been destroyed. Please create a new one.');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node) throw IntegrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.');
    this.container = node;
    node.appendChild(this.root);
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

  function Elements(options) {
    this.options = options || {};
    this.created = {};
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'card') throw IntegrationError('The Stripe.js stand-in supports the card Element only, not ' + type + '.');
    if (this.created.card) throw IntegrationError('Can only create one Element of type card.');
    var element = new CardElement(options);
    element.elements = this;
    this.created.card = element;
    return element;
  };

  Elements.prototype.getElement = function (type) {
    return this.created[type] || null;
  };

  Elements.prototype.forget = function (element) {
    if (this.created.card === element) delete this.created.card;
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
    return new Elements(options);
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

  /* Shared by payment and setup intents: confirm, then answer 3-D Secure if asked. */
  Stripe.prototype._confirm = function (kind, clientSecret, data, options) {
    var self = this;
    var id = String(clientSecret || '').split('_secret_')[0];
    if (!id || String(clientSecret).indexOf('_secret_') < 0) {
      return Promise.reject(IntegrationError('Invalid value for ' + (kind === 'payment_intents' ? 'confirmCardPayment' : 'confirmCardSetup') + ': clientSecret should be a client secret of the form ${id}_secret_${secret}.'));
    }
    var resultKey = kind === 'payment_intents' ? 'paymentIntent' : 'setupIntent';
    var errorField = kind === 'payment_intents' ? 'payment_intent' : 'setup_intent';
    var lastErrorField = kind === 'payment_intents' ? 'last_payment_error' : 'last_setup_error';
    data = data || {};
    function outcome(intent) {
      if (intent.status === 'requires_payment_method' && intent[lastErrorField]) {
        var error = Object.assign({}, intent[lastErrorField]);
        error[errorField] = intent;
        return { error: error };
      }
      var result = {};
      result[resultKey] = intent;
      return result;
    }
    return this._paymentMethod(data.payment_method).then(function (pm) {
      if (pm.error) return { error: pm.error };
      var params = { client_secret: clientSecret, return_url: data.return_url };
      if (pm.id) params.payment_method = pm.id;
      if (data.setup_future_usage) params.setup_future_usage = data.setup_future_usage;
      if (data.receipt_email) params.receipt_email = data.receipt_email;
      return self._request('POST', kind + '/' + id + '/confirm', params).then(function (r) {
        if (r.error) return { error: r.error };
        var intent = r.ok;
        var sdkAction = intent.status === 'requires_action' && intent.next_action && intent.next_action.type === 'use_stripe_sdk';
        if (!sdkAction || (options && options.handleActions === false)) return outcome(intent);
        return challenge().then(function (answer) {
          return self._request('POST', kind + '/' + id + '/authenticate', { client_secret: clientSecret, result: answer })
            .then(function (a) { return a.error ? { error: a.error } : outcome(a.ok); });
        });
      });
    });
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
