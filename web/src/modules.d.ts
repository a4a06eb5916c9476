// Libraries of the bpmn.io family that ship no TypeScript declarations.
declare module '*.css'
declare module 'bpmn-js-properties-panel' {
  type Module = Record<string, unknown>
  export const BpmnPropertiesPanelModule: Module
  export const BpmnPropertiesProviderModule: Module
  export const ZeebePropertiesProviderModule: Module
}
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const module: Record<string, unknown>
  export default module
}
declare module 'dmn-js/lib/Modeler' {
  export default class DmnModeler {
    constructor(options: { container: HTMLElement; common?: object })
    importXML(xml: string): Promise<{ warnings: unknown[] }>
    saveXML(options?: { format?: boolean }): Promise<{ xml: string }>
    getViews(): { type: string; element: unknown }[]
    getActiveView(): { type: string; element: unknown } | undefined
    open(view: { type: string; element: unknown }): Promise<unknown>
    getActiveViewer(): { get<T>(name: string): T } | undefined
    destroy(): void
  }
}
