/**
 * Workspace Trust for running programs: running executes the user's code, so it is refused in
 * an untrusted workspace (opening saved traces is still allowed). The integration tests can
 * override the answer, because the test server runs with trust disabled (always trusted).
 */
import * as vscode from 'vscode';

/** Answers "may we run code here?". */
export class WorkspaceTrust {
  private override: boolean | undefined;

  /** True when the workspace is trusted (or a test override says so). */
  get isTrusted(): boolean {
    return this.override ?? vscode.workspace.isTrusted;
  }

  /** Test hook: force the answer (`undefined` = back to the real state). */
  setOverride(trusted: boolean | undefined): void {
    this.override = trusted;
  }

  /** Fires when the user grants trust. */
  readonly onDidGrant = vscode.workspace.onDidGrantWorkspaceTrust;
}
