// Sesame's only script: the "Who are you?" proof of work, the new password's live check and the recovery codes' print
// button. Pages work without it (the CAPTCHA then asks a sum instead).
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
