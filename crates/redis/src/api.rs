//! The Redis module API: a table of function pointers that Redis fills before `OnLoad`.

/// Yields a Redis API function, or returns an error from the enclosing function. Redis
/// fills the table before `OnLoad`, so this only fails on a server without the API.
macro_rules! api {
    ($name:ident) => {
        // SAFETY: Redis fills its API table at load, before any command runs; it is only
        // read afterwards.
        match unsafe { redis_module::raw::$name } {
            Some(function) => function,
            None => return Err(redis_module::RedisError::Str(concat!("ERR this Redis lacks ", stringify!($name)))),
        }
    };
}
pub(crate) use api;
