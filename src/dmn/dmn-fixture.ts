/** Builds small DMN 1.3 documents for tests: a decision table or any decision logic as XML. */
export function dmnDocument(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="test" namespace="urn:test">
${body}
</definitions>`
}

export interface TableFixture {
  readonly hitPolicy?: string
  readonly aggregation?: string
  readonly inputs: readonly string[]
  readonly outputs: readonly { readonly name: string; readonly values?: string }[]
  readonly rules: readonly (readonly string[])[]
}

const escape = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** A decision `d` over input data named after each input expression, decided by a table. */
export function tableDocument(table: TableFixture): string {
  const inputData = table.inputs
    .map(
      (name, i) => `<inputData id="in${i}" name="${name}"><variable name="${name}"/></inputData>`,
    )
    .join('\n')
  const requirements = table.inputs
    .map(
      (_, i) => `<informationRequirement><requiredInput href="#in${i}"/></informationRequirement>`,
    )
    .join('')
  const inputs = table.inputs
    .map((name) => `<input><inputExpression><text>${escape(name)}</text></inputExpression></input>`)
    .join('')
  const outputs = table.outputs
    .map(
      (o) =>
        `<output name="${o.name}">${o.values === undefined ? '' : `<outputValues><text>${escape(o.values)}</text></outputValues>`}</output>`,
    )
    .join('')
  const rules = table.rules
    .map(
      (cells, r) =>
        `<rule id="r${r + 1}">${cells
          .map((cell, c) =>
            c < table.inputs.length
              ? `<inputEntry><text>${escape(cell)}</text></inputEntry>`
              : `<outputEntry><text>${escape(cell)}</text></outputEntry>`,
          )
          .join('')}</rule>`,
    )
    .join('')
  const policy = `hitPolicy="${table.hitPolicy ?? 'UNIQUE'}"${table.aggregation === undefined ? '' : ` aggregation="${table.aggregation}"`}`
  return dmnDocument(`${inputData}
<decision id="d" name="d"><variable name="d"/>${requirements}
<decisionTable id="dt" ${policy}>${inputs}${outputs}${rules}</decisionTable></decision>`)
}
