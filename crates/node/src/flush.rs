//! `flushAsync()`: msync + fdatasync on a libuv worker thread.

use mmvec_core::Flusher;
use napi::bindgen_prelude::*;

use crate::error::from_core;

pub struct FlushTask {
    pub flusher: Flusher,
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
            // Task errors carry napi's Status as code; reject with our own JS Error
            // object instead so the Promise's rejection keeps the core's code.
            Some(err) => Err(Error::from(JsError::from(from_core(err)).into_unknown(env))),
        }
    }
}
