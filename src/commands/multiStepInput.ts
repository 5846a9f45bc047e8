/**
 * One quick input for a whole flow (Add Broker, Edit Broker, Create Worker Pool…): a step counter, a Back button that returns
 * to the previous step with what was entered there, and a validation message per step while typing. After the
 * vscode-extension-samples "multiStepInput" sample, but data-driven: a flow is a list of steps over one state object, each
 * step reads its value from the state and writes it back, so Back and forward again show what was entered.
 *
 * Steps may be skipped (filled in by a tree item or a script, or not relevant to the choices made so far); the counter
 * counts only the steps shown, and the total is recomputed as the choices change.
 */
import * as vscode from 'vscode';

interface StepBase<S> {
  /** Leave the step out (its value is known already, or it does not apply to the choices made so far). */
  skip?(state: S): boolean;
}

export interface TextStep<S> extends StepBase<S> {
  kind: 'text';
  prompt: string | ((state: S) => string);
  placeholder?: string | ((state: S) => string);
  /** Hides the typed characters (passwords). */
  password?: boolean;
  /** The value shown when the step opens: the state's current one. */
  value(state: S): string;
  /** A message saying what is wrong and what to enter, or undefined when the value is fine. */
  validate?(value: string, state: S): string | undefined;
  apply(value: string, state: S): void;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface PickStep<S, T> extends StepBase<S> {
  kind: 'pick';
  placeholder: string | ((state: S) => string);
  /** The choices; may ask the broker (the input shows a busy bar meanwhile). A thrown error ends the flow with it. */
  items(state: S): PickItem<T>[] | Promise<PickItem<T>[]>;
  /** The value whose item is highlighted when the step opens (the current choice). */
  active?(state: S): T | undefined;
  matchOnDescription?: boolean;
  apply(value: T, state: S): void;
}

/** A step of a flow over state S. Build pick steps with pickStep() so their item type is checked. */
export type Step<S> = TextStep<S> | PickStep<S, unknown>;

export function pickStep<S, T>(step: Omit<PickStep<S, T>, 'kind'>): Step<S> {
  return { kind: 'pick', ...step } as unknown as Step<S>;
}

export function textStep<S>(step: Omit<TextStep<S>, 'kind'>): Step<S> {
  return { kind: 'text', ...step };
}

/**
 * The quick input on screen, for the extension-host tests (they cannot type into the workbench): they read it, set its
 * value or active item, and accept it or press Back through the workbench's own commands.
 */
export class ActiveInput {
  private currentInput: vscode.InputBox | vscode.QuickPick<PickItem<unknown>> | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get current(): vscode.InputBox | vscode.QuickPick<PickItem<unknown>> | undefined {
    return this.currentInput;
  }

  set(input: vscode.InputBox | vscode.QuickPick<PickItem<unknown>> | undefined): void {
    this.currentInput = input;
    this.emitter.fire();
  }
}

export const activeInput = new ActiveInput();

type Outcome = 'next' | 'back' | 'cancel';

/**
 * Runs the steps in order over `state`; resolves to the state once the last step is accepted, or undefined when the user
 * closes the input (Escape, focus elsewhere does not close it). `state` is changed in place, so a caller that wants to
 * offer the flow again ("Edit Again" after a failed connection test) passes the same state back in.
 */
export async function runSteps<S>(title: string, steps: readonly Step<S>[], state: S): Promise<S | undefined> {
  const shown = (i: number) => !steps[i].skip?.(state);
  const nextFrom = (i: number) => { let j = i + 1; while (j < steps.length && !shown(j)) { j++; } return j; };
  /** What was typed in a text step left with Back: shown again when the user comes forward to it. */
  const typed = new Map<number, string>();
  const history: number[] = [];
  let previous: vscode.QuickInput | undefined;
  let i = nextFrom(-1);
  try {
    while (i < steps.length) {
      let remaining = 0;
      for (let j = nextFrom(i); j < steps.length; j = nextFrom(j)) { remaining++; }
      const position = { step: history.length + 1, totalSteps: history.length + 1 + remaining };
      const step = steps[i];
      const { outcome, input } = step.kind === 'text'
        ? await showText(title, step, state, position, previous, typed, i)
        : await showPick(title, step, state, position, previous);
      previous = input;
      if (outcome === 'cancel') { return undefined; }
      if (outcome === 'back') {
        const back = history.pop();
        if (back === undefined) { return undefined; }
        i = back;
        continue;
      }
      typed.delete(i);
      history.push(i);
      i = nextFrom(i);
    }
    return state;
  } finally {
    previous?.dispose();
    activeInput.set(undefined);
  }
}

interface Position { step: number; totalSteps: number }

function common(input: vscode.QuickInput, title: string, at: Position): void {
  input.title = title;
  input.step = at.step;
  input.totalSteps = at.totalSteps;
  // Checking a URL in another window must not lose what was entered so far.
  input.ignoreFocusOut = true;
}

const text = <S>(v: string | ((state: S) => string) | undefined, state: S) => (typeof v === 'function' ? v(state) : v);

/** Shows the new input, then disposes the previous one (showing first avoids a flicker between steps). */
function replace(input: vscode.QuickInput, previous: vscode.QuickInput | undefined): void {
  input.show();
  previous?.dispose();
}

function showText<S>(title: string, step: TextStep<S>, state: S, at: Position, previous: vscode.QuickInput | undefined, typed: Map<number, string>, index: number):
  Promise<{ outcome: Outcome; input: vscode.QuickInput }> {
  const box = vscode.window.createInputBox();
  common(box, title, at);
  box.prompt = text(step.prompt, state);
  box.placeholder = text(step.placeholder, state);
  box.password = step.password === true;
  box.value = typed.get(index) ?? step.value(state);
  box.buttons = at.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  const validate = (v: string) => step.validate?.(v, state);
  return new Promise((resolve) => {
    const listeners: vscode.Disposable[] = [];
    const done = (outcome: Outcome) => {
      for (const l of listeners) { l.dispose(); }
      resolve({ outcome, input: box });
    };
    listeners.push(
      box.onDidChangeValue((v) => { box.validationMessage = validate(v); }),
      box.onDidAccept(() => {
        const message = validate(box.value);
        box.validationMessage = message;
        if (message) { return; }
        step.apply(box.value, state);
        done('next');
      }),
      box.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) {
          typed.set(index, box.value);
          done('back');
        }
      }),
      box.onDidHide(() => done('cancel')),
    );
    replace(box, previous);
    activeInput.set(box);
  });
}

function showPick<S>(title: string, step: PickStep<S, unknown>, state: S, at: Position, previous: vscode.QuickInput | undefined):
  Promise<{ outcome: Outcome; input: vscode.QuickInput }> {
  const qp = vscode.window.createQuickPick<PickItem<unknown>>();
  common(qp, title, at);
  qp.placeholder = text(step.placeholder, state);
  qp.matchOnDescription = step.matchOnDescription === true;
  qp.buttons = at.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  qp.busy = true;
  qp.enabled = false;
  return new Promise((resolve, reject) => {
    const listeners: vscode.Disposable[] = [];
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) { return; }
      settled = true;
      for (const l of listeners) { l.dispose(); }
      resolve({ outcome, input: qp });
    };
    listeners.push(
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (!item || qp.busy) { return; }
        step.apply(item.value, state);
        done('next');
      }),
      qp.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) { done('back'); } }),
      qp.onDidHide(() => done('cancel')),
    );
    replace(qp, previous);
    Promise.resolve().then(() => step.items(state)).then((items) => {
      if (settled) { return; }
      qp.items = items;
      const current = step.active?.(state);
      const active = items.find((it) => it.value === current);
      if (active) { qp.activeItems = [active]; }
      qp.busy = false;
      qp.enabled = true;
      activeInput.set(qp);
    }, (e: unknown) => {
      if (settled) { return; }
      settled = true;
      for (const l of listeners) { l.dispose(); }
      qp.dispose();
      reject(e);
    });
  });
}
