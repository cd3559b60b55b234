//! `flushAsync()`: msync + fdatasync on a libuv worker thread.
//!
//! The task runs on a `NativeFlusher` of its own rather than on the vector: napi-rs keeps
//! the receiver of a method borrowed until its promise settles, and the vector must stay
//! usable meanwhile.

use mmvec_core::Flusher;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::from_core;

#[napi]
pub struct NativeFlusher {
    flusher: Option<Flusher>,
}

impl NativeFlusher {
    pub fn new(flusher: Flusher) -> NativeFlusher {
        NativeFlusher { flusher: Some(flusher) }
    }
}

#[napi]
impl NativeFlusher {
    /// Flushes on a worker thread; a flusher runs once.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn run(&mut self) -> Option<AsyncTask<FlushTask>> {
        self.flusher.take().map(|flusher| AsyncTask::new(FlushTask { flusher }))
    }
}

pub struct FlushTask {
    flusher: Flusher,
}

impl Task for FlushTask {
    type Output = Option<mmvec_core::Error>;
    type JsValue = ();

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.flusher.flush().err())
    }

    fn resolve(&mut self, env: Env, failure: Self::Output) -> Result<()> {
        match failure {
            None => Ok(()),
            // Task errors carry napi's Status as code; `from_core` rejects with our own
            // JS Error object instead, so the Promise's rejection keeps the core's code.
            Some(err) => Err(from_core(&env, err)),
        }
    }
}
