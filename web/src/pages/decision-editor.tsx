export function DecisionEditorPage(): null {
  return null
}
