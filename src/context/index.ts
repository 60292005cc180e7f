export {
  bindToCurrentContext,
  getContextSpan,
  getCurrentParent,
  getCurrentSpan,
  isSpan,
  setCurrentSpanFunc,
  spanInContext,
} from './current-span.js';
export type { CurrentSpanFunc, CurrentSpanResult } from './state.js';
export { state } from './state.js';
