// The form and the state, both ways. Controls are named after state fields (`stride.1` is `state.stride[1]`), so
// this module needs no list of them.
import { CONTENTS, PRESETS, TEXTURE_CAPS, type Field, type PlaygroundState } from './state';

const CONTENT_LABELS: Record<string, string> = {
  random: 'seeded random', impulse: 'single impulse', ones: 'all ones', checkerboard: 'checkerboard',
  sphere: 'sphere', npy: 'loaded .npy',
};

/** Fills the preset, contents and texture size menus. */
export function populateMenus(form: HTMLFormElement): void {
  const preset = form.elements.namedItem('preset') as HTMLSelectElement;
  preset.innerHTML = '<option value="">(custom)</option>' +
    PRESETS.map((p) => `<option value="${p.name}">${p.title}</option>`).join('');
  for (const select of form.querySelectorAll<HTMLSelectElement>('select.content')) {
    select.innerHTML = CONTENTS.map((c) => `<option value="${c}">${CONTENT_LABELS[c]}</option>`).join('');
  }
  (form.elements.namedItem('textureCap') as HTMLSelectElement).innerHTML = TEXTURE_CAPS.map((cap) =>
    `<option value="${cap}">${cap === 0 ? "the device's" : cap}</option>`).join('');
}

/** A number field's value; an empty or unreadable field is NaN, which the argument rules then name. */
function numberOf(input: HTMLInputElement): number {
  return input.value.trim() === '' ? NaN : Number(input.value);
}

function fieldsOf(form: HTMLFormElement): HTMLInputElement[] {
  return [...form.querySelectorAll<HTMLInputElement>('input[name], select[name]')]
    .filter((el) => el.name !== 'preset');
}

/** The state the form shows, on top of `base` (which supplies what the form has no control for). */
export function readForm(form: HTMLFormElement, base: PlaygroundState): PlaygroundState {
  const s = structuredClone(base) as unknown as Record<string, unknown>;
  for (const el of fieldsOf(form)) {
    const [key, index] = el.name.split('.');
    if (el.type === 'checkbox') s[key] = el.checked;
    else if (el.tagName === 'SELECT' && (key.endsWith('Content') || key === 'storage')) s[key] = el.value;
    else if (index !== undefined) (s[key] as number[])[Number(index)] = numberOf(el);
    else s[key] = numberOf(el);
  }
  return s as unknown as PlaygroundState;
}

/** Shows `state` in the form. */
export function writeForm(form: HTMLFormElement, state: PlaygroundState): void {
  const s = state as unknown as Record<string, unknown>;
  for (const el of fieldsOf(form)) {
    const [key, index] = el.name.split('.');
    const value = index !== undefined ? (s[key] as number[])[Number(index)] : s[key];
    if (el.type === 'checkbox') el.checked = Boolean(value);
    else el.value = String(value);
  }
  showRelevant(form, state);
}

/** Shows only the controls that matter for `state` (the impulse's position only for impulse contents). */
export function showRelevant(form: HTMLFormElement, state: PlaygroundState): void {
  for (const row of form.querySelectorAll<HTMLElement>('.impulse')) {
    row.hidden = state.inputContent !== 'impulse';
  }
}

/** Shows `message` beside the control of `field` (and clears every other error); null clears all. */
export function showError(form: HTMLFormElement, error: { field: Field; message: string } | null): void {
  for (const p of form.querySelectorAll<HTMLElement>('[data-error]')) {
    const mine = error !== null && p.dataset.error === error.field;
    p.textContent = mine ? error.message : '';
    p.closest('fieldset')?.classList.toggle('invalid', false);
  }
  if (error) form.querySelector(`[data-error="${error.field}"]`)?.closest('fieldset')?.classList.add('invalid');
}
