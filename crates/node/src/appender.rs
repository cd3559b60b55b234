//! The vector shared between its `NativeVector` and its appender, the plain-function path
//! that `push(v)` appends through.
//!
//! napi-rs (3.16) records the receiver of every class method in a borrow registry for the
//! length of the call (a global map, an allocation and thread-local scopes): about 200 ns a
//! call on the benchmark machine, enough to make `push(v)` slower than an `fs.writeSync` of
//! the same bytes. A plain function taking an `External` skips that bookkeeping, so the
//! appender is an `External` holding the same vector as the class.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use mmvec_core::MappedVec;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::{CoreResultExt, closed, with_code};

/// The open vector, or `None` once closed. JavaScript is single-threaded and no call into
/// the addon re-enters another, so a borrow never finds the cell borrowed; if one ever
/// did, it fails with `ERR_MMVEC_BUSY` rather than panicking.
pub type SharedVec = Rc<RefCell<Option<MappedVec>>>;

pub fn borrow<'a>(shared: &'a SharedVec, env: &Env) -> Result<Ref<'a, MappedVec>> {
    let slot = shared.try_borrow().map_err(|_| busy(env))?;
    Ref::filter_map(slot, Option::as_ref).map_err(|_| closed(env))
}

pub fn borrow_mut<'a>(shared: &'a SharedVec, env: &Env) -> Result<RefMut<'a, MappedVec>> {
    let slot = shared.try_borrow_mut().map_err(|_| busy(env))?;
    RefMut::filter_map(slot, Option::as_mut).map_err(|_| closed(env))
}

/// Drops the vector now, releasing its lock, rather than when the last of the class and
/// its appender is collected. Closing twice is a no-op.
pub fn close(shared: &SharedVec, env: &Env) -> Result<()> {
    shared.try_borrow_mut().map_err(|_| busy(env))?.take();
    Ok(())
}

fn busy(env: &Env) -> Error {
    with_code(env, "ERR_MMVEC_BUSY", "vector is in use by another call")
}

/// Appends whole elements given as little-endian bytes to the vector behind `appender`
/// (`NativeVector.appender()`), with one write to the file; returns the new length.
#[napi]
pub fn append_bytes_to(
    env: &Env,
    #[napi(ts_arg_type = "ExternalObject<NativeVector>")] appender: &External<SharedVec>,
    bytes: &[u8],
) -> Result<f64> {
    let mut vec = borrow_mut(appender, env)?;
    vec.append_bytes(bytes).js(env)?;
    Ok(vec.len() as f64)
}
