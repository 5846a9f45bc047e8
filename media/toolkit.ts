/**
 * The one place the page touches @vscode/webview-ui-toolkit (the design card's choice): it registers the components the
 * panel uses and hands out typed constructors. Swapping the toolkit (it is deprecated upstream) means changing this file
 * and the tag names below, nothing else.
 *
 * CSP: the components (FAST) style themselves through constructable stylesheets (adoptedStyleSheets) and set design tokens
 * through the CSSOM; neither needs 'unsafe-inline'. The page reports any violation to the host (main.ts).
 */
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeDropdown, vsCodeOption, vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) { return; }
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField(), vsCodeDropdown(), vsCodeOption(), vsCodeDivider());
}

type Attrs = Record<string, string | undefined>;

function make<K extends string>(tag: K, attrs: Attrs, text?: string): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined) { el.setAttribute(k, v); }
  }
  if (text !== undefined) { el.textContent = text; }
  return el;
}

export type Appearance = 'primary' | 'secondary' | 'icon';

export function button(id: string, label: string, appearance: Appearance = 'secondary', ariaLabel?: string): HTMLElement {
  return make('vscode-button', { id, appearance, 'aria-label': ariaLabel }, label);
}

/** A text field; its value is read and written through `fieldValue`. */
export function textField(id: string, label: string, value: string, size = 8): HTMLElement {
  return make('vscode-text-field', { id, value, size: String(size), inputmode: 'numeric', 'aria-label': label }, label);
}

export function fieldValue(el: HTMLElement): string {
  return String((el as unknown as { value?: unknown }).value ?? '');
}

export function setFieldValue(el: HTMLElement, v: string): void {
  (el as unknown as { value: string }).value = v;
}

export function dropdown(id: string, label: string, options: { value: string; label: string }[]): HTMLElement {
  const d = make('vscode-dropdown', { id, 'aria-label': label });
  for (const o of options) { d.append(make('vscode-option', { value: o.value }, o.label)); }
  return d;
}

/**
 * A tag ("exact", "approx."). Not the toolkit's vscode-tag: it is a FAST badge whose template binds a style attribute,
 * which a CSP without 'unsafe-inline' reports as a violation. Styled like it in main.css (.tag).
 */
export function tag(text: string, title?: string): HTMLElement {
  return make('span', { class: 'tag', title }, text);
}

/**
 * A spinner. Not the toolkit's vscode-progress-ring: its template carries a bound style attribute (for the determinate
 * ring), which a CSP without 'unsafe-inline' reports as a violation even when unused. Pure CSS (main.css .spinner).
 */
export function progressRing(): HTMLElement {
  return make('span', { class: 'spinner', role: 'progressbar', 'aria-label': 'Working' });
}

export function divider(): HTMLElement {
  return make('vscode-divider', { role: 'separator' });
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  if (disabled) { el.setAttribute('disabled', ''); } else { el.removeAttribute('disabled'); }
}
