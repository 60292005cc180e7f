// Older majors installed under aliases for the compatibility runs; typed as the current ones
// (the tests only use the API both majors share).
declare module 'express4' {
  import express from 'express';
  export default express;
}
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
