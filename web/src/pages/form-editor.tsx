export function FormEditorPage(): null {
  return null
}
