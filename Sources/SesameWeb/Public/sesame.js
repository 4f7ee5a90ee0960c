// Sesame's only script: the "Who are you?" proof of work, the new password's live check, the recovery codes' print
// button and passkeys. Pages work without it (the CAPTCHA then asks a sum instead), but for passkeys, which need it.
"use strict";

async function solveProofOfWork(token, bits) {
  const encoder = new TextEncoder();
  for (let counter = 0; ; counter++) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token + ":" + counter)));
    let zeros = 0;
    for (const byte of digest) {
      if (byte === 0) { zeros += 8; continue; }
      zeros += Math.clz32(byte) - 24;
      break;
    }
    if (zeros >= bits) return String(counter);
  }
}

document.querySelectorAll("form[data-captcha]").forEach((form) => {
  const status = form.querySelector("[data-captcha-status]");
  let solved = false;
  form.addEventListener("submit", async (event) => {
    if (solved) return;
    event.preventDefault();
    if (status) status.hidden = false;
    form.querySelector("input[name=solution]").value = await solveProofOfWork(form.dataset.captcha, Number(form.dataset.bits));
    solved = true;
    form.submit();
  });
});

document.querySelectorAll("input[data-strength]").forEach((input) => {
  const output = document.getElementById(input.dataset.strength);
  const update = () => {
    const value = input.value;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(value)).length;
    // The policy's rules, from the page (docs/behaviour.md#passwords); the server checks them again.
    const length = [...value.normalize(input.dataset.unicode === "true" ? "NFKC" : "NFC")].length;
    const ascii = input.dataset.unicode === "true" || /^[\x20-\x7e]*$/.test(value);
    const ok = length >= Number(input.dataset.min) && length <= 256 && classes >= Number(input.dataset.classes) && ascii;
    output.textContent = ok ? output.dataset.ok : output.dataset.weak;
    output.className = ok ? "strength ok" : "strength weak";
  };
  input.addEventListener("input", update);
});

// The recovery codes' "Print" button: hidden without the script, since the browser's own Print does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

// Passkeys (docs/behaviour.md#passkeys): the form's options, binary fields in base64url, go to the browser's WebAuthn,
// and its answer is posted in the form's hidden fields. The server checks everything; this only carries bytes.
const fromBase64URL = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const toBase64URL = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const withBuffers = (list) => list.map((descriptor) => ({ ...descriptor, id: fromBase64URL(descriptor.id) }));

function creationOptions(options) {
  return { ...options, challenge: fromBase64URL(options.challenge), user: { ...options.user, id: fromBase64URL(options.user.id) },
    excludeCredentials: withBuffers(options.excludeCredentials) };
}

function requestOptions(options) {
  return { ...options, challenge: fromBase64URL(options.challenge), allowCredentials: withBuffers(options.allowCredentials) };
}

function postAssertion(form, credential) {
  const response = credential.response;
  form.elements.credentialID.value = toBase64URL(credential.rawId);
  form.elements.authenticatorData.value = toBase64URL(response.authenticatorData);
  form.elements.clientDataJSON.value = toBase64URL(response.clientDataJSON);
  form.elements.signature.value = toBase64URL(response.signature);
  form.elements.userHandle.value = response.userHandle ? toBase64URL(response.userHandle) : "";
  form.submit();
}

document.querySelectorAll("form[data-passkey]").forEach((form) => {
  const button = form.querySelector("button[type=submit]");
  if (!window.PublicKeyCredential) {
    form.querySelector("[data-passkey-unsupported]").hidden = false;
    button.disabled = true;
    return;
  }
  const options = JSON.parse(form.dataset.options);
  const failed = form.querySelector("[data-passkey-failed]");
  // At sign-in, the browser may offer its passkeys in the user ID field's autofill (conditional mediation); a click
  // on the button cancels that request first, as a page may have only one under way.
  let conditional = null;
  if (form.dataset.passkey === "signin" && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
      if (!available) return;
      conditional = new AbortController();
      navigator.credentials.get({ publicKey: requestOptions(options), mediation: "conditional", signal: conditional.signal })
        .then((credential) => credential && postAssertion(form, credential))
        .catch(() => {});
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    failed.hidden = true;
    if (conditional) conditional.abort();
    try {
      if (form.dataset.passkey === "create") {
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        form.elements.attestationObject.value = toBase64URL(credential.response.attestationObject);
        form.elements.clientDataJSON.value = toBase64URL(credential.response.clientDataJSON);
        form.submit();
      } else {
        postAssertion(form, await navigator.credentials.get({ publicKey: requestOptions(options) }));
      }
    } catch (error) {
      failed.hidden = false;
    }
  });
});
