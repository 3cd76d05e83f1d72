//! Redemption workflows: compile (TypeScript → JavaScript, `compile`) and run in a sandbox
//! (`runtime`). The sandbox has the ECMAScript built-ins, a captured `console`, and the
//! integrations it is handed; no files, network, timers or modules. Every input is bounded:
//! code size and nesting (`nesting`), memory, CPU and wall time, integration calls, and the
//! size of what a run hands back.
pub mod compile;
mod nesting;
pub mod runtime;

pub use compile::{CompileError, Compiled, MAX_NESTING, compile, compile_async};
pub use runtime::{Busy, Engine, Host, Limits, RunOutcome, WorkflowFailure, WorkflowResult};
