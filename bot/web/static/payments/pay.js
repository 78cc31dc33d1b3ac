// The pay page: Stripe's Payment Element, confirmed by the browser with Stripe directly.
// Card and bank numbers stay inside Stripe's fields; this file only learns the outcome.
(function () {
  'use strict';
  var root = document.getElementById('pay');
  var data = root.dataset;
  var form = document.getElementById('pay-form');
  var button = document.getElementById('submit');
  var message = document.getElementById('message');
  var stripe = Stripe(data.publishableKey);
  var elements = stripe.elements({clientSecret: data.clientSecret});
  var paymentElement = elements.create('payment', {layout: 'tabs'});
  paymentElement.mount('#payment-element');
  var busy = false;

  function say(text, info) {
    message.textContent = text;
    message.className = info ? 'info' : '';
  }

  function finish(title, text, confirmation) {
    form.hidden = true;
    document.getElementById('done-title').textContent = title;
    document.getElementById('done-message').textContent = text;
    document.getElementById('done-confirmation').textContent =
      confirmation ? 'Confirmation number: ' + confirmation : '';
    document.getElementById('done').hidden = false;
  }

  function poll(tries) {
    fetch(data.statusUrl, {headers: {Accept: 'application/json'}, cache: 'no-store'})
      .then(function (r) { return r.json(); })
      .then(function (status) {
        if (status.state === 'succeeded') {
          finish(data.mode === 'setup' ? 'Autopay is on' : 'Payment received',
                 status.message, status.confirmation);
        } else if (status.state === 'processing') {
          finish('Payment processing', status.message);
        } else if (status.state === 'failed') {
          say(status.message);
          busy = false;
          button.disabled = false;
        } else if (tries > 0) {
          setTimeout(function () { poll(tries - 1); }, 1000);
        } else {
          finish('Submitted', "We're finishing up and will text you a confirmation.");
        }
      })
      .catch(function () {
        if (tries > 0) { setTimeout(function () { poll(tries - 1); }, 1000); }
      });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) { return; }  // one submit at a time; the server also allows one charge per link
    busy = true;
    button.disabled = true;
    say('Processing…', true);
    var confirm = data.mode === 'setup' ? stripe.confirmSetup : stripe.confirmPayment;
    confirm.call(stripe, {
      elements: elements,
      confirmParams: {return_url: data.returnUrl},
      redirect: 'if_required'
    }).then(function (result) {
      if (result.error) {
        say(result.error.message || 'The payment did not go through.');
        busy = false;
        button.disabled = false;
        return;
      }
      say('Confirming with your bank…', true);
      poll(60);
    });
  });
})();
