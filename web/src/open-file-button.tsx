/** The editors' "Open…" button: picks a local file and hands over its name and text. */
export function OpenFileButton(props: {
  readonly accept: string
  readonly label: string
  readonly onOpen: (text: string, name: string) => void
}) {
  return (
    <label className="button">
      Open…
      <input
        type="file"
        accept={props.accept}
        aria-label={props.label}
        hidden
        onChange={(event) => {
          const file = event.target.files?.[0]
          if (file) void file.text().then((text) => props.onOpen(text, file.name))
          event.target.value = ''
        }}
      />
    </label>
  )
}
