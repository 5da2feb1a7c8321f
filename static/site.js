// Follow and save without a reload: the forms post as they would without JavaScript,
// asking for JSON, and the button shows the new state. Any failure falls back to a plain
// form submission.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.toggle) return;
  event.preventDefault();
  const button = form.querySelector('button');
  const field = form.querySelector('input[name="follow"], input[name="save"]');
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (!response.ok) throw new Error(String(response.status));
    const state = await response.json();
    const on = state.following ?? state.saved;
    field.value = on ? '0' : '1';
    button.classList.toggle('is-on', on);
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    button.textContent = on ? button.dataset.on : button.dataset.off;
  } catch {
    form.submit();
  }
});
