//! The one entry point of every command: arguments without copies, and a last line of
//! defence that turns a panic into an error reply instead of aborting redis-server.

use std::ffi::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind};

use redis_module::{Context, RedisError, RedisString, raw};

/// A command's arguments, read in place from Redis's argv.
pub struct Args<'a> {
    ctx: *mut raw::RedisModuleCtx,
    argv: &'a [*mut raw::RedisModuleString],
}

impl<'a> Args<'a> {
    pub fn len(&self) -> usize {
        self.argv.len()
    }

    /// The bytes of argument `i`; the caller has checked the arity.
    pub fn bytes(&self, i: usize) -> &'a [u8] {
        self.argv
            .get(i)
            .map_or(&[], |&arg| RedisString::string_as_slice(arg))
    }

    /// Argument `i` as a Redis string (retained), to open a key or name it in a reply.
    pub fn string(&self, i: usize) -> RedisString {
        let arg = self.argv.get(i).copied().unwrap_or(std::ptr::null_mut());
        RedisString::new(std::ptr::NonNull::new(self.ctx), arg)
    }

    pub fn text(&self, i: usize) -> Result<&'a str, RedisError> {
        std::str::from_utf8(self.bytes(i))
            .map_err(|_| RedisError::Str("ERR argument is not valid UTF-8"))
    }
}

pub type Handler = fn(&Context, &Args) -> Result<(), RedisError>;

/// Runs `handler`, which replies itself on success; errors and panics are replied here.
pub fn dispatch(
    ctx: *mut raw::RedisModuleCtx,
    argv: *mut *mut raw::RedisModuleString,
    argc: c_int,
    handler: Handler,
) -> c_int {
    let context = Context::new(ctx);
    let argv = match usize::try_from(argc) {
        // SAFETY: Redis passes argc valid argument pointers in argv for the call's duration.
        Ok(count) if !argv.is_null() => unsafe { std::slice::from_raw_parts(argv, count) },
        _ => &[],
    };
    let args = Args { ctx, argv };
    match catch_unwind(AssertUnwindSafe(|| handler(&context, &args))) {
        Ok(Ok(())) => raw::REDISMODULE_OK as c_int,
        Ok(Err(err)) => context.reply(Err(err)) as c_int,
        Err(_) => {
            context
                .log_warning("mmvec: a command panicked; this is a bug in mmvec, please report it");
            context.reply(Err(RedisError::Str(
                "ERR mmvec internal error (a bug; see the server log)",
            ))) as c_int
        }
    }
}

/// Defines the `extern "C"` function Redis calls for a command, forwarding to `dispatch`.
macro_rules! command_fn {
    ($name:ident => $handler:path) => {
        pub extern "C" fn $name(
            ctx: *mut redis_module::raw::RedisModuleCtx,
            argv: *mut *mut redis_module::raw::RedisModuleString,
            argc: std::ffi::c_int,
        ) -> std::ffi::c_int {
            $crate::dispatch::dispatch(ctx, argv, argc, $handler)
        }
    };
}

pub(crate) use command_fn;
