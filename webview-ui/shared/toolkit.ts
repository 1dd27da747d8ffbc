// The one place that knows about @vscode/webview-ui-toolkit (retired by Microsoft in January 2025):
// it registers only the components the panels use and offers small typed helpers, so replacing
// the toolkit later touches this file and the tag names in the panels' markup only.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextArea,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Defines the custom elements once (vscode-button, vscode-dropdown, …). */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeBadge(),
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeTextArea(),
    vsCodeTextField(),
  );
}

/** The parts of the toolkit's elements the panels touch. */
export interface ValueElement extends HTMLElement {
  value: string;
}
export interface CheckedElement extends HTMLElement {
  checked: boolean;
}

function byId<T extends HTMLElement>(id: string, tag: string): T {
  const el = document.getElementById(id);
  if (!el || el.tagName.toLowerCase() !== tag) throw new Error(`#${id} is not a <${tag}>`);
  return el as T;
}

export const dropdown = (id: string): ValueElement => byId<ValueElement>(id, 'vscode-dropdown');
export const textField = (id: string): ValueElement => byId<ValueElement>(id, 'vscode-text-field');
export const textArea = (id: string): ValueElement => byId<ValueElement>(id, 'vscode-text-area');
export const checkbox = (id: string): CheckedElement => byId<CheckedElement>(id, 'vscode-checkbox');
export const button = (id: string): HTMLElement => byId<HTMLElement>(id, 'vscode-button');

/** Replaces a dropdown's options and selects `selected` (which must be one of `values`). */
export function setOptions(el: ValueElement, values: readonly string[], selected: string): void {
  const current = [...el.querySelectorAll('vscode-option')].map((o) => o.getAttribute('value'));
  if (current.length !== values.length || current.some((v, i) => v !== values[i])) {
    el.replaceChildren(
      ...values.map((v) => {
        const option = document.createElement('vscode-option');
        option.setAttribute('value', v);
        option.textContent = v;
        return option;
      }),
    );
  }
  for (const option of el.querySelectorAll('vscode-option')) {
    if (option.getAttribute('value') === selected) option.setAttribute('selected', '');
    else option.removeAttribute('selected');
  }
  el.value = selected;
}

/** A toolkit element created in code: `element('vscode-button', { id: 'x', appearance: 'secondary' }, 'Label')`. */
export function element(tag: string, attributes: Record<string, string> = {}, text?: string): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A labelled dropdown (`<div class="picker"><label/><vscode-dropdown id/></div>`), read back with `dropdown(id)`. */
export function picker(id: string, label: string): HTMLElement {
  const wrap = element('div', { class: 'picker' });
  wrap.append(element('label', { for: id }, label), element('vscode-dropdown', { id, 'aria-label': label }));
  return wrap;
}
