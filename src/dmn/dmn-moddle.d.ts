// dmn-moddle ships no types; src/dmn/moddle.ts describes what it reads structurally.
declare module 'dmn-moddle' {
  export const DmnModdle: unknown
}
