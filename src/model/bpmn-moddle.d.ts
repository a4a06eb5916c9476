/**
 * bpmn-moddle 10 ships types for its meta-model only (`bpmn-moddle/types`), not for its entry
 * point. This describes the little of the entry point the model compiler uses.
 */
declare module 'bpmn-moddle' {
  export interface ModdleParseResult {
    readonly rootElement: unknown
    readonly warnings: readonly unknown[]
    readonly elementsById: Readonly<Record<string, unknown>>
  }

  export class BpmnModdle {
    constructor(
      packages?: Readonly<Record<string, unknown>>,
      options?: Readonly<Record<string, unknown>>,
    )
    fromXML(xml: string, typeName?: string): Promise<ModdleParseResult>
  }
}
