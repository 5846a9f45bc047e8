/** What a command's arguments say about where it was run from (no vscode import: unit-tested). */
/**
 * True for the arguments of a command chosen from a tree row's menu or inline button whose row VS Code could not resolve:
 * `[undefined]` (or `[undefined, []]` with multi-select). The palette, keybindings and links pass no arguments, and the
 * extension's own calls pass objects.
 */
export function vanishedTreeItem(args: readonly unknown[]): boolean {
  return args.length > 0 && args[0] === undefined && args.slice(1).every((a) => a === undefined || (Array.isArray(a) && a.length === 0));
}
