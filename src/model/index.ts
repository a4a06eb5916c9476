export { compileBpmn, type CompileOptions } from './compile-bpmn.ts'
export { constructsOf } from './engine-constructs.ts'
export { linkTargetKey } from './scope-rules.ts'
export type {
  CalledElementDefinition,
  CompileResult,
  EventDefinition,
  ExecutableProcess,
  FlowNode,
  FlowNodeType,
  IoMapping,
  JobDefinition,
  ModelProblem,
  MultiInstanceDefinition,
  ScriptDefinition,
  SequenceFlow,
  StandardLoopDefinition,
  TimerDefinition,
  UserTaskDefinition,
  VariableMapping,
} from './types.ts'
export { FlowNodeTypes } from './types.ts'
