export { compileBpmn } from './compile-bpmn.ts'
export type {
  CalledElementDefinition,
  CompileResult,
  ExecutableProcess,
  FlowNode,
  FlowNodeType,
  IoMapping,
  JobDefinition,
  ModelProblem,
  ScriptDefinition,
  SequenceFlow,
  UserTaskDefinition,
  VariableMapping,
} from './types.ts'
export { FlowNodeTypes } from './types.ts'
