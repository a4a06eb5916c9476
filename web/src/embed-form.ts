/**
 * Puts a form-js schema into a process model: an embedded `zeebe:userTaskForm` on the process,
 * linked from the element (a user task or a start event) by `zeebe:formDefinition formKey`, as
 * Camunda Modeler writes embedded forms. Deploying the result makes a new process version.
 */
const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
const ZEEBE = 'http://camunda.org/schema/zeebe/1.0'

function child(parent: Element, namespace: string, localName: string): Element | undefined {
  return [...parent.children].find((c) => c.namespaceURI === namespace && c.localName === localName)
}

function qualified(
  doc: Document,
  namespace: string,
  fallbackPrefix: string,
  localName: string,
): string {
  const root = doc.documentElement
  let prefix = root.lookupPrefix(namespace)
  if (prefix === null && root.isDefaultNamespace(namespace)) return localName
  if (prefix === null) {
    root.setAttributeNS('http://www.w3.org/2000/xmlns/', `xmlns:${fallbackPrefix}`, namespace)
    prefix = fallbackPrefix
  }
  return `${prefix}:${localName}`
}

function extensionElementsOf(doc: Document, element: Element): Element {
  const existing = child(element, BPMN, 'extensionElements')
  if (existing) return existing
  const created = doc.createElementNS(BPMN, qualified(doc, BPMN, 'bpmn', 'extensionElements'))
  // extensionElements comes first (after documentation) in BPMN's schema order.
  const documentation = child(element, BPMN, 'documentation')
  element.insertBefore(created, documentation ? documentation.nextSibling : element.firstChild)
  return created
}

/** The elements of a process a form can go on: user tasks and none start events. */
export function formTargets(
  xml: string,
  processId: string,
): { id: string; name: string; type: string }[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  const process = [...doc.getElementsByTagNameNS(BPMN, 'process')].find(
    (p) => p.getAttribute('id') === processId,
  )
  if (!process) return []
  return [...process.getElementsByTagNameNS(BPMN, '*')]
    .filter(
      (e) =>
        e.localName === 'userTask' || (e.localName === 'startEvent' && e.parentElement === process),
    )
    .map((e) => ({
      id: e.getAttribute('id') ?? '',
      name: e.getAttribute('name') ?? e.getAttribute('id') ?? '',
      type: e.localName,
    }))
}

/** The model with the form embedded on the element (replacing a form it had). */
export function embedForm(
  xml: string,
  processId: string,
  elementId: string,
  schema: object,
): string {
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  if (doc.getElementsByTagName('parsererror').length > 0)
    throw new Error('the process XML does not parse')
  const process = [...doc.getElementsByTagNameNS(BPMN, 'process')].find(
    (p) => p.getAttribute('id') === processId,
  )
  if (!process) throw new Error(`the model has no process '${processId}'`)
  const element = [...process.getElementsByTagNameNS(BPMN, '*')].find(
    (e) => e.getAttribute('id') === elementId,
  )
  if (!element) throw new Error(`process '${processId}' has no element '${elementId}'`)
  const formId = `UserTaskForm_${elementId}`
  const processExtensions = extensionElementsOf(doc, process)
  for (const old of [...processExtensions.children]) {
    if (
      old.namespaceURI === ZEEBE &&
      old.localName === 'userTaskForm' &&
      old.getAttribute('id') === formId
    ) {
      old.remove()
    }
  }
  const body = doc.createElementNS(ZEEBE, qualified(doc, ZEEBE, 'zeebe', 'userTaskForm'))
  body.setAttribute('id', formId)
  body.textContent = JSON.stringify(schema)
  processExtensions.append(body)
  const extensions = extensionElementsOf(doc, element)
  for (const old of [...extensions.children]) {
    if (old.namespaceURI === ZEEBE && old.localName === 'formDefinition') old.remove()
  }
  if (element.localName === 'userTask' && !child(extensions, ZEEBE, 'userTask')) {
    extensions.append(doc.createElementNS(ZEEBE, qualified(doc, ZEEBE, 'zeebe', 'userTask')))
  }
  const link = doc.createElementNS(ZEEBE, qualified(doc, ZEEBE, 'zeebe', 'formDefinition'))
  link.setAttribute('formKey', `camunda-forms:bpmn:${formId}`)
  extensions.append(link)
  return new XMLSerializer().serializeToString(doc)
}
