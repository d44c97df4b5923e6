/**
 * User-facing messages. Shows them without blocking the caller (a notification's promise only
 * settles when the user acts, so nothing awaits it) and remembers the last few, which the
 * integration tests read through the internal state command.
 */
import * as vscode from 'vscode';

export type Severity = 'info' | 'warning' | 'error';

/** A message as shown, plus the label of each action button. */
export interface ShownMessage {
  severity: Severity;
  text: string;
  actions: string[];
}

/** An action button and what it does when clicked. */
export interface MessageAction {
  title: string;
  run(): unknown;
}

/** Shows and records notifications. */
export class Notifier {
  private readonly recent: ShownMessage[] = [];

  /** Shows a message; clicking an action runs it. Returns immediately. */
  show(severity: Severity, text: string, ...actions: MessageAction[]): void {
    this.recent.push({ severity, text, actions: actions.map((a) => a.title) });
    if (this.recent.length > 50) this.recent.shift();
    const titles = actions.map((a) => a.title);
    const shown =
      severity === 'error'
        ? vscode.window.showErrorMessage(text, ...titles)
        : severity === 'warning'
          ? vscode.window.showWarningMessage(text, ...titles)
          : vscode.window.showInformationMessage(text, ...titles);
    shown.then(
      (picked) => actions.find((a) => a.title === picked)?.run(),
      () => undefined,
    );
  }

  /** The last messages shown, oldest first. */
  get messages(): readonly ShownMessage[] {
    return this.recent;
  }
}
